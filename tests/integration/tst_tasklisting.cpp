// Listing tasks: GET /tasks and /tasks/filter with every filter, due windows in the caller's
// time zone, every sort in both directions, pages that stay correct while tasks change, cursors
// nobody can forge, parameters checked strictly, and search with escaped snippets. Any text is
// a valid filter: none gives a 500 or shows another user's task.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>
#include <QTimeZone>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {

QString encoded(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

// GET `path` and its JSON (an empty object, with a warning, unless 200).
QJsonObject getJson(ApiClient &client, const QString &path)
{
    ApiReply *reply = finished(client.send("GET", path));
    if (reply->status() != 200) {
        qWarning("GET %s: %d %s", qPrintable(path), reply->status(), reply->body().constData());
        return {};
    }
    return reply->json();
}

// Every page of a listing, `between` run after each page; the ids in the order seen. Stops (and
// says so) after 500 pages.
QList<qint64> walkPages(ApiClient &client, const QString &path, int *pageCount = nullptr,
                        const std::function<void(int)> &between = {})
{
    QList<qint64> ids;
    QString cursor;
    for (int page = 0; page < 500; ++page) {
        const QString separator = path.contains(u'?') ? u"&"_s : u"?"_s;
        const QJsonObject json = getJson(
                client,
                cursor.isEmpty() ? path : path + separator + u"cursor="_s + encoded(cursor));
        ids += idsOf(json);
        if (pageCount)
            *pageCount = page + 1;
        if (json.value(u"next_cursor"_s).isNull() || !json.contains(u"next_cursor"_s))
            return ids;
        cursor = json.value(u"next_cursor"_s).toString();
        if (between)
            between(page);
    }
    qWarning("the listing %s did not end within 500 pages", qPrintable(path));
    return ids;
}

QDateTime instant(const QJsonValue &value)
{
    return value.isString() ? fromApiTimestamp(value.toString()) : QDateTime();
}

// The order a sort promises, computed here from the tasks' own fields: the key, then the id,
// both in the sort's direction.
QList<qint64> expectedOrder(QList<QJsonObject> tasks, const QString &sort)
{
    const bool descending = sort.startsWith(u'-');
    const QString field = descending ? sort.mid(1) : sort;
    const auto key = [&field](const QJsonObject &task) -> QVariant {
        if (field == u"priority") {
            const QString priority = task.value(u"priority"_s).toString();
            return priority == u"high" ? 3 : priority == u"medium" ? 2 : 1;
        }
        if (field == u"title")
            return task.value(u"title"_s).toString().toCaseFolded();
        if (field == u"created" || field == u"updated")
            return instant(task.value(field + u"_at"_s)).toMSecsSinceEpoch();
        // due: the instant, an all-day date's midnight UTC, or after everything.
        if (task.value(u"due_at"_s).isString())
            return instant(task.value(u"due_at"_s)).toMSecsSinceEpoch();
        if (task.value(u"due_date"_s).isString())
            return QDateTime(QDate::fromString(task.value(u"due_date"_s).toString(), Qt::ISODate),
                             QTime(0, 0), Qt::UTC)
                    .toMSecsSinceEpoch();
        return std::numeric_limits<qint64>::max();
    };
    std::sort(tasks.begin(), tasks.end(), [&](const QJsonObject &a, const QJsonObject &b) {
        const QVariant ka = key(a), kb = key(b);
        const auto order = QVariant::compare(ka, kb);
        const qint64 ia = a.value(u"id"_s).toInteger(), ib = b.value(u"id"_s).toInteger();
        if (order == QPartialOrdering::Equivalent)
            return descending ? ia > ib : ia < ib;
        return descending ? order == QPartialOrdering::Greater : order == QPartialOrdering::Less;
    });
    QList<qint64> ids;
    for (const QJsonObject &task : std::as_const(tasks))
        ids.append(task.value(u"id"_s).toInteger());
    return ids;
}

QList<QJsonObject> itemsOf(const QJsonObject &page)
{
    QList<QJsonObject> items;
    const QJsonArray array = page.value(u"items"_s).toArray();
    for (const QJsonValue &value : array)
        items.append(value.toObject());
    return items;
}

// Texts that mean something to SQL, LIKE, FTS5, tsquery or HTML.
const QStringList &hostileTexts()
{
    static const QStringList texts{
        u"'"_s,
        u"\""_s,
        u";"_s,
        u"--"_s,
        u"%"_s,
        u"_"_s,
        u"\\"_s,
        u"*"_s,
        u"NEAR("_s,
        u")"_s,
        u":"_s,
        u"AND"_s,
        u"OR"_s,
        u"NOT"_s,
        u"^"_s,
        u"$"_s,
        u"' OR '1'='1"_s,
        u"\"; DROP TABLE tasks; --"_s,
        u"secret*"_s,
        u"NEAR(secret plan, 3)"_s,
        u"title:secret"_s,
        u"-secret"_s,
        u"secret OR plan"_s,
        u"secret AND NOT plan"_s,
        u"\"unterminated phrase"_s,
        u"%_%"_s,
        u"\\\\'"_s,
        u"^secret$"_s,
        u"(secret | plan) & !x"_s,
        u"secret:*"_s,
        u"<b>secret</b>"_s,
        u"日本語の秘密"_s,
        u"🚀 secret"_s,
        u"Ünïcödé SÉCRET"_s,
        u"* * *"_s,
        u"\"\""_s,
    };
    return texts;
}

} // namespace

class TestTaskListing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void badParametersAreRefusedNamingThem_data();
    void badParametersAreRefusedNamingThem();
    void limitDefaultsTo20AndIsCappedAt100();
    void filtersChooseTasks_data();
    void filtersChooseTasks();
    void theTimeZoneIsValidatedAndShown_data();
    void theTimeZoneIsValidatedAndShown();
    void dueWindowsFollowTheCallersTimeZone_data();
    void dueWindowsFollowTheCallersTimeZone();
    void sortsByEveryFieldBothWays_data();
    void sortsByEveryFieldBothWays();
    void pagesWalkEveryTaskOnce_data();
    void pagesWalkEveryTaskOnce();
    void pagesStayCorrectWhileTasksChange_data();
    void pagesStayCorrectWhileTasksChange();
    void pagesStayCorrectWhileTheSortedFieldChanges_data();
    void pagesStayCorrectWhileTheSortedFieldChanges();
    void cursorsExpire();
    void cursorsCannotBeForgedOrReused_data();
    void cursorsCannotBeForgedOrReused();
    void anyTextIsASafeFilter_data();
    void anyTextIsASafeFilter();
    void controlCharactersInTextFilters_data();
    void controlCharactersInTextFilters();
    void searchNeedsQ_data();
    void searchNeedsQ();
    void searchRanksTitleMatchesFirstOverVisibleTasksOnly();
    void searchSnippetsMarkMatchesAndEscapeTheRest();
    void searchPagesWalkEveryHitOnce();

private:
    Account signUp(const QString &prefix);
    // The catalogue's task ids by title (see initTestCase).
    QList<qint64> catalogueIds(const QStringList &titles) const;

    std::unique_ptr<TestServer> m_server;
    Account m_catalogue; // a fixed set of tasks that the filter rows choose from
    Account m_neighbour; // shares one task with the catalogue, keeps another
    QHash<QString, qint64> m_titles; // catalogue title -> id
    qint64 m_work = 0;
    qint64 m_home = 0;
};

Account TestTaskListing::signUp(const QString &prefix)
{
    return signUpVerified(*m_server, prefix);
}

QList<qint64> TestTaskListing::catalogueIds(const QStringList &titles) const
{
    QList<qint64> ids;
    for (const QString &title : titles)
        ids.append(m_titles.value(title));
    return ids;
}

void TestTaskListing::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    m_catalogue = signUp(u"catalogue"_s);
    m_neighbour = signUp(u"neighbour"_s);
    QVERIFY(m_catalogue.id() > 0 && m_neighbour.id() > 0);
    for (const auto &[name, id] : { std::pair{ u"Work"_s, &m_work }, { u"Home"_s, &m_home } }) {
        ApiReply *reply = finished(m_catalogue.api().sendJson("POST", u"/api/v1/categories"_s,
                                                              { { u"name"_s, name } }));
        QCOMPARE(reply->status(), 201);
        *id = reply->json().value(u"id"_s).toInteger();
    }
    // The catalogue, in creation order (the default sort). Its owner's zone is UTC.
    const QList<QJsonObject> tasks{
        { { u"title"_s, u"alpha"_s },
          { u"priority"_s, u"high"_s },
          { u"category_id"_s, m_work },
          { u"tags"_s, QJsonArray{ u"Urgent"_s, u"home"_s } },
          { u"due_at"_s, u"2030-01-10T09:00:00Z"_s } },
        { { u"title"_s, u"bravo"_s },
          { u"status"_s, u"in_progress"_s },
          { u"category_id"_s, m_work },
          { u"tags"_s, QJsonArray{ u"urgent"_s } },
          { u"due_date"_s, u"2030-01-10"_s } },
        { { u"title"_s, u"charlie"_s },
          { u"status"_s, u"done"_s },
          { u"priority"_s, u"low"_s },
          { u"category_id"_s, m_home },
          { u"due_at"_s, u"2030-01-11T01:00:00+01:00"_s } },
        { { u"title"_s, u"delta"_s },
          { u"priority"_s, u"low"_s },
          { u"tags"_s, QJsonArray{ u"Errand"_s } },
          { u"due_date"_s, u"2030-01-12"_s } },
        { { u"title"_s, u"echo"_s },
          { u"category_id"_s, m_home },
          { u"tags"_s, QJsonArray{ u"HOME"_s } } },
        { { u"title"_s, u"foxtrot"_s },
          { u"status"_s, u"done"_s },
          { u"priority"_s, u"high"_s },
          { u"due_at"_s, u"2029-12-31T23:59:59Z"_s } },
        { { u"title"_s, u"golf"_s },
          { u"priority"_s, u"high"_s },
          { u"category_id"_s, m_work },
          { u"tags"_s, QJsonArray{ u"urgent"_s } } },
    };
    for (const QJsonObject &fields : tasks) {
        const qint64 id = createTask(m_catalogue.api(), fields).value(u"id"_s).toInteger();
        QVERIFY(id > 0);
        m_titles.insert(fields.value(u"title"_s).toString(), id);
    }
    QCOMPARE(finished(m_catalogue.api().trashTask(m_titles.value(u"golf"_s)))->status(), 200);
    // The neighbour's tasks: one shared with the catalogue, one not, both matching the
    // filters that the rows use.
    const QJsonObject neighbourly{ { u"priority"_s, u"high"_s },
                                   { u"tags"_s, QJsonArray{ u"urgent"_s } },
                                   { u"due_date"_s, u"2030-01-10"_s } };
    const qint64 hotel = createTaskId(m_neighbour.api(), u"hotel"_s, neighbourly);
    const qint64 india = createTaskId(m_neighbour.api(), u"india"_s, neighbourly);
    QVERIFY(hotel > 0 && india > 0);
    m_titles.insert(u"hotel"_s, hotel);
    ApiReply *share = finished(m_neighbour.api().sendJson(
            "POST", u"/api/v1/tasks/%1/assign"_s.arg(hotel),
            { { u"user_id"_s, m_catalogue.id() }, { u"permission"_s, u"view"_s } }));
    QCOMPARE(share->status(), 200);
}

void TestTaskListing::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestTaskListing::badParametersAreRefusedNamingThem_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");
    QTest::newRow("an unknown parameter") << u"colour=red"_s << u"colour"_s;
    QTest::newRow("an unknown parameter beside good ones")
            << u"status=todo&sort=due&ownerid=5"_s << u"ownerid"_s;
    QTest::newRow("a parameter given twice") << u"status=todo&status=done"_s << u"status"_s;
    QTest::newRow("limit given twice") << u"limit=5&limit=5"_s << u"limit"_s;
    QTest::newRow("a status that does not exist") << u"status=finished"_s << u"status"_s;
    QTest::newRow("a status list with an empty item") << u"status=todo,,done"_s << u"status"_s;
    QTest::newRow("an empty status") << u"status="_s << u"status"_s;
    QTest::newRow("a status in capitals") << u"status=TODO"_s << u"status"_s;
    QTest::newRow("a priority that does not exist") << u"priority=urgent"_s << u"priority"_s;
    QTest::newRow("a priority as a number") << u"priority=3"_s << u"priority"_s;
    QTest::newRow("a category id that is a word") << u"category_id=work"_s << u"category_id"_s;
    QTest::newRow("a category id of zero") << u"category_id=0"_s << u"category_id"_s;
    QTest::newRow("a negative category id") << u"category_id=-3"_s << u"category_id"_s;
    QTest::newRow("a category id with a plus sign") << u"category_id=%2B3"_s << u"category_id"_s;
    QTest::newRow("a category id beyond 64 bits")
            << u"category_id=99999999999999999999"_s << u"category_id"_s;
    QTest::newRow("an assignee id that is a word") << u"assignee_id=me"_s << u"assignee_id"_s;
    QTest::newRow("an owner id of zero") << u"owner_id=0"_s << u"owner_id"_s;
    QTest::newRow("an empty tag") << u"tag="_s << u"tag"_s;
    QTest::newRow("a tag of spaces") << u"tag=%20%20"_s << u"tag"_s;
    QTest::newRow("due_before as a word") << u"due_before=tomorrow"_s << u"due_before"_s;
    QTest::newRow("due_before on a day that does not exist")
            << u"due_before=2027-02-30"_s << u"due_before"_s;
    QTest::newRow("due_before as a time without an offset")
            << u"due_before=2027-01-01T10:00:00"_s << u"due_before"_s;
    QTest::newRow("due_after as a Unix time") << u"due_after=1700000000"_s << u"due_after"_s;
    QTest::newRow("a due window that does not exist") << u"due=yesterday"_s << u"due"_s;
    QTest::newRow("a due window in capitals") << u"due=TODAY"_s << u"due"_s;
    QTest::newRow("ready as yes") << u"ready=yes"_s << u"ready"_s;
    QTest::newRow("trashed as 2") << u"trashed=2"_s << u"trashed"_s;
    QTest::newRow("trashed without a value") << u"trashed"_s << u"trashed"_s;
    QTest::newRow("include_total as maybe") << u"include_total=maybe"_s << u"include_total"_s;
    QTest::newRow("a sort field that does not exist") << u"sort=colour"_s << u"sort"_s;
    QTest::newRow("a sort with two minus signs") << u"sort=--due"_s << u"sort"_s;
    QTest::newRow("a sort with a plus sign") << u"sort=%2Bdue"_s << u"sort"_s;
    QTest::newRow("an empty sort") << u"sort="_s << u"sort"_s;
    QTest::newRow("a limit of zero") << u"limit=0"_s << u"limit"_s;
    QTest::newRow("a negative limit") << u"limit=-1"_s << u"limit"_s;
    QTest::newRow("a limit that is a word") << u"limit=ten"_s << u"limit"_s;
    QTest::newRow("a fractional limit") << u"limit=1.5"_s << u"limit"_s;
    QTest::newRow("an empty limit") << u"limit="_s << u"limit"_s;
    QTest::newRow("an empty cursor") << u"cursor="_s << u"cursor"_s;
    QTest::newRow("a cursor that is not one") << u"cursor=garbage"_s << u"cursor"_s;
    QTest::newRow("a q longer than 200 characters") << u"q="_s + QString(201, u'x') << u"q"_s;
    QTest::newRow("a bad value after a good one") << u"limit=5&due=later"_s << u"due"_s;
}

void TestTaskListing::badParametersAreRefusedNamingThem()
{
    QFETCH(QString, query);
    QFETCH(QString, parameter);
    for (const QString &path : { u"/api/v1/tasks"_s, u"/api/v1/tasks/filter"_s }) {
        ApiReply *reply = finished(m_catalogue.api().send("GET", path + u'?' + query));
        QVERIFY2(isProblem(reply, 400, u"bad-request"_s),
                 qPrintable(path + u": "_s + QString::fromUtf8(reply->body())));
        QVERIFY2(namesField(reply, parameter), reply->body().constData());
    }
}

void TestTaskListing::limitDefaultsTo20AndIsCappedAt100()
{
    Account account = signUp(u"many"_s);
    constexpr int Count = 105;
    QList<ApiReply *> replies;
    for (int i = 0; i < Count; ++i)
        replies.append(account.api().sendJson("POST", u"/api/v1/tasks"_s,
                                              { { u"title"_s, u"Task %1"_s.arg(i) } }));
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QCOMPARE(reply->status(), 201);
    }
    const auto pageSize = [&account](const QString &query) {
        const QJsonObject page = getJson(account.api(), u"/api/v1/tasks"_s + query);
        return page.value(u"items"_s).toArray().size();
    };
    QCOMPARE(pageSize(QString()), 20);
    QCOMPARE(pageSize(u"?limit=1"_s), 1);
    QCOMPARE(pageSize(u"?limit=100"_s), 100);
    QCOMPARE(pageSize(u"?limit=101"_s), 100);
    QCOMPARE(pageSize(u"?limit=1000000"_s), 100);
    QCOMPARE(pageSize(u"?limit=9223372036854775807"_s), 100);
    QCOMPARE(pageSize(u"?limit=99999999999999999999999"_s), 100);

    // The first page says there is more; total only when asked for.
    const QJsonObject first = getJson(account.api(), u"/api/v1/tasks"_s);
    QVERIFY(first.value(u"next_cursor"_s).isString());
    QVERIFY(!first.contains(u"total"_s));
    const QJsonObject counted
            = getJson(account.api(), u"/api/v1/tasks?include_total=true&limit=7"_s);
    QCOMPARE(counted.value(u"total"_s).toInteger(), Count);
    QCOMPARE(counted.value(u"items"_s).toArray().size(), 7);

    int pages = 0;
    const QList<qint64> all = walkPages(account.api(), u"/api/v1/tasks?limit=1000"_s, &pages);
    QCOMPARE(pages, 2);
    QCOMPARE(all.size(), Count);
    QCOMPARE(QSet<qint64>(all.cbegin(), all.cend()).size(), Count);
    // The last page says there is no more.
    const QJsonObject full = getJson(account.api(), u"/api/v1/tasks?limit=100"_s);
    QVERIFY(full.value(u"next_cursor"_s).isString());
    const QJsonObject last = getJson(account.api(),
                                     u"/api/v1/tasks?limit=100&cursor="_s
                                             + encoded(full.value(u"next_cursor"_s).toString()));
    QCOMPARE(last.value(u"items"_s).toArray().size(), Count - 100);
    QVERIFY(last.contains(u"next_cursor"_s));
    QVERIFY(last.value(u"next_cursor"_s).isNull());
}

void TestTaskListing::filtersChooseTasks_data()
{
    // The catalogue (initTestCase): alpha todo/high/Work/[Urgent, home]/at 2030-01-10 09:00Z;
    // bravo in_progress/medium/Work/[urgent]/on 2030-01-10; charlie done/low/Home/at
    // 2030-01-11 00:00Z; delta todo/low/[Errand]/on 2030-01-12; echo todo/medium/Home/[HOME]/no
    // due; foxtrot done/high/at 2029-12-31 23:59:59Z; golf (trashed) todo/high/Work/[urgent];
    // hotel, the neighbour's, shared to view: todo/high/[urgent]/on 2030-01-10.
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("titles");
    const QStringList all{ u"alpha"_s, u"bravo"_s,   u"charlie"_s, u"delta"_s,
                           u"echo"_s,  u"foxtrot"_s, u"hotel"_s };
    QTest::newRow("without filters, every status but not the trash") << QString() << all;
    QTest::newRow("status=todo") << u"status=todo"_s
                                 << QStringList{ u"alpha"_s, u"delta"_s, u"echo"_s, u"hotel"_s };
    QTest::newRow("status=todo,done lists both")
            << u"status=todo,done"_s << QStringList{ u"alpha"_s, u"charlie"_s, u"delta"_s,
                                                     u"echo"_s,  u"foxtrot"_s, u"hotel"_s };
    QTest::newRow("every status named is everything") << u"status=in_progress,todo,done"_s << all;
    QTest::newRow("a status named twice in the list")
            << u"status=done,done"_s << QStringList{ u"charlie"_s, u"foxtrot"_s };
    QTest::newRow("priority=high")
            << u"priority=high"_s << QStringList{ u"alpha"_s, u"foxtrot"_s, u"hotel"_s };
    QTest::newRow("priority=low,medium")
            << u"priority=low,medium"_s
            << QStringList{ u"bravo"_s, u"charlie"_s, u"delta"_s, u"echo"_s };
    QTest::newRow("status and priority together")
            << u"status=todo&priority=high"_s << QStringList{ u"alpha"_s, u"hotel"_s };
    QTest::newRow("a category") << u"category_id=WORK"_s << QStringList{ u"alpha"_s, u"bravo"_s };
    QTest::newRow("another category")
            << u"category_id=HOME"_s << QStringList{ u"charlie"_s, u"echo"_s };
    QTest::newRow("a category nobody has") << u"category_id=999999999"_s << QStringList{};
    QTest::newRow("a tag, whatever its case")
            << u"tag=urgent"_s << QStringList{ u"alpha"_s, u"bravo"_s, u"hotel"_s };
    QTest::newRow("a tag asked for in capitals")
            << u"tag=URGENT"_s << QStringList{ u"alpha"_s, u"bravo"_s, u"hotel"_s };
    QTest::newRow("a tag with spaces around it")
            << u"tag=%20Urgent%20"_s << QStringList{ u"alpha"_s, u"bravo"_s, u"hotel"_s };
    QTest::newRow("a tag in mixed case") << u"tag=hOmE"_s << QStringList{ u"alpha"_s, u"echo"_s };
    QTest::newRow("a tag is matched whole, not as a prefix") << u"tag=urg"_s << QStringList{};
    QTest::newRow("due_before a date: due before that day began")
            << u"due_before=2030-01-10"_s << QStringList{ u"foxtrot"_s };
    QTest::newRow("due_before the next date")
            << u"due_before=2030-01-11"_s
            << QStringList{ u"alpha"_s, u"bravo"_s, u"foxtrot"_s, u"hotel"_s };
    QTest::newRow("due_after a date: due on or after that day")
            << u"due_after=2030-01-11"_s << QStringList{ u"charlie"_s, u"delta"_s };
    QTest::newRow("due_after an instant: at or after it, and all-day tasks of later days")
            << u"due_after=2030-01-10T09:00:00Z"_s
            << QStringList{ u"alpha"_s, u"charlie"_s, u"delta"_s };
    QTest::newRow("due_after the same instant with an offset")
            << u"due_after=2030-01-10T10:00:00%2B01:00"_s
            << QStringList{ u"alpha"_s, u"charlie"_s, u"delta"_s };
    QTest::newRow("due_before an instant: before it, and all-day tasks of days begun before it")
            << u"due_before=2030-01-10T09:00:00Z"_s
            << QStringList{ u"bravo"_s, u"foxtrot"_s, u"hotel"_s };
    QTest::newRow("due_after and due_before together")
            << u"due_after=2030-01-10&due_before=2030-01-12"_s
            << QStringList{ u"alpha"_s, u"bravo"_s, u"charlie"_s, u"hotel"_s };
    QTest::newRow("due_after later than due_before")
            << u"due_after=2030-01-12&due_before=2030-01-10"_s << QStringList{};
    QTest::newRow("due=none") << u"due=none"_s << QStringList{ u"echo"_s };
    QTest::newRow("trashed=true lists the trash only")
            << u"trashed=true"_s << QStringList{ u"golf"_s };
    QTest::newRow("trashed=true with a tag")
            << u"trashed=true&tag=urgent"_s << QStringList{ u"golf"_s };
    QTest::newRow("trashed=false is the default") << u"trashed=false"_s << all;
    QTest::newRow("assignee_id: the tasks shared with that user")
            << u"assignee_id=SELF"_s << QStringList{ u"hotel"_s };
    QTest::newRow("assignee_id of a user nothing is shared with")
            << u"assignee_id=NEIGHBOUR"_s << QStringList{};
    QTest::newRow("owner_id: the neighbour's shared with the caller")
            << u"owner_id=NEIGHBOUR"_s << QStringList{ u"hotel"_s };
    QTest::newRow("owner_id of the caller: their own")
            << u"owner_id=SELF"_s << QStringList{ u"alpha"_s, u"bravo"_s, u"charlie"_s,
                                                  u"delta"_s, u"echo"_s,  u"foxtrot"_s };
    QTest::newRow("owner_id of nobody") << u"owner_id=999999999"_s << QStringList{};
    QTest::newRow("everything at once")
            << u"status=todo,in_progress&priority=high,medium&tag=urgent&due_after=2030-01-01"
               "&due_before=2030-02-01&sort=-title&limit=50&include_total=true"_s
            << QStringList{ u"hotel"_s, u"bravo"_s, u"alpha"_s };
}

void TestTaskListing::filtersChooseTasks()
{
    QFETCH(QString, query);
    QFETCH(QStringList, titles);
    query.replace(u"WORK"_s, QString::number(m_work));
    query.replace(u"HOME"_s, QString::number(m_home));
    query.replace(u"SELF"_s, QString::number(m_catalogue.id()));
    query.replace(u"NEIGHBOUR"_s, QString::number(m_neighbour.id()));
    const QList<qint64> expected = catalogueIds(titles);
    for (const QString &path : { u"/api/v1/tasks"_s, u"/api/v1/tasks/filter"_s }) {
        QString url = path + u'?' + query;
        if (!query.contains(u"include_total"_s))
            url += (query.isEmpty() ? u""_s : u"&"_s) + u"include_total=true"_s;
        ApiReply *reply = finished(m_catalogue.api().send("GET", url));
        QVERIFY2(reply->status() == 200, reply->body().constData());
        QCOMPARE(idsOf(reply->json()), expected);
        QCOMPARE(reply->json().value(u"total"_s).toInteger(), expected.size());
        QVERIFY(reply->json().value(u"next_cursor"_s).isNull());
    }
}

void TestTaskListing::theTimeZoneIsValidatedAndShown_data()
{
    QTest::addColumn<QJsonValue>("zone");
    QTest::addColumn<bool>("valid");
    QTest::newRow("an IANA zone") << QJsonValue(u"Europe/Berlin"_s) << true;
    QTest::newRow("a zone fourteen hours ahead") << QJsonValue(u"Pacific/Kiritimati"_s) << true;
    QTest::newRow("UTC") << QJsonValue(u"UTC"_s) << true;
    QTest::newRow("a zone nobody has") << QJsonValue(u"Mars/Olympus_Mons"_s) << false;
    QTest::newRow("an empty zone") << QJsonValue(u""_s) << false;
    QTest::newRow("a zone as a number") << QJsonValue(2) << false;
    QTest::newRow("a zone with a path in it") << QJsonValue(u"../../etc/passwd"_s) << false;
}

void TestTaskListing::theTimeZoneIsValidatedAndShown()
{
    QFETCH(QJsonValue, zone);
    QFETCH(bool, valid);
    Account account = signUp(u"zone"_s);
    QCOMPARE(finished(account.api().me())->json().value(u"time_zone"_s).toString(), u"UTC"_s);
    ApiReply *update = finished(account.api().updateMe({ { u"time_zone"_s, zone } }));
    ApiReply *me = finished(account.api().me());
    if (!valid) {
        QVERIFY2(isProblem(update, 422, u"validation-failed"_s), update->body().constData());
        QVERIFY2(namesField(update, u"time_zone"_s), update->body().constData());
        QCOMPARE(me->json().value(u"time_zone"_s).toString(), u"UTC"_s);
        return;
    }
    QCOMPARE(update->status(), 200);
    QCOMPARE(update->json().value(u"time_zone"_s).toString(), zone.toString());
    QCOMPARE(me->json().value(u"time_zone"_s).toString(), zone.toString());
}

void TestTaskListing::dueWindowsFollowTheCallersTimeZone_data()
{
    // Honolulu is UTC-10 and Kiritimati UTC+14: their dates differ by one day at every moment,
    // and each differs from UTC's for part of every day.
    QTest::addColumn<QString>("zone");
    QTest::newRow("in Pacific/Honolulu (UTC-10)") << u"Pacific/Honolulu"_s;
    QTest::newRow("in Pacific/Kiritimati (UTC+14)") << u"Pacific/Kiritimati"_s;
    QTest::newRow("in UTC") << u"UTC"_s;
    QTest::newRow("in Asia/Kathmandu (UTC+5:45)") << u"Asia/Kathmandu"_s;
}

void TestTaskListing::dueWindowsFollowTheCallersTimeZone()
{
    QFETCH(QString, zone);
    Account account = signUp(u"tz"_s);
    QCOMPARE(finished(account.api().updateMe({ { u"time_zone"_s, zone } }))->status(), 200);
    const QTimeZone timeZone(zone.toUtf8());
    QVERIFY(timeZone.isValid());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDate today = now.toTimeZone(timeZone).date();
    const auto dayStart = [&timeZone](const QDate &date) {
        return QDateTime(date, QTime(0, 0), timeZone).toUTC();
    };
    // Far from midnight in the zone, so that the day cannot change during the test.
    const qint64 secondsIntoDay = dayStart(today).secsTo(now);
    if (secondsIntoDay < 60 || secondsIntoDay > 86'400 - 120)
        QSKIP("too close to midnight in this zone; run again in a minute");

    const auto date = [](const QDate &day) { return QJsonValue(toApiDate(day)); };
    const auto at = [](const QDateTime &time) { return QJsonValue(toApiTimestamp(time)); };
    struct Row
    {
        QString title;
        QJsonObject fields;
        QStringList windows; // the due windows that list it
    };
    const QList<Row> rows{
        { u"all day, yesterday"_s,
          { { u"due_date"_s, date(today.addDays(-1)) } },
          { u"overdue"_s } },
        { u"all day, today"_s, { { u"due_date"_s, date(today) } }, { u"today"_s } },
        { u"all day, tomorrow"_s,
          { { u"due_date"_s, date(today.addDays(1)) } },
          { u"tomorrow"_s, u"upcoming"_s } },
        { u"all day, in a week"_s,
          { { u"due_date"_s, date(today.addDays(7)) } },
          { u"upcoming"_s } },
        { u"done, all day yesterday"_s,
          { { u"due_date"_s, date(today.addDays(-1)) }, { u"status"_s, u"done"_s } },
          {} },
        { u"done, all day today"_s,
          { { u"due_date"_s, date(today) }, { u"status"_s, u"done"_s } },
          { u"today"_s } },
        { u"the last second of yesterday"_s,
          { { u"due_at"_s, at(dayStart(today).addSecs(-1)) } },
          { u"overdue"_s } },
        { u"the first second of today"_s,
          { { u"due_at"_s, at(dayStart(today)) } },
          { u"today"_s, u"overdue"_s } },
        { u"a minute from now"_s, { { u"due_at"_s, at(now.addSecs(60)) } }, { u"today"_s } },
        { u"the last second of today"_s,
          { { u"due_at"_s, at(dayStart(today.addDays(1)).addSecs(-1)) } },
          { u"today"_s } },
        { u"the first second of tomorrow"_s,
          { { u"due_at"_s, at(dayStart(today.addDays(1))) } },
          { u"tomorrow"_s, u"upcoming"_s } },
        { u"the first second of the day after tomorrow"_s,
          { { u"due_at"_s, at(dayStart(today.addDays(2))) } },
          { u"upcoming"_s } },
        { u"in progress, an hour ago"_s,
          { { u"due_at"_s, at(now.addSecs(-3600)) }, { u"status"_s, u"in_progress"_s } },
          { u"overdue"_s, secondsIntoDay > 3600 ? u"today"_s : QString() } },
        { u"no due at all"_s, {}, { u"none"_s } },
    };
    QHash<QString, QList<qint64>> expected;
    for (const Row &row : rows) {
        const qint64 id = createTaskId(account.api(), row.title, row.fields);
        QVERIFY2(id > 0, qPrintable(row.title));
        for (const QString &window : row.windows) {
            if (!window.isEmpty())
                expected[window].append(id);
        }
    }
    for (const QString &window :
         { u"today"_s, u"tomorrow"_s, u"overdue"_s, u"upcoming"_s, u"none"_s }) {
        const QJsonObject page = getJson(account.api(), u"/api/v1/tasks?limit=100&due="_s + window);
        QStringList seen;
        for (const QJsonObject &item : itemsOf(page))
            seen.append(item.value(u"title"_s).toString());
        QVERIFY2(idsOf(page) == expected.value(window),
                 qPrintable(u"due=%1 in %2 (today there is %3) listed: %4"_s.arg(
                         window, zone, toApiDate(today), seen.join(u", "_s))));
    }
}

void TestTaskListing::sortsByEveryFieldBothWays_data()
{
    QTest::addColumn<QString>("sort");
    for (const QString &field :
         { u"due"_s, u"priority"_s, u"created"_s, u"updated"_s, u"title"_s }) {
        QTest::addRow("sort=%s, ascending", qPrintable(field)) << field;
        QTest::addRow("sort=-%s, descending", qPrintable(field)) << u"-"_s + field;
    }
}

void TestTaskListing::sortsByEveryFieldBothWays()
{
    QFETCH(QString, sort);
    Account account = signUp(u"sorter"_s);
    Account sharer = signUp(u"sharer"_s);
    // Ties on every key: equal titles (ignoring case), equal priorities, equal due instants
    // (an all-day date sorts at its midnight UTC), several without a due.
    const QList<QJsonObject> tasks{
        { { u"title"_s, u"banana"_s },
          { u"priority"_s, u"low"_s },
          { u"due_at"_s, u"2030-03-01T10:00:00Z"_s } },
        { { u"title"_s, u"Apple"_s },
          { u"priority"_s, u"high"_s },
          { u"due_date"_s, u"2030-03-01"_s } },
        { { u"title"_s, u"apple"_s },
          { u"priority"_s, u"high"_s },
          { u"due_at"_s, u"2030-03-01T00:00:00Z"_s } },
        { { u"title"_s, u"cherry"_s } },
        { { u"title"_s, u"Éclair"_s } },
        { { u"title"_s, u"date"_s },
          { u"priority"_s, u"low"_s },
          { u"due_at"_s, u"2029-06-01T12:00:00+02:00"_s } },
        { { u"title"_s, u"BANANA"_s },
          { u"priority"_s, u"high"_s },
          { u"due_date"_s, u"2031-01-01"_s } },
        { { u"title"_s, u"zucchini"_s }, { u"due_at"_s, u"2030-03-01T10:00:00Z"_s } },
    };
    QList<qint64> ids;
    for (const QJsonObject &fields : tasks) {
        ids.append(createTask(account.api(), fields).value(u"id"_s).toInteger());
        QVERIFY(ids.last() > 0);
    }
    // One shared task, which the listing merges in from the other side.
    const qint64 fig
            = createTaskId(sharer.api(), u"fig"_s,
                           { { u"priority"_s, u"low"_s }, { u"due_date"_s, u"2030-02-01"_s } });
    QVERIFY(fig > 0);
    QCOMPARE(finished(sharer.api().sendJson(
                              "POST", u"/api/v1/tasks/%1/assign"_s.arg(fig),
                              { { u"user_id"_s, account.id() }, { u"permission"_s, u"edit"_s } }))
                     ->status(),
             200);
    // Changed after creation, so that updated differs from created order.
    for (qint64 id : { ids.at(0), ids.at(3) })
        QCOMPARE(patchTask(account.api(), id, { { u"description"_s, u"changed"_s } })->status(),
                 200);

    const QJsonObject whole = getJson(account.api(), u"/api/v1/tasks?limit=100&sort="_s + sort);
    const QList<QJsonObject> items = itemsOf(whole);
    QCOMPARE(items.size(), tasks.size() + 1);
    const QList<qint64> expected = expectedOrder(items, sort);
    QCOMPARE(idsOf(whole), expected);
    if (sort == u"-priority")
        QCOMPARE(items.first().value(u"priority"_s).toString(), u"high"_s);
    if (sort == u"priority")
        QCOMPARE(items.first().value(u"priority"_s).toString(), u"low"_s);
    // Page by page, in twos, the order is the same, on both routes.
    for (const QString &path : { u"/api/v1/tasks"_s, u"/api/v1/tasks/filter"_s }) {
        int pages = 0;
        QCOMPARE(walkPages(account.api(), path + u"?limit=2&sort="_s + sort, &pages), expected);
        QCOMPARE(pages, 5);
    }
}

void TestTaskListing::pagesWalkEveryTaskOnce_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("in creation order") << u"limit=3"_s;
    QTest::newRow("newest first") << u"limit=3&sort=-created"_s;
    QTest::newRow("by priority, high first") << u"limit=3&sort=-priority"_s;
    QTest::newRow("by due date") << u"limit=3&sort=due"_s;
    QTest::newRow("by title, backwards") << u"limit=3&sort=-title"_s;
    QTest::newRow("by last change") << u"limit=3&sort=updated"_s;
    QTest::newRow("open ones by due date, counted")
            << u"limit=3&sort=due&status=todo,in_progress&include_total=true"_s;
    QTest::newRow("one at a time") << u"limit=1&sort=-due"_s;
}

void TestTaskListing::pagesWalkEveryTaskOnce()
{
    QFETCH(QString, query);
    Account account = signUp(u"walker"_s);
    Account sharer = signUp(u"sharer"_s);
    const QStringList priorities{ u"low"_s, u"medium"_s, u"high"_s };
    const QStringList statuses{ u"todo"_s, u"in_progress"_s, u"done"_s };
    for (int i = 0; i < 14; ++i) {
        QJsonObject fields{ { u"priority"_s, priorities.at(i % 3) },
                            { u"status"_s, statuses.at((i / 3) % 3) } };
        if (i % 4 == 1)
            fields.insert(u"due_date"_s, u"2030-05-%1"_s.arg(10 + i % 3));
        else if (i % 4 == 2)
            fields.insert(u"due_at"_s, u"2030-05-10T00:00:00Z"_s);
        const bool shared = i % 5 == 4;
        Account &owner = shared ? sharer : account;
        const qint64 id = createTaskId(owner.api(), u"Walk %1"_s.arg(i % 6), fields);
        QVERIFY(id > 0);
        if (shared)
            QCOMPARE(finished(owner.api().sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                                   { { u"user_id"_s, account.id() },
                                                     { u"permission"_s, u"view"_s } }))
                             ->status(),
                     200);
    }
    QUrlQuery whole(query);
    whole.removeAllQueryItems(u"limit"_s);
    whole.addQueryItem(u"limit"_s, u"100"_s);
    const QList<qint64> everything
            = idsOf(getJson(account.api(), u"/api/v1/tasks?"_s + whole.toString()));
    QVERIFY(!everything.isEmpty());
    const QList<qint64> walked = walkPages(account.api(), u"/api/v1/tasks?"_s + query);
    QCOMPARE(walked, everything);
    QCOMPARE(QSet<qint64>(walked.cbegin(), walked.cend()).size(), walked.size());
}

void TestTaskListing::pagesStayCorrectWhileTasksChange_data()
{
    QTest::addColumn<QString>("sort");
    QTest::addColumn<QStringList>("changing"); // the fields the other client changes
    // Every field, the one sorted on included (see also
    // pagesStayCorrectWhileTheSortedFieldChanges).
    const QStringList everything{ u"title"_s, u"priority"_s, u"status"_s, u"due_at"_s,
                                  u"description"_s };
    for (const QString &sort :
         { u"created"_s, u"-created"_s, u"priority"_s, u"-priority"_s, u"due"_s, u"-due"_s,
           u"title"_s, u"-title"_s, u"updated"_s, u"-updated"_s })
        QTest::addRow("sort=%s, while everything changes", qPrintable(sort)) << sort << everything;
    QTest::newRow("by due, while titles and priorities change")
            << u"-due"_s << QStringList{ u"title"_s, u"priority"_s, u"description"_s };
}

void TestTaskListing::pagesStayCorrectWhileTasksChange()
{
    QFETCH(QString, sort);
    QFETCH(QStringList, changing);
    Account account = signUp(u"reader"_s);
    Account sharer = signUp(u"sharer"_s);
    ApiClient writer(m_server->url()); // the same user, elsewhere
    writer.setAccessToken(account.user.accessToken);
    QList<qint64> existing;
    for (int i = 0; i < 15; ++i) {
        QJsonObject fields{ { u"priority"_s,
                              QStringList{ u"low"_s, u"medium"_s, u"high"_s }.at(i % 3) } };
        if (i % 3 != 2)
            fields.insert(u"due_at"_s, u"2030-06-%1T08:00:00Z"_s.arg(10 + i % 4));
        const bool shared = i % 4 == 3;
        Account &owner = shared ? sharer : account;
        const qint64 id = createTaskId(owner.api(), u"Steady %1"_s.arg(QChar(u'a' + i)), fields);
        QVERIFY(id > 0);
        if (shared)
            QCOMPARE(finished(owner.api().sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                                   { { u"user_id"_s, account.id() },
                                                     { u"permission"_s, u"edit"_s } }))
                             ->status(),
                     200);
        existing.append(id);
    }

    int changes = 0;
    const auto meanwhile = [&](int page) {
        // Two new tasks, one of them shared; and changes to a task already seen and to one
        // not yet seen (the first and the last created), made by the owner or the editor.
        for (int k = 0; k < 2; ++k) {
            QJsonObject fields{ { u"priority"_s, k ? u"high"_s : u"low"_s },
                                { u"due_at"_s, u"2030-06-1%1T08:00:00Z"_s.arg(page % 4) } };
            const qint64 id = createTaskId(k ? sharer.api() : writer,
                                           u"Steady new %1-%2"_s.arg(page).arg(k), fields);
            if (k && id > 0)
                finished(sharer.api().sendJson(
                        "POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                        { { u"user_id"_s, account.id() }, { u"permission"_s, u"view"_s } }));
        }
        for (qint64 id : { existing.at(page % existing.size()),
                           existing.at(existing.size() - 1 - page % existing.size()) }) {
            QJsonObject fields;
            const int n = ++changes;
            if (changing.contains(u"title"_s))
                fields.insert(u"title"_s, u"Renamed %1 %2"_s.arg(QChar(u'z' - n % 26)).arg(n));
            if (changing.contains(u"priority"_s))
                fields.insert(u"priority"_s, n % 2 ? u"high"_s : u"low"_s);
            if (changing.contains(u"status"_s))
                fields.insert(u"status"_s, n % 2 ? u"in_progress"_s : u"todo"_s);
            if (changing.contains(u"due_at"_s))
                fields.insert(u"due_at"_s, u"2029-01-%1T08:00:00Z"_s.arg(10 + n % 9));
            if (changing.contains(u"description"_s))
                fields.insert(u"description"_s, u"change %1"_s.arg(n));
            ApiReply *reply = patchTask(writer, id, fields);
            if (reply->status() != 200)
                qWarning("change failed: %d %s", reply->status(), reply->body().constData());
        }
    };
    const QList<qint64> walked
            = walkPages(account.api(), u"/api/v1/tasks?limit=3&sort="_s + sort, nullptr, meanwhile);
    QVERIFY(changes > 0);
    QSet<qint64> seen;
    for (qint64 id : walked)
        QVERIFY2(!seen.contains(id), qPrintable(u"task %1 was listed twice"_s.arg(id)));
    seen = QSet<qint64>(walked.cbegin(), walked.cend());
    for (qint64 id : std::as_const(existing))
        QVERIFY2(seen.contains(id), qPrintable(u"task %1 was skipped"_s.arg(id)));
}

void TestTaskListing::pagesStayCorrectWhileTheSortedFieldChanges_data()
{
    // Six tasks get `values` of `field` in creation order (the fifth is another user's, shared
    // to edit). After the first page of two, the fifth task of the listing's order moves
    // before the cursor (`ahead`: plain keyset paging would skip it) and the second, already
    // listed, moves after it (`behind`: it would come again). The walk keeps the order of the
    // first page's moment.
    QTest::addColumn<QString>("sort");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("ahead");
    QTest::addColumn<QString>("behind");
    const QStringList days{ u"2031-01-01"_s, u"2031-01-02"_s, u"2031-01-03"_s,
                            u"2031-01-04"_s, u"2031-01-05"_s, u"2031-01-06"_s };
    QTest::newRow("by due") << u"due"_s << u"due_date"_s << days << u"2030-12-31"_s
                            << u"2031-01-09"_s;
    QTest::newRow("by due, latest first")
            << u"-due"_s << u"due_date"_s << days << u"2031-01-09"_s << u"2030-12-31"_s;
    QTest::newRow("by priority") << u"priority"_s << u"priority"_s
                                 << QStringList{ u"medium"_s, u"medium"_s, u"high"_s,
                                                 u"high"_s,   u"high"_s,   u"high"_s }
                                 << u"low"_s << u"high"_s;
    QTest::newRow("by priority, high first")
            << u"-priority"_s << u"priority"_s
            << QStringList{ u"low"_s, u"low"_s, u"low"_s, u"low"_s, u"medium"_s, u"high"_s }
            << u"high"_s << u"low"_s;
    const QStringList titles{ u"Title b"_s, u"title C"_s, u"Title d"_s,
                              u"Title e"_s, u"title F"_s, u"Title g"_s };
    QTest::newRow("by title") << u"title"_s << u"title"_s << titles << u"Title a"_s << u"Title z"_s;
    QTest::newRow("by title, last first")
            << u"-title"_s << u"title"_s << titles << u"Title z"_s << u"Title a"_s;
    // Any change moves a task to the newest end: in ascending order a listed task would come
    // again, in descending order one not yet listed would be skipped.
    const QStringList notes{ u"n1"_s, u"n2"_s, u"n3"_s, u"n4"_s, u"n5"_s, u"n6"_s };
    QTest::newRow("by last change")
            << u"updated"_s << u"description"_s << notes << u"changed"_s << u"changed"_s;
    QTest::newRow("by last change, newest first")
            << u"-updated"_s << u"description"_s << notes << u"changed"_s << u"changed"_s;
}

void TestTaskListing::pagesStayCorrectWhileTheSortedFieldChanges()
{
    QFETCH(QString, sort);
    QFETCH(QString, field);
    QFETCH(QStringList, values);
    QFETCH(QString, ahead);
    QFETCH(QString, behind);
    Account account = signUp(u"resorted"_s);
    Account sharer = signUp(u"resorter"_s);
    for (qsizetype i = 0; i < values.size(); ++i) {
        const bool shared = i == 4;
        Account &owner = shared ? sharer : account;
        QJsonObject fields{ { u"title"_s, u"Moving %1"_s.arg(i) }, { field, values.at(i) } };
        const qint64 id = createTask(owner.api(), fields).value(u"id"_s).toInteger();
        QVERIFY(id > 0);
        if (shared)
            QCOMPARE(finished(owner.api().sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                                   { { u"user_id"_s, account.id() },
                                                     { u"permission"_s, u"edit"_s } }))
                             ->status(),
                     200);
    }
    const QString path = u"/api/v1/tasks?sort="_s + sort;
    const QList<qint64> before = walkPages(account.api(), path + u"&limit=100"_s);
    QCOMPARE(before.size(), values.size());
    const auto between = [&](int page) {
        if (page != 0)
            return;
        QCOMPARE(patchTask(account.api(), before.at(4), { { field, ahead } })->status(), 200);
        QCOMPARE(patchTask(account.api(), before.at(1), { { field, behind } })->status(), 200);
    };
    QCOMPARE(walkPages(account.api(), path + u"&limit=2"_s, nullptr, between), before);
    // A new listing has the new order: the two moved tasks are elsewhere.
    const QList<qint64> after = walkPages(account.api(), path + u"&limit=2"_s);
    QCOMPARE(QSet<qint64>(after.cbegin(), after.cend()),
             QSet<qint64>(before.cbegin(), before.cend()));
    QVERIFY(after != before);
}

void TestTaskListing::cursorsExpire()
{
    TestServer::Options options;
    options.arguments = QStringList{ u"--cursor-ttl"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account account = signUpVerified(server, u"expiring"_s);
    for (int i = 0; i < 3; ++i)
        QVERIFY(createTaskId(account.api(), u"Expiring %1"_s.arg(i)) > 0);
    for (const QString &sort : { u"due"_s, u"created"_s }) {
        const QString path = u"/api/v1/tasks?limit=1&sort="_s + sort;
        const QString cursor = getJson(account.api(), path).value(u"next_cursor"_s).toString();
        QVERIFY(!cursor.isEmpty());
        QCOMPARE(finished(account.api().send("GET", path + u"&cursor="_s + encoded(cursor)))
                         ->status(),
                 200);
        QTest::qWait(2100);
        ApiReply *reply
                = finished(account.api().send("GET", path + u"&cursor="_s + encoded(cursor)));
        QCOMPARE(reply->status(), 400);
        const QJsonArray errors = reply->json().value(u"errors"_s).toArray();
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).toObject().value(u"field"_s).toString(), u"cursor"_s);
        QCOMPARE(errors.at(0).toObject().value(u"code"_s).toString(), u"expired"_s);
    }
}

void TestTaskListing::cursorsCannotBeForgedOrReused_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("a character of its payload changed") << u"payload"_s;
    QTest::newRow("a character of its signature changed") << u"signature"_s;
    QTest::newRow("cut short") << u"truncated"_s;
    QTest::newRow("its signature removed") << u"unsigned"_s;
    QTest::newRow("its payload swapped for another cursor's") << u"spliced"_s;
    QTest::newRow("from a listing with another filter") << u"filter"_s;
    QTest::newRow("from a listing with another sort") << u"sort"_s;
    QTest::newRow("from the same sort, the other way") << u"direction"_s;
    QTest::newRow("from a listing with one more filter") << u"narrower"_s;
    QTest::newRow("of a task's history") << u"history"_s;
    QTest::newRow("of a search") << u"search"_s;
}

void TestTaskListing::cursorsCannotBeForgedOrReused()
{
    QFETCH(QString, how);
    Account account = signUp(u"cursor"_s);
    qint64 first = 0;
    for (int i = 0; i < 6; ++i) {
        const qint64 id = createTaskId(account.api(), u"Cursor report %1"_s.arg(i),
                                       { { u"priority"_s, i % 2 ? u"high"_s : u"low"_s } });
        QVERIFY(id > 0);
        if (!first)
            first = id;
    }
    for (int i = 0; i < 4; ++i)
        QCOMPARE(patchTask(account.api(), first, { { u"description"_s, u"v%1"_s.arg(i) } })
                         ->status(),
                 200);
    const auto cursorOf = [&account](const QString &path) {
        return getJson(account.api(), path).value(u"next_cursor"_s).toString();
    };
    const QString base = u"/api/v1/tasks?limit=2&sort=priority"_s;
    const QString valid = cursorOf(base);
    QVERIFY(!valid.isEmpty());
    const qsizetype dot = valid.indexOf(u'.');
    QVERIFY(dot > 0);
    const auto changedAt = [](QString text, qsizetype index) {
        text[index] = text.at(index) == u'A' ? u'B' : u'A';
        return text;
    };

    QString cursor;
    if (how == u"payload")
        cursor = changedAt(valid, dot / 2);
    else if (how == u"signature")
        cursor = changedAt(valid, dot + 3);
    else if (how == u"truncated")
        cursor = valid.left(valid.size() - 4);
    else if (how == u"unsigned")
        cursor = valid.left(dot);
    else if (how == u"spliced")
        cursor = cursorOf(u"/api/v1/tasks?limit=2&sort=priority&status=todo"_s).left(dot)
                + valid.mid(dot);
    else if (how == u"filter")
        cursor = cursorOf(u"/api/v1/tasks?limit=2&sort=priority&status=todo"_s);
    else if (how == u"sort")
        cursor = cursorOf(u"/api/v1/tasks?limit=2&sort=due"_s);
    else if (how == u"direction")
        cursor = cursorOf(u"/api/v1/tasks?limit=2&sort=-priority"_s);
    else if (how == u"narrower")
        cursor = cursorOf(u"/api/v1/tasks?limit=2&sort=priority&priority=low,high"_s);
    else if (how == u"history")
        cursor = getJson(account.api(), u"/api/v1/tasks/%1/history?limit=1"_s.arg(first))
                         .value(u"next_cursor"_s)
                         .toString();
    else if (how == u"search")
        cursor = cursorOf(u"/api/v1/tasks/search?q=report&limit=2"_s);
    QVERIFY2(!cursor.isEmpty() && cursor != valid, qPrintable(cursor));

    for (const QString &path : { u"/api/v1/tasks"_s, u"/api/v1/tasks/filter"_s }) {
        ApiReply *reply = finished(account.api().send(
                "GET", path + u"?limit=2&sort=priority&cursor="_s + encoded(cursor)));
        QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
        QVERIFY2(namesField(reply, u"cursor"_s), reply->body().constData());
    }
    // The genuine cursor still works, with any page size.
    ApiReply *genuine = finished(account.api().send(
            "GET", u"/api/v1/tasks?limit=5&sort=priority&cursor="_s + encoded(valid)));
    QCOMPARE(genuine->status(), 200);
    QCOMPARE(genuine->json().value(u"items"_s).toArray().size(), 4);
}

void TestTaskListing::anyTextIsASafeFilter_data()
{
    QTest::addColumn<QString>("text");
    for (const QString &text : hostileTexts())
        QTest::addRow("%s", qPrintable(text)) << text;
}

void TestTaskListing::anyTextIsASafeFilter()
{
    QFETCH(QString, text);
    // Tasks of the neighbour whose every field holds the text: a filter that let it through
    // to SQL, or matched it as a pattern, would show them. The catalogue's own tasks are
    // the only ones it may show.
    const QString tag = text.trimmed().left(50);
    const QJsonObject fields{ { u"description"_s, QString(u"secret plan "_s + text) },
                              { u"tags"_s, QJsonArray{ tag } } };
    QVERIFY(createTaskId(m_neighbour.api(), QString(u"secret plan "_s + text), fields) > 0);
    const QString value = encoded(text);
    const QStringList paths{
        u"/api/v1/tasks?tag="_s + value,
        u"/api/v1/tasks?q="_s + value,
        u"/api/v1/tasks/filter?q="_s + value + u"&tag="_s + value,
        u"/api/v1/tasks/filter?q="_s + value + u"&status=todo&sort=-due"_s,
        u"/api/v1/tasks/search?q="_s + value,
        u"/api/v1/tasks/search?q="_s + value + u"&tag="_s + value + u"&include_total=true"_s,
    };
    for (const QString &path : paths) {
        ApiReply *reply = finished(m_catalogue.api().send("GET", path));
        QVERIFY2(reply->status() == 200,
                 qPrintable(path + u": "_s + QString::fromUtf8(reply->body())));
        for (const QJsonObject &item : itemsOf(reply->json())) {
            const qint64 owner = item.value(u"owner_id"_s).toInteger();
            const bool shared = item.value(u"id"_s).toInteger() == m_titles.value(u"hotel"_s);
            QVERIFY2(owner == m_catalogue.id() || shared,
                     qPrintable(path + u" showed "_s + item.value(u"title"_s).toString()));
        }
    }
    // The neighbour's own search finds nothing else of anybody's either.
    ApiReply *own = finished(m_neighbour.api().send("GET", u"/api/v1/tasks/search?q="_s + value));
    QCOMPARE(own->status(), 200);
    for (const QJsonObject &item : itemsOf(own->json()))
        QCOMPARE(item.value(u"owner_id"_s).toInteger(), m_neighbour.id());
}

void TestTaskListing::controlCharactersInTextFilters_data()
{
    // No task text has control characters (they are refused on the way in), so no filter
    // with one can match; a NUL would also cut a statement short. Line breaks and tabs in q
    // are only white space.
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("refused"); // the parameter named, or empty for 200
    QTest::newRow("a NUL inside q") << u"q=report%00x"_s << u"q"_s;
    QTest::newRow("a q that is a NUL") << u"q=%00"_s << u"q"_s;
    QTest::newRow("a bell in q") << u"q=report%07"_s << u"q"_s;
    QTest::newRow("a NUL inside a tag") << u"q=report&tag=a%00b"_s << u"tag"_s;
    QTest::newRow("an escape character in a tag") << u"q=report&tag=%1Burgent"_s << u"tag"_s;
    QTest::newRow("a line break in q is white space") << u"q=report%0Aplan"_s << QString();
    QTest::newRow("a tab in q is white space") << u"q=report%09"_s << QString();
}

void TestTaskListing::controlCharactersInTextFilters()
{
    QFETCH(QString, query);
    QFETCH(QString, refused);
    for (const QString &path :
         { u"/api/v1/tasks"_s, u"/api/v1/tasks/filter"_s, u"/api/v1/tasks/search"_s }) {
        ApiReply *reply = finished(m_catalogue.api().send("GET", path + u'?' + query));
        if (refused.isEmpty()) {
            QVERIFY2(reply->status() == 200, qPrintable(path + QString::fromUtf8(reply->body())));
            continue;
        }
        QVERIFY2(isProblem(reply, 400, u"bad-request"_s),
                 qPrintable(path + QString::fromUtf8(reply->body())));
        QVERIFY2(namesField(reply, refused), reply->body().constData());
    }
}

void TestTaskListing::searchNeedsQ_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("without q") << QString();
    QTest::newRow("with an empty q") << u"q="_s;
    QTest::newRow("with a q of spaces") << u"q=%20%20%20"_s;
    QTest::newRow("with filters but no q") << u"status=todo&limit=5"_s;
}

void TestTaskListing::searchNeedsQ()
{
    QFETCH(QString, query);
    ApiReply *reply = finished(m_catalogue.api().send(
            "GET", u"/api/v1/tasks/search"_s + (query.isEmpty() ? QString() : u'?' + query)));
    QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
    QVERIFY2(namesField(reply, u"q"_s), reply->body().constData());
}

void TestTaskListing::searchRanksTitleMatchesFirstOverVisibleTasksOnly()
{
    Account account = signUp(u"searcher"_s);
    Account other = signUp(u"other"_s);
    // Created first, so that creation or id order would put it first.
    const qint64 inDescription = createTaskId(
            account.api(), u"Quarterly numbers"_s,
            { { u"description"_s, u"Send the zephyrine figures to finance before Friday."_s } });
    const qint64 inTitle = createTaskId(account.api(), u"Zephyrine review"_s,
                                        { { u"description"_s, u"With the whole team."_s } });
    const qint64 inTags = createTaskId(account.api(), u"Tagged one"_s,
                                       { { u"tags"_s, QJsonArray{ u"zephyrine"_s } } });
    const qint64 unrelated = createTaskId(account.api(), u"Water the plants"_s);
    const qint64 othersTask = createTaskId(other.api(), u"Zephyrine zephyrine zephyrine"_s);
    const qint64 sharedTask = createTaskId(other.api(), u"Shared zephyrine plan"_s);
    for (qint64 id : { inDescription, inTitle, inTags, unrelated, othersTask, sharedTask })
        QVERIFY(id > 0);
    QCOMPARE(finished(other.api().sendJson(
                              "POST", u"/api/v1/tasks/%1/assign"_s.arg(sharedTask),
                              { { u"user_id"_s, account.id() }, { u"permission"_s, u"view"_s } }))
                     ->status(),
             200);

    const QJsonObject result = getJson(account.api(), u"/api/v1/tasks/search?q=zephyrine"_s);
    const QList<qint64> hits = idsOf(result);
    QCOMPARE(QSet<qint64>(hits.cbegin(), hits.cend()),
             (QSet<qint64>{ inDescription, inTitle, inTags, sharedTask }));
    QVERIFY2(hits.indexOf(inTitle) < hits.indexOf(inDescription),
             qPrintable(QString::number(hits.size())));
    QVERIFY(hits.indexOf(sharedTask) < hits.indexOf(inDescription));
    QVERIFY(hits.last() == inDescription);
    for (const QJsonObject &item : itemsOf(result))
        QVERIFY(item.value(u"snippet"_s).toString().contains(u"<mark>"_s));

    // Case does not matter, every word must match; the trash is not searched.
    QCOMPARE(idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=ZEPHYRINE%20review"_s)),
             QList<qint64>{ inTitle });
    QCOMPARE(idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=QUARTERLY"_s)),
             QList<qint64>{ inDescription });
    QCOMPARE(finished(account.api().trashTask(inTitle))->status(), 200);
    QVERIFY(!idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=zephyrine"_s))
                     .contains(inTitle));
    QCOMPARE(idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=zephyrine&trashed=true"_s)),
             QList<qint64>{ inTitle });
    // Once the share ends, the shared task is not found either.
    QCOMPARE(finished(other.api().unshareTask(sharedTask, account.id()))->status(), 204);
    QVERIFY(!idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=zephyrine"_s))
                     .contains(sharedTask));
}

void TestTaskListing::searchSnippetsMarkMatchesAndEscapeTheRest()
{
    Account account = signUp(u"snippets"_s);
    const qint64 hostile = createTaskId(account.api(), u"<img src=x onerror=alert(1)> report"_s);
    const qint64 quoted = createTaskId(
            account.api(), u"Plain title"_s,
            { { u"description"_s,
                u"The \"report\" for Tom & Jerry: <b>bold</b> &amp; <script>alert('x')</script> "
                "is late"_s } });
    QVERIFY(hostile > 0 && quoted > 0);

    const QJsonObject result = getJson(account.api(), u"/api/v1/tasks/search?q=report"_s);
    QHash<qint64, QString> snippets;
    for (const QJsonObject &item : itemsOf(result))
        snippets.insert(item.value(u"id"_s).toInteger(), item.value(u"snippet"_s).toString());
    QCOMPARE(snippets.size(), 2);
    // The title itself comes back as it was written; only the snippet is HTML.
    QCOMPARE(finished(account.api().task(hostile))->json().value(u"title"_s).toString(),
             u"<img src=x onerror=alert(1)> report"_s);
    for (const QString &snippet : std::as_const(snippets)) {
        QVERIFY2(snippet.contains(u"<mark>report</mark>"_s), qPrintable(snippet));
        QString rest = snippet;
        rest.remove(u"<mark>"_s).remove(u"</mark>"_s);
        QVERIFY2(!rest.contains(u'<') && !rest.contains(u'>') && !rest.contains(u'"'),
                 qPrintable(snippet));
    }
    // A passage may start within the text (PostgreSQL's fragments do), but what it shows is
    // the text itself, escaped: markup is neither run nor dropped.
    QVERIFY2(snippets.value(hostile).contains(u"onerror=alert(1)&gt; <mark>report</mark>"_s),
             qPrintable(snippets.value(hostile)));
    QVERIFY2(
            snippets.value(quoted).contains(
                    u"&quot;<mark>report</mark>&quot; for Tom &amp; Jerry: &lt;b&gt;bold&lt;/b&gt; "
                    "&amp;amp; &lt;script&gt;alert('x')&lt;/script&gt; is late"_s),
            qPrintable(snippets.value(quoted)));
}

void TestTaskListing::searchPagesWalkEveryHitOnce()
{
    Account account = signUp(u"pager"_s);
    QSet<qint64> expected;
    for (int i = 0; i < 7; ++i) {
        const qint64 id
                = createTaskId(account.api(), u"Invoice number %1"_s.arg(i),
                               { { u"description"_s, QString(u"invoice "_s).repeated(i) } });
        QVERIFY(id > 0);
        expected.insert(id);
    }
    QVERIFY(createTaskId(account.api(), u"Something else"_s) > 0);
    int pages = 0;
    const QList<qint64> walked
            = walkPages(account.api(), u"/api/v1/tasks/search?q=invoice&limit=3"_s, &pages);
    QCOMPARE(pages, 3);
    QCOMPARE(walked.size(), 7);
    QCOMPARE(QSet<qint64>(walked.cbegin(), walked.cend()), expected);
    QCOMPARE(walked, idsOf(getJson(account.api(), u"/api/v1/tasks/search?q=invoice&limit=50"_s)));
    const QJsonObject counted = getJson(
            account.api(), u"/api/v1/tasks/search?q=invoice&limit=2&include_total=true"_s);
    QCOMPARE(counted.value(u"total"_s).toInteger(), 7);
}

QTEST_GUILESS_MAIN(TestTaskListing)
#include "tst_tasklisting.moc"
