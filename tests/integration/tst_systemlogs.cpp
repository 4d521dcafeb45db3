// The server's own log records through the real tasklaned (issue 11, point 10): what its JSON
// log writes is kept in the database and served to administrators at GET /admin/logs, filtered
// by level, category, request id, user, time and text, newest first, in pages; failed requests
// are kept, successful ones are not by default; retention by age and count; nothing secret.
#include "accountfixtures.h"
#include "logrecord.h"
#include "page.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
// How long records may take to reach the store: the store writes every second.
constexpr int StoreWaitMs = 15'000;

Page<LogRecord> logPage(ApiClient &client, const QString &query)
{
    ApiReply *reply = finished(client.send("GET", u"/api/v1/admin/logs?"_s + query));
    if (reply->status() != 200)
        qWarning("admin logs: %d %s", reply->status(), reply->body().constData());
    return Page<LogRecord>::fromJson(reply->json()).value_or(Page<LogRecord>());
}
} // namespace

class TestSystemLogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void failedRequestsAreKeptWithTheirUser();
    void anEncodedNulInAPathIsKeptAsSent();
    void messagesAreFilteredByLevelCategoryTextAndTime();
    void messagesInARequestNameItsUser();
    void pagesGoNewestFirst();
    void onlyAdministratorsReadThem();
    void badQueriesAreRefused_data();
    void badQueriesAreRefused();
    void noSecretReachesTheStore();
    void retentionBoundsTheStore();

private:
    std::unique_ptr<TestServer> m_server;
    Account m_admin;
};

void TestSystemLogs::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_admin = createdByCommand(*m_server, u"logs-admin@example.com"_s, u"admin"_s);
    QVERIFY(m_admin.id() > 0);
}

void TestSystemLogs::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestSystemLogs::failedRequestsAreKeptWithTheirUser()
{
    Account user = signUpAccount(m_server->url(), u"failing"_s);
    ApiReply *fine = finished(user.api().me());
    QCOMPARE(fine->status(), 200);
    const QString fineId = QString::fromLatin1(fine->header("X-Request-Id"));
    ApiReply *missing = finished(user.api().task(987654321));
    QCOMPARE(missing->status(), 404);
    const QString requestId = QString::fromLatin1(missing->header("X-Request-Id"));
    QVERIFY(!requestId.isEmpty() && !fineId.isEmpty());

    Page<LogRecord> page;
    QTRY_VERIFY_WITH_TIMEOUT(
            !(page = logPage(m_admin.api(), u"request_id="_s + requestId)).items.isEmpty(),
            StoreWaitMs);
    const LogRecord &line = page.items.first();
    QCOMPARE(line.category, u"tasklane.http.request"_s);
    QCOMPARE(line.level, u"info"_s);
    QCOMPARE(line.userId, user.id());
    QCOMPARE(line.details.value(u"status"_s).toInt(), 404);
    QCOMPARE(line.details.value(u"method"_s).toString(), u"GET"_s);
    QCOMPARE(line.details.value(u"path"_s).toString(), u"/api/v1/tasks/987654321"_s);
    QVERIFY(line.details.value(u"duration_ms"_s).isDouble());
    QVERIFY(line.message.contains(u"404"_s));
    QVERIFY(!line.source.isEmpty());
    QVERIFY(qAbs(line.at.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    // The user's filter finds it too; the successful request before it was not kept (the
    // store takes records in order, so it would be there by now).
    const Page<LogRecord> users = logPage(m_admin.api(), u"user_id=%1"_s.arg(user.id()));
    QVERIFY(std::any_of(users.items.cbegin(), users.items.cend(),
                        [&](const LogRecord &record) { return record.requestId == requestId; }));
    QVERIFY(logPage(m_admin.api(), u"request_id="_s + fineId).items.isEmpty());
}

void TestSystemLogs::anEncodedNulInAPathIsKeptAsSent()
{
    // A path with an encoded NUL stays encoded in the line (the server never decodes it), and
    // its line is kept with the next failure, whatever batch they share. (LogStore cleans what
    // neither database takes, should a message ever hold it: tst_logstore.)
    Account user = signUpAccount(m_server->url(), u"nul"_s);
    ApiReply *odd = finished(user.api().send("GET", u"/api/v1/nothing%00here"_s));
    QCOMPARE(odd->status(), 404);
    ApiReply *next = finished(user.api().task(876543210));
    QCOMPARE(next->status(), 404);
    const QString oddId = QString::fromLatin1(odd->header("X-Request-Id"));
    const QString nextId = QString::fromLatin1(next->header("X-Request-Id"));
    QTRY_VERIFY_WITH_TIMEOUT(!logPage(m_admin.api(), u"request_id="_s + nextId).items.isEmpty(),
                             StoreWaitMs);
    const Page<LogRecord> page = logPage(m_admin.api(), u"request_id="_s + oddId);
    QCOMPARE(page.items.size(), 1);
    QCOMPARE(page.items.first().details.value(u"path"_s).toString(), u"/api/v1/nothing%00here"_s);
}

void TestSystemLogs::messagesAreFilteredByLevelCategoryTextAndTime()
{
    // The start-up line, by category and text, and within a time range around now.
    const QString since = toApiTimestamp(QDateTime::currentDateTimeUtc().addSecs(-3600));
    const QString until = toApiTimestamp(QDateTime::currentDateTimeUtc().addSecs(3600));
    Page<LogRecord> started;
    QTRY_VERIFY_WITH_TIMEOUT(
            !(started = logPage(m_admin.api(), u"category=tasklane.server&q=LISTENING%20on"_s))
                     .items.isEmpty(),
            StoreWaitMs);
    QVERIFY(started.items.first().message.startsWith(u"listening on http://127.0.0.1:"_s));
    QCOMPARE(started.items.first().level, u"info"_s);
    QCOMPARE(logPage(m_admin.api(),
                     u"category=tasklane.server&q=listening&since=%1&until=%2"_s.arg(since, until))
                     .items.size(),
             started.items.size());
    QVERIFY(logPage(m_admin.api(), u"category=tasklane.server&q=listening&until="_s + since)
                    .items.isEmpty());
    // Text is matched literally: % and _ are no wildcards.
    QVERIFY(logPage(m_admin.api(), u"q=listening%25on"_s).items.isEmpty());

    // A warning: a refresh token that is no token is logged as one.
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.send("GET", u"/api/v1/tasks"_s, {},
                                     { { "Authorization", "Bearer not-a-token" } }))
                     ->status(),
             401);
    const Page<LogRecord> levels = logPage(m_admin.api(), u"level=warning,error&limit=200"_s);
    for (const LogRecord &record : levels.items)
        QVERIFY2(record.level == u"warning" || record.level == u"error", qPrintable(record.level));
    const Page<LogRecord> infos = logPage(m_admin.api(), u"level=info&limit=200"_s);
    QVERIFY(!infos.items.isEmpty());
    for (const LogRecord &record : infos.items)
        QCOMPARE(record.level, u"info"_s);
}

void TestSystemLogs::messagesInARequestNameItsUser()
{
    // An administrator's change is logged inside their request: the record names them.
    Account user = signUpAccount(m_server->url(), u"promoted"_s);
    ApiReply *changed = finished(m_admin.api().sendJson(
            "PATCH", u"/api/v1/admin/users/%1"_s.arg(user.id()), { { u"role"_s, u"manager"_s } }));
    QCOMPARE(changed->status(), 200);
    const QString requestId = QString::fromLatin1(changed->header("X-Request-Id"));
    Page<LogRecord> page;
    QTRY_VERIFY_WITH_TIMEOUT(
            !(page = logPage(m_admin.api(), u"category=tasklane.admin&request_id="_s + requestId))
                     .items.isEmpty(),
            StoreWaitMs);
    QCOMPARE(page.items.first().userId, m_admin.id());
    QVERIFY2(page.items.first().message.contains(u"changed user %1"_s.arg(user.id())),
             qPrintable(page.items.first().message));
}

void TestSystemLogs::pagesGoNewestFirst()
{
    Account user = signUpAccount(m_server->url(), u"pager"_s);
    for (int n = 0; n < 5; ++n)
        QCOMPARE(finished(user.api().task(900000000 + n))->status(), 404);
    const QString filter = u"user_id=%1&category=tasklane.http.request"_s.arg(user.id());
    QTRY_COMPARE_WITH_TIMEOUT(logPage(m_admin.api(), filter + u"&limit=10"_s).items.size(), 5,
                              StoreWaitMs);
    QList<qint64> paths;
    QString cursor;
    QDateTime previous;
    int pages = 0;
    do {
        const Page<LogRecord> page = logPage(
                m_admin.api(),
                filter + u"&limit=2"_s + (cursor.isEmpty() ? QString() : u"&cursor="_s + cursor));
        for (const LogRecord &record : page.items) {
            QVERIFY(!previous.isValid() || record.at <= previous);
            previous = record.at;
            paths.append(record.details.value(u"path"_s).toString().section(u'/', -1).toLongLong());
        }
        cursor = page.nextCursor;
        ++pages;
    } while (!cursor.isEmpty() && pages < 10);
    QCOMPARE(pages, 3);
    QCOMPARE(paths, (QList<qint64>{ 900000004, 900000003, 900000002, 900000001, 900000000 }));

    // A cursor only continues its own listing.
    const QString other = logPage(m_admin.api(), filter + u"&limit=1"_s).nextCursor;
    ApiReply *crossed = finished(
            m_admin.api().send("GET", u"/api/v1/admin/logs?level=info&limit=1&cursor="_s + other));
    QVERIFY2(isProblem(crossed, 400, u"bad-request"_s), crossed->body().constData());
    QVERIFY(namesField(crossed, u"cursor"_s));
}

void TestSystemLogs::onlyAdministratorsReadThem()
{
    Account manager = createdByCommand(*m_server, u"logs-manager@example.com"_s, u"manager"_s);
    QVERIFY(isProblem(finished(manager.api().send("GET", u"/api/v1/admin/logs"_s)), 403,
                      u"forbidden"_s));
    Account user = signUpAccount(m_server->url(), u"curious"_s);
    QVERIFY(isProblem(finished(user.api().send("GET", u"/api/v1/admin/logs"_s)), 403,
                      u"forbidden"_s));
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.send("GET", u"/api/v1/admin/logs"_s))->status(), 401);
}

void TestSystemLogs::badQueriesAreRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("an unknown level") << u"level=loud"_s << u"level"_s;
    QTest::newRow("levels in capitals") << u"level=ERROR"_s << u"level"_s;
    QTest::newRow("no level") << u"level=,"_s << u"level"_s;
    QTest::newRow("a user id that is a word") << u"user_id=me"_s << u"user_id"_s;
    QTest::newRow("a time without a zone") << u"since=2026-01-01T00:00:00"_s << u"since"_s;
    QTest::newRow("until before since")
            << u"since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"_s << u"until"_s;
    QTest::newRow("an empty text") << u"q="_s << u"q"_s;
    QTest::newRow("a text too long") << u"q="_s + QString(201, u'x') << u"q"_s;
    QTest::newRow("an empty request id") << u"request_id="_s << u"request_id"_s;
    QTest::newRow("an unknown parameter") << u"colour=red"_s << u"colour"_s;
    QTest::newRow("a forged cursor") << u"cursor=abc.def"_s << u"cursor"_s;
    QTest::newRow("a limit of zero") << u"limit=0"_s << u"limit"_s;
}

void TestSystemLogs::badQueriesAreRefused()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    ApiReply *reply = finished(m_admin.api().send("GET", u"/api/v1/admin/logs?"_s + query));
    QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field), reply->body().constData());
}

void TestSystemLogs::noSecretReachesTheStore()
{
    // A password, a wrong one, tokens and a refresh: none of them is in any record.
    const QString password = u"Canary-%1-Pass"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const QString wrong = password + u"-wrong"_s;
    ApiClient client(m_server->url());
    const QString email = u"canary-%1@example.com"_s.arg(QDateTime::currentMSecsSinceEpoch());
    QCOMPARE(finished(client.signup(email, password, u"Canary"_s))->status(), 202);
    QCOMPARE(finished(client.login(email, wrong))->status(), 401);
    ApiReply *login = finished(client.login(email, password));
    QCOMPARE(login->status(), 200);
    const QString access = login->json().value(u"access_token"_s).toString();
    const QString refresh = login->json().value(u"refresh_token"_s).toString();
    QCOMPARE(finished(client.refreshToken(refresh))->status(), 200);
    QCOMPARE(finished(client.refreshToken(refresh))->status(), 401); // reused: a logged failure
    ApiReply *last = finished(client.send("GET", u"/api/v1/tasks/1?token="_s + access));
    const QString lastId = QString::fromLatin1(last->header("X-Request-Id"));
    QTRY_VERIFY_WITH_TIMEOUT(!logPage(m_admin.api(), u"request_id="_s + lastId).items.isEmpty(),
                             StoreWaitMs);
    for (const QString &secret : { password, wrong, access, refresh }) {
        const QList<QVariantList> rows = m_server->querySql(
                u"SELECT count(*) FROM log_records WHERE message LIKE '%%1%' OR details LIKE "
                "'%%1%' OR category LIKE '%%1%'"_s.arg(secret.left(60)));
        QCOMPARE(rows.value(0).value(0).toInt(), 0);
    }
    QVERIFY(m_server->querySql(u"SELECT count(*) FROM log_records"_s).value(0).value(0).toInt()
            > 0);
}

void TestSystemLogs::retentionBoundsTheStore()
{
    // A server of its own that keeps every request line, at most 1,000 records, a day of them,
    // and a day of activity, cleaning up every second.
    TestServer::Options options;
    options.arguments = { u"--log-store-requests"_s,       u"all"_s,
                          u"--log-store-max-records"_s,    u"1000"_s,
                          u"--log-retention-days"_s,       u"1"_s,
                          u"--activity-retention-days"_s,  u"1"_s,
                          u"--cleanup-interval-seconds"_s, u"1"_s };
    TestServer server(options);
    QVERIFY2(server.start(), server.logs().constData());
    QVERIFY(server.executeSql(
            u"INSERT INTO log_records (at, level, category, message, source, details) VALUES "
            "('2001-01-01T00:00:00.000Z', 'info', 'test.old', 'an old record', 'test', '{}')"_s));
    QVERIFY(server.executeSql(
            u"INSERT INTO activity_log (at, action, outcome, target_type, client_address, "
            "user_agent, details) VALUES ('2001-01-01T00:00:00.000Z', 'user.login', 'success', "
            "'', '', 'old-agent', '{}')"_s));
    ApiClient client(server.url());
    for (int n = 0; n < 1200; ++n)
        QCOMPARE(finished(client.send("GET", u"/healthz"_s))->status(), 200);
    const auto count = [&server](const QString &sql) {
        return server.querySql(sql).value(0).value(0).toInt();
    };
    // The old ones go by age, the rest down to the newest 1,000 (and what came since). These
    // waits use qWaitFor, whose deadline is real time: one CI run under ASan saw a QTRY loop,
    // which counts its 50 ms steps instead of reading a clock, give up after 1.5 s of 60.
    const auto becomes = [](auto condition) { return QTest::qWaitFor(condition, 60'000); };
    QVERIFY(becomes([&] {
        return count(u"SELECT count(*) FROM log_records WHERE category = 'test.old'"_s) == 0;
    }));
    QVERIFY(becomes([&] {
        return count(u"SELECT count(*) FROM activity_log WHERE user_agent = 'old-agent'"_s) == 0;
    }));
    QVERIFY2(
            becomes([&] { return count(u"SELECT count(*) FROM log_records"_s) <= 1100; }),
            qPrintable(u"%1 records are left"_s.arg(count(u"SELECT count(*) FROM log_records"_s))));
    QVERIFY(count(u"SELECT count(*) FROM log_records WHERE category = 'tasklane.http.request'"_s)
            > 500);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestSystemLogs)
#include "tst_systemlogs.moc"
