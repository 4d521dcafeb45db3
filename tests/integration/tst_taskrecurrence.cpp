// Recurring tasks through the API: rules validated, occurrences expanded in the owner's time
// zone (the wall-clock time kept across DST changes), completing and skipping occurrences, the
// end of a series, and who may do it.
#include "accountfixtures.h"
#include "task.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const RawHeaders JsonType{ { "Content-Type", "application/json" } };

ApiReply *createTask(ApiClient &client, const QJsonObject &body)
{
    return client.send("POST", u"/api/v1/tasks"_s,
                       QJsonDocument(body).toJson(QJsonDocument::Compact), JsonType);
}

bool setTimeZone(ApiClient &client, const QString &zone)
{
    ApiReply *reply = client.updateMe({ { u"time_zone"_s, zone } });
    return waitFor(reply) && reply->status() == 200;
}

QStringList occurrencesOf(ApiClient &client, qint64 taskId, const QString &from, const QString &to)
{
    ApiReply *reply = client.send("GET",
                                  u"/api/v1/tasks/%1/occurrences?from=%2&to=%3"_s.arg(taskId).arg(
                                          QString::fromLatin1(QUrl::toPercentEncoding(from)),
                                          QString::fromLatin1(QUrl::toPercentEncoding(to))));
    QStringList found;
    if (!waitFor(reply) || reply->status() != 200)
        return { u"HTTP %1"_s.arg(reply->status()) };
    const QJsonArray items = reply->json().value(u"items"_s).toArray();
    for (const QJsonValue &item : items) {
        const QJsonObject occurrence = item.toObject();
        found.append(occurrence.contains(u"due_at"_s) ? occurrence.value(u"due_at"_s).toString()
                                                      : occurrence.value(u"due_date"_s).toString());
    }
    return found;
}
} // namespace

class TestTaskRecurrence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void invalidRulesAreRefused_data();
    void invalidRulesAreRefused();
    void completingKeepsTheLocalTimeAcrossDst_data();
    void completingKeepsTheLocalTimeAcrossDst();
    void occurrencesAreListedInTheOwnersZone();
    void completionIsRecordedAndSkipMovesOn();
    void aSeriesEndsAfterCountOrUntil_data();
    void aSeriesEndsAfterCountOrUntil();
    void allDaySeriesStayOnTheirDates();
    void checkingOffWithPatchCompletesTheOccurrence();
    void viewersCanNeitherCompleteNorSkip();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestTaskRecurrence::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestTaskRecurrence::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestTaskRecurrence::invalidRulesAreRefused_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("allDay");
    QTest::addColumn<QString>("mentions"); // the message names what is wrong
    QTest::newRow("every second is too dense") << u"FREQ=SECONDLY"_s << false << u"SECONDLY"_s;
    QTest::newRow("every minute is too dense")
            << u"FREQ=MINUTELY;INTERVAL=5"_s << false << u"MINUTELY"_s;
    QTest::newRow("an unknown frequency") << u"FREQ=FORTNIGHTLY"_s << false << u"FORTNIGHTLY"_s;
    QTest::newRow("no frequency") << u"BYDAY=MO"_s << false << u"FREQ"_s;
    QTest::newRow("a day that does not exist") << u"FREQ=WEEKLY;BYDAY=XX"_s << false << u"BYDAY"_s;
    QTest::newRow("a month day of 32")
            << u"FREQ=MONTHLY;BYMONTHDAY=32"_s << false << u"BYMONTHDAY"_s;
    QTest::newRow("COUNT and UNTIL together")
            << u"FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z"_s << false << u"UNTIL"_s;
    QTest::newRow("an interval of zero") << u"FREQ=DAILY;INTERVAL=0"_s << false << u"INTERVAL"_s;
    QTest::newRow("hours on an all-day task") << u"FREQ=DAILY;BYHOUR=9"_s << true << u"BYHOUR"_s;
    QTest::newRow("a forbidden combination")
            << u"FREQ=WEEKLY;BYMONTHDAY=1"_s << false << u"BYMONTHDAY"_s;
}

void TestTaskRecurrence::invalidRulesAreRefused()
{
    QFETCH(QString, rule);
    QFETCH(bool, allDay);
    QFETCH(QString, mentions);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    QJsonObject body{ { u"title"_s, u"Recurring"_s }, { u"rrule"_s, rule } };
    if (allDay)
        body.insert(u"due_date"_s, u"2027-03-15"_s);
    else
        body.insert(u"due_at"_s, u"2027-03-15T09:00:00Z"_s);
    ApiReply *reply = createTask(client, body);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 422);
    const auto problem = reply->problem();
    QVERIFY(problem && problem->errors.size() == 1);
    QCOMPARE(problem->errors.first().field, u"rrule"_s);
    QVERIFY2(problem->errors.first().message.contains(mentions, Qt::CaseInsensitive),
             qPrintable(problem->errors.first().message));
}

void TestTaskRecurrence::completingKeepsTheLocalTimeAcrossDst_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QString>("firstDue");
    QTest::addColumn<QStringList>("nextDues"); // after each completion
    // Every Monday at 09:00 local time.
    QTest::newRow("Berlin, across the March change")
            << u"Europe/Berlin"_s << u"2027-03-22T09:00:00+01:00"_s
            << QStringList{ u"2027-03-29T07:00:00.000Z"_s, u"2027-04-05T07:00:00.000Z"_s };
    QTest::newRow("Berlin, across the October change")
            << u"Europe/Berlin"_s << u"2027-10-25T09:00:00+02:00"_s
            << QStringList{ u"2027-11-01T08:00:00.000Z"_s, u"2027-11-08T08:00:00.000Z"_s };
    QTest::newRow("New York, across the March change")
            << u"America/New_York"_s << u"2027-03-08T09:00:00-05:00"_s
            << QStringList{ u"2027-03-15T13:00:00.000Z"_s, u"2027-03-22T13:00:00.000Z"_s };
    QTest::newRow("New York, across the November change")
            << u"America/New_York"_s << u"2027-11-01T09:00:00-04:00"_s
            << QStringList{ u"2027-11-08T14:00:00.000Z"_s, u"2027-11-15T14:00:00.000Z"_s };
}

void TestTaskRecurrence::completingKeepsTheLocalTimeAcrossDst()
{
    QFETCH(QString, zone);
    QFETCH(QString, firstDue);
    QFETCH(QStringList, nextDues);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    QVERIFY(setTimeZone(client, zone));
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Weekly review"_s },
                                     { u"due_at"_s, firstDue },
                                     { u"rrule"_s, u"FREQ=WEEKLY;BYDAY=MO"_s } });
    QVERIFY(waitFor(created));
    QCOMPARE(created->status(), 201);
    const qint64 id = created->json().value(u"id"_s).toInteger();
    for (const QString &expected : std::as_const(nextDues)) {
        ApiReply *complete = client.completeTask(id);
        QVERIFY(waitFor(complete));
        QCOMPARE(complete->status(), 200);
        QCOMPARE(complete->json().value(u"due_at"_s).toString(), expected);
        QCOMPARE(complete->json().value(u"status"_s).toString(), u"todo"_s);
        QVERIFY(complete->json().value(u"completed_at"_s).isNull());
    }
}

void TestTaskRecurrence::occurrencesAreListedInTheOwnersZone()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    QVERIFY(setTimeZone(client, u"Europe/Berlin"_s));
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Standup"_s },
                                     { u"due_at"_s, u"2027-03-22T09:00:00+01:00"_s },
                                     { u"rrule"_s, u"FREQ=WEEKLY;BYDAY=MO"_s } });
    QVERIFY(waitFor(created));
    const qint64 id = created->json().value(u"id"_s).toInteger();
    QCOMPARE(occurrencesOf(client, id, u"2027-03-20T00:00:00Z"_s, u"2027-04-06T00:00:00Z"_s),
             (QStringList{ u"2027-03-22T08:00:00.000Z"_s, u"2027-03-29T07:00:00.000Z"_s,
                           u"2027-04-05T07:00:00.000Z"_s }));
    // The listing is capped.
    ApiReply *many = client.send(
            "GET", u"/api/v1/tasks/%1/occurrences?from=2027-03-01T00:00:00Z&limit=1000"_s.arg(id));
    QVERIFY(waitFor(many));
    QCOMPARE(many->status(), 200);
    QCOMPARE(many->json().value(u"items"_s).toArray().size(), 50); // a year from "from"
    ApiReply *capped = client.send(
            "GET",
            u"/api/v1/tasks/%1/occurrences?from=2027-03-01T00:00:00Z&to=2037-01-01T00:00:00Z&limit=1000"_s
                    .arg(id));
    QVERIFY(waitFor(capped));
    QCOMPARE(capped->json().value(u"items"_s).toArray().size(), 100);
    ApiReply *backwards = client.send(
            "GET",
            u"/api/v1/tasks/%1/occurrences?from=2027-03-01T00:00:00Z&to=2027-02-01T00:00:00Z"_s.arg(
                    id));
    QVERIFY(waitFor(backwards));
    QCOMPARE(backwards->status(), 400);
}

void TestTaskRecurrence::completionIsRecordedAndSkipMovesOn()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Water plants"_s },
                                     { u"due_at"_s, u"2027-06-01T18:00:00Z"_s },
                                     { u"rrule"_s, u"FREQ=DAILY;INTERVAL=2"_s } });
    QVERIFY(waitFor(created));
    const qint64 id = created->json().value(u"id"_s).toInteger();
    ApiReply *skip = client.skipTask(id);
    QVERIFY(waitFor(skip));
    QCOMPARE(skip->status(), 200);
    QCOMPARE(skip->json().value(u"due_at"_s).toString(), u"2027-06-03T18:00:00.000Z"_s);
    ApiReply *complete = client.completeTask(id);
    QVERIFY(waitFor(complete));
    QCOMPARE(complete->json().value(u"due_at"_s).toString(), u"2027-06-05T18:00:00.000Z"_s);
    const auto rows = m_server->querySql(
            u"SELECT occurrence, action, actor_id FROM task_occurrences WHERE task_id = %1 "
            "ORDER BY id"_s.arg(id));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).at(0).toString(), u"2027-06-01T18:00:00.000Z"_s);
    QCOMPARE(rows.at(0).at(1).toString(), u"skipped"_s);
    QCOMPARE(rows.at(1).at(0).toString(), u"2027-06-03T18:00:00.000Z"_s);
    QCOMPARE(rows.at(1).at(1).toString(), u"completed"_s);
    QCOMPARE(rows.at(1).at(2).toLongLong(), user.id);
    ApiReply *history = client.taskHistory(id);
    QVERIFY(waitFor(history));
    const QJsonArray items = history->json().value(u"items"_s).toArray();
    QCOMPARE(items.last().toObject().value(u"action"_s).toString(), u"completed"_s);
}

void TestTaskRecurrence::aSeriesEndsAfterCountOrUntil_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("occurrences");
    QTest::newRow("COUNT=3 counts the first due") << u"FREQ=DAILY;COUNT=3"_s << 3;
    QTest::newRow("UNTIL is inclusive") << u"FREQ=DAILY;UNTIL=20270603T090000Z"_s << 3;
    QTest::newRow("a first due that does not match the rule still counts")
            << u"FREQ=WEEKLY;BYDAY=MO;COUNT=2"_s << 2;
}

void TestTaskRecurrence::aSeriesEndsAfterCountOrUntil()
{
    QFETCH(QString, rule);
    QFETCH(int, occurrences);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    // 2027-06-01 is a Tuesday.
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Course"_s },
                                     { u"due_at"_s, u"2027-06-01T09:00:00Z"_s },
                                     { u"rrule"_s, rule } });
    QVERIFY(waitFor(created));
    QCOMPARE(created->status(), 201);
    const qint64 id = created->json().value(u"id"_s).toInteger();
    for (int i = 1; i <= occurrences; ++i) {
        ApiReply *complete = client.completeTask(id);
        QVERIFY(waitFor(complete));
        QCOMPARE(complete->status(), 200);
        const QString status = complete->json().value(u"status"_s).toString();
        QCOMPARE(status, i < occurrences ? u"todo"_s : u"done"_s);
    }
    ApiReply *task = client.task(id);
    QVERIFY(waitFor(task));
    QVERIFY(!task->json().value(u"completed_at"_s).isNull());
    QCOMPARE(m_server->querySql(
                             u"SELECT count(*) FROM task_occurrences WHERE task_id = %1"_s.arg(id))
                     .first()
                     .first()
                     .toInt(),
             occurrences);
}

void TestTaskRecurrence::allDaySeriesStayOnTheirDates()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    QVERIFY(setTimeZone(client, u"Pacific/Honolulu"_s));
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Pay rent"_s },
                                     { u"due_date"_s, u"2027-01-31"_s },
                                     { u"rrule"_s, u"FREQ=MONTHLY;BYMONTHDAY=-1"_s } });
    QVERIFY(waitFor(created));
    QCOMPARE(created->status(), 201);
    const qint64 id = created->json().value(u"id"_s).toInteger();
    QStringList dues;
    for (int i = 0; i < 3; ++i) {
        ApiReply *complete = client.completeTask(id);
        QVERIFY(waitFor(complete));
        dues.append(complete->json().value(u"due_date"_s).toString());
        QVERIFY(complete->json().value(u"due_at"_s).isNull());
    }
    QCOMPARE(dues, (QStringList{ u"2027-02-28"_s, u"2027-03-31"_s, u"2027-04-30"_s }));
    QCOMPARE(occurrencesOf(client, id, u"2027-04-01T00:00:00Z"_s, u"2027-07-01T00:00:00Z"_s),
             (QStringList{ u"2027-04-30"_s, u"2027-05-31"_s, u"2027-06-30"_s }));
}

void TestTaskRecurrence::checkingOffWithPatchCompletesTheOccurrence()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *created = createTask(client,
                                   { { u"title"_s, u"Backup"_s },
                                     { u"due_at"_s, u"2027-06-01T09:00:00Z"_s },
                                     { u"rrule"_s, u"FREQ=WEEKLY"_s } });
    QVERIFY(waitFor(created));
    const qint64 id = created->json().value(u"id"_s).toInteger();
    ApiReply *patch
            = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(id), R"({"status":"done"})", JsonType);
    QVERIFY(waitFor(patch));
    QCOMPARE(patch->status(), 200);
    QCOMPARE(patch->json().value(u"status"_s).toString(), u"todo"_s);
    QCOMPARE(patch->json().value(u"due_at"_s).toString(), u"2027-06-08T09:00:00.000Z"_s);
    // Ending the recurrence turns it into a plain task.
    ApiReply *plain
            = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(id), R"({"rrule":null})", JsonType);
    QVERIFY(waitFor(plain));
    QVERIFY(plain->json().value(u"rrule"_s).isNull());
    ApiReply *skip = client.skipTask(id);
    QVERIFY(waitFor(skip));
    QCOMPARE(skip->status(), 409);
}

void TestTaskRecurrence::viewersCanNeitherCompleteNorSkip()
{
    ApiClient owner(m_server->url()), viewer(m_server->url());
    const SignedInUser sharer = signUpAndLogIn(owner, u"owner"_s);
    QVERIFY(verifyAddress(owner, sharer.email, outboxOf(*m_server)));
    const SignedInUser reader = signUpAndLogIn(viewer, u"viewer"_s);
    ApiReply *created = createTask(owner,
                                   { { u"title"_s, u"Shared chore"_s },
                                     { u"due_at"_s, u"2027-06-01T09:00:00Z"_s },
                                     { u"rrule"_s, u"FREQ=DAILY"_s } });
    QVERIFY(waitFor(created));
    const qint64 id = created->json().value(u"id"_s).toInteger();
    ApiReply *share = owner.shareTask(id, { reader.id, std::nullopt, SharePermission::View });
    QVERIFY(waitFor(share));
    QCOMPARE(share->status(), 200);
    ApiReply *complete = viewer.completeTask(id);
    ApiReply *skip = viewer.skipTask(id);
    QVERIFY(waitFor(complete) && waitFor(skip));
    QCOMPARE(complete->status(), 403);
    QCOMPARE(skip->status(), 403);
    ApiReply *task = owner.task(id);
    QVERIFY(waitFor(task));
    QCOMPARE(task->json().value(u"due_at"_s).toString(), u"2027-06-01T09:00:00.000Z"_s);
    QCOMPARE(task->json().value(u"version"_s).toInteger(), 2); // the share, nothing else
}

QTEST_GUILESS_MAIN(TestTaskRecurrence)
#include "tst_taskrecurrence.moc"
