// Due-soon and overdue alerts and the daily digest through the real tasklaned: alerts go out at
// their time to everyone who sees the task, once, by notification and email, never for a task
// done or moved away; after downtime what fell due meanwhile (all-day dates on their owner's
// wall clock too) goes out once at start, marked late; a digest lists the overdue and the due
// tasks with the emails held for it, and turning it off sends those on their own.
#include "accountfixtures.h"
#include "smtptestserver.h"
#include "task.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestDueAlerts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void alertsGoOutOnceAtTheirTime();
    void whatFellDueDuringDowntimeGoesOutOnceAtStart();
    void theDigestListsTheDayAndWhatWaitedForIt();
};

namespace {

const QString SettingsPath = u"/api/v1/users/me/notification-settings"_s;

// Subjects of the mails to `address`, sorted.
QStringList subjectsTo(const TestServer &server, const QString &address)
{
    QStringList subjects;
    for (const ReceivedMail &mail : notices(outboxOf(server))) {
        if (mail.header("To").contains(address))
            subjects.append(mail.header("Subject"));
    }
    subjects.sort();
    return subjects;
}

// "type: title" of a user's notifications of these types, sorted.
QStringList noticesOf(ApiClient &client, const QStringList &types)
{
    QStringList notices;
    ApiReply *reply = finished(client.send("GET", u"/api/v1/notifications?limit=100"_s));
    for (const QJsonValue &item : reply->json().value(u"items"_s).toArray()) {
        const QJsonObject notice = item.toObject();
        if (types.contains(notice.value(u"type"_s).toString()))
            notices.append(notice.value(u"type"_s).toString() + u": "_s
                           + notice.value(u"title"_s).toString());
    }
    notices.sort();
    return notices;
}

bool share(ApiClient &client, qint64 taskId, qint64 userId)
{
    return finished(client.sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(taskId),
                                    { { u"user_id"_s, userId }, { u"permission"_s, u"view"_s } }))
                   ->status()
            == 200;
}

} // namespace

void TestDueAlerts::alertsGoOutOnceAtTheirTime()
{
    TestServer::Options options;
    options.arguments = { u"--due-soon-minutes"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    Account bob = signUpVerified(server, u"bob"_s);
    QCOMPARE(finished(bob.api().updateMe({ { u"language"_s, u"de"_s } }))->status(), 200);
    const QDateTime start = QDateTime::currentDateTimeUtc();
    // Overdue in 3 s (its due-soon time passed before it was made: no due-soon alert).
    const qint64 soon
            = createTaskId(ada.api(), u"File the report"_s, { { u"due_at"_s, apiTimeIn(3) } });
    QVERIFY(share(ada.api(), soon, bob.id()));
    // Due soon in 2 s (a minute before its due time).
    QVERIFY(createTaskId(ada.api(), u"Book the room"_s, { { u"due_at"_s, apiTimeIn(62) } }) > 0);
    // Done, and moved away: neither alerts.
    const qint64 done
            = createTaskId(ada.api(), u"Already done"_s, { { u"due_at"_s, apiTimeIn(3) } });
    QCOMPARE(patchTask(ada.api(), done, { { u"status"_s, u"done"_s } })->status(), 200);
    const qint64 moved
            = createTaskId(ada.api(), u"Moved away"_s, { { u"due_at"_s, apiTimeIn(3) } });
    QCOMPARE(patchTask(ada.api(), moved, { { u"due_at"_s, apiTimeIn(7200) } })->status(), 200);

    const QStringList adaExpects{ u"due_soon: Book the room"_s, u"overdue: File the report"_s };
    QTRY_COMPARE_WITH_TIMEOUT(noticesOf(ada.api(), { u"due_soon"_s, u"overdue"_s }), adaExpects,
                              15'000);
    QTRY_COMPARE_WITH_TIMEOUT(noticesOf(bob.api(), { u"due_soon"_s, u"overdue"_s }),
                              QStringList{ u"overdue: File the report"_s }, 15'000);
    QTRY_COMPARE_WITH_TIMEOUT(
            subjectsTo(server, ada.user.email),
            (QStringList{ u"Due soon: Book the room"_s, u"Overdue: File the report"_s }), 15'000);
    QTRY_VERIFY_WITH_TIMEOUT(
            subjectsTo(server, bob.user.email).contains(u"Überfällig: File the report"_s),
            15'000); // in bob's language
    // Not before its time, and on time: the overdue alert came at the due time (3 s), not at
    // the sweep a minute later.
    ApiReply *reply = finished(ada.api().send("GET", u"/api/v1/notifications"_s));
    for (const QJsonValue &item : reply->json().value(u"items"_s).toArray()) {
        const QJsonObject notice = item.toObject();
        if (notice.value(u"type"_s).toString() != u"overdue")
            continue;
        const QDateTime at = fromApiTimestamp(notice.value(u"created_at"_s).toString());
        QVERIFY2(start.msecsTo(at) >= 3000 && start.msecsTo(at) < 15'000,
                 qPrintable(notice.value(u"created_at"_s).toString()));
        QCOMPARE(notice.value(u"data"_s).toObject().value(u"late"_s), QJsonValue(false));
    }
    // Once: sweeps after these find them delivered.
    QTest::qWait(3000);
    QCOMPARE(noticesOf(ada.api(), { u"due_soon"_s, u"overdue"_s }), adaExpects);
    QCOMPARE(subjectsTo(server, ada.user.email).size(), 2);
}

void TestDueAlerts::whatFellDueDuringDowntimeGoesOutOnceAtStart()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    // Far east: ada's day starts (and ends) up to 14 hours before UTC's.
    QCOMPARE(finished(ada.api().sendJson("PATCH", u"/api/v1/users/me"_s,
                                         { { u"time_zone"_s, u"Pacific/Kiritimati"_s } }))
                     ->status(),
             200);
    const QDate adasToday
            = QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone("Pacific/Kiritimati")).date();
    QVERIFY(createTaskId(ada.api(), u"Yesterday's chores"_s,
                         { { u"due_date"_s, toApiDate(adasToday.addDays(-1)) } })
            > 0);
    QVERIFY(createTaskId(ada.api(), u"An hour ago"_s, { { u"due_at"_s, apiTimeIn(-3600) } }) > 0);
    QVERIFY(createTaskId(ada.api(), u"Next week"_s, { { u"due_at"_s, apiTimeIn(7 * 86400) } }) > 0);
    QTest::qWait(1500);
    // They fell due before the server first looked: nothing is alerted for them.
    QCOMPARE(noticesOf(ada.api(), { u"due_soon"_s, u"overdue"_s }), QStringList());
    QCOMPARE(server.stop(), 0);

    // Two days of downtime: the sweep resumes from where it stopped then.
    const QString twoDaysAgo = toApiTimestamp(QDateTime::currentDateTimeUtc().addDays(-2));
    QVERIFY(server.executeSql(u"UPDATE jobs SET payload = '{\"swept_to\":\"%1\"}', run_at = '%1' "
                              "WHERE kind = 'due-alerts' AND status = 'queued'"_s.arg(twoDaysAgo)));
    QVERIFY(server.start());
    reconnect(ada, server.url());
    const QStringList expected{ u"overdue: An hour ago"_s, u"overdue: Yesterday's chores"_s };
    QTRY_COMPARE_WITH_TIMEOUT(noticesOf(ada.api(), { u"due_soon"_s, u"overdue"_s }), expected,
                              15'000);
    ApiReply *reply = finished(ada.api().send("GET", u"/api/v1/notifications"_s));
    for (const QJsonValue &item : reply->json().value(u"items"_s).toArray())
        QCOMPARE(item.toObject().value(u"data"_s).toObject().value(u"late"_s), QJsonValue(true));
    QTRY_COMPARE_WITH_TIMEOUT(
            subjectsTo(server, ada.user.email),
            (QStringList{ u"Overdue: An hour ago"_s, u"Overdue: Yesterday's chores"_s }), 15'000);
    for (const ReceivedMail &mail : notices(outboxOf(server)))
        QVERIFY2(mail.text.contains(u"Sent late"_s), qPrintable(mail.text));
    // Once, also after another restart.
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.start());
    reconnect(ada, server.url());
    QTest::qWait(2000);
    QCOMPARE(noticesOf(ada.api(), { u"due_soon"_s, u"overdue"_s }), expected);
    QCOMPARE(notices(outboxOf(server)).size(), 2);
}

void TestDueAlerts::theDigestListsTheDayAndWhatWaitedForIt()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    Account bob = signUpVerified(server, u"bob"_s);
    QCOMPARE(finished(ada.api().sendJson("PATCH", SettingsPath,
                                         { { u"digest"_s,
                                             QJsonObject{ { u"enabled"_s, true },
                                                          { u"hour"_s, 7 },
                                                          { u"instead_of_email"_s, true } } } }))
                     ->status(),
             200);
    QVERIFY(createTaskId(ada.api(), u"Late already"_s, { { u"due_at"_s, apiTimeIn(-600) } }) > 0);
    QVERIFY(createTaskId(ada.api(), u"Later today"_s,
                         { { u"due_date"_s, toApiDate(QDateTime::currentDateTimeUtc().date()) } })
            > 0);
    QVERIFY(createTaskId(ada.api(), u"Not yet"_s, { { u"due_at"_s, apiTimeIn(3 * 86400) } }) > 0);
    // Bob shares a task with ada: her email of it waits for the digest.
    const qint64 bobs = createTaskId(bob.api(), u"Bob's errand"_s);
    QVERIFY(share(bob.api(), bobs, ada.id()));
    QTRY_COMPARE_WITH_TIMEOUT(noticesOf(ada.api(), { u"shared"_s }),
                              QStringList{ u"shared: Bob's errand"_s }, 10'000);
    QTest::qWait(1500);
    QCOMPARE(subjectsTo(server, ada.user.email), QStringList());

    // The digest is queued for 07:00 (UTC, ada's zone); make its hour come now.
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.executeSql(u"UPDATE jobs SET run_at = '%1' WHERE kind = 'digest' AND "
                              "status = 'queued'"_s.arg(apiTimeIn(0))));
    QVERIFY(server.start());
    reconnect(ada, server.url());
    reconnect(bob, server.url());
    const QString subject
            = u"Your tasks for "_s + QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
    QTRY_COMPARE_WITH_TIMEOUT(subjectsTo(server, ada.user.email), QStringList{ subject }, 15'000);
    const ReceivedMail digest = notices(outboxOf(server)).first();
    QVERIFY2(digest.text.contains(u"Overdue"_s) && digest.text.contains(u"Late already"_s),
             qPrintable(digest.text));
    QVERIFY2(digest.text.contains(u"Due today"_s) && digest.text.contains(u"Later today"_s),
             qPrintable(digest.text));
    QVERIFY2(digest.text.contains(u"Shared with you: Bob's errand"_s), qPrintable(digest.text));
    QVERIFY2(!digest.text.contains(u"Not yet"_s), qPrintable(digest.text));
    QVERIFY(digest.html.contains(u"<li><a href=\""_s));
    // The next digest is tomorrow's, at 07:00.
    const QList<QVariantList> rows = server.querySql(
            u"SELECT run_at FROM jobs WHERE kind = 'digest' AND status = 'queued'"_s);
    QCOMPARE(rows.size(), 1);
    const QVariant runAt = rows.first().first();
    const QDateTime next = runAt.typeId() == QMetaType::QDateTime
            ? runAt.toDateTime().toUTC()
            : fromApiTimestamp(runAt.toString());
    QCOMPARE(next.time(), QTime(7, 0));
    QVERIFY(next > QDateTime::currentDateTimeUtc());
    QVERIFY(next < QDateTime::currentDateTimeUtc().addDays(1));

    // Another share waits; turning the digest off sends it on its own.
    const qint64 second = createTaskId(bob.api(), u"Bob's second errand"_s);
    QVERIFY(share(bob.api(), second, ada.id()));
    QTest::qWait(1500);
    QCOMPARE(subjectsTo(server, ada.user.email).size(), 1);
    QCOMPARE(finished(ada.api().sendJson(
                              "PATCH", SettingsPath,
                              { { u"digest"_s, QJsonObject{ { u"enabled"_s, false } } } }))
                     ->status(),
             200);
    QTRY_VERIFY_WITH_TIMEOUT(
            subjectsTo(server, ada.user.email).contains(u"Shared with you: Bob's second errand"_s),
            10'000);
    QVERIFY(server.querySql(u"SELECT id FROM jobs WHERE kind = 'digest' AND status = 'queued'"_s)
                    .isEmpty());
}

QTEST_GUILESS_MAIN(TestDueAlerts)
#include "tst_duealerts.moc"
