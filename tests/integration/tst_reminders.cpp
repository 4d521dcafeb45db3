// Reminders through the real tasklaned, delivered by email: to the outbox folder by default and
// to a real SMTP server (aiosmtpd) when one is configured. A reminder goes out once per user
// who can see the task, also when it fell due while the server was stopped (then marked late,
// at start); a rescheduled or removed reminder never fires; a permanent refusal is recorded on
// the delivery and its job is dead, not retried for ever.
#include "accountfixtures.h"
#include "job.h"
#include "smtptestserver.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestReminders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aReminderGoesToTheOutbox();
    void aReminderFiredAgainAfterAnEditIsNotSentTwice();
    void aReminderComesInTheRecipientsLanguage();
    void aReminderDueWhileStoppedGoesOutOnceAtStart();
    void aRescheduledReminderDoesNotFireItsOldTime();
    void tasksMadeTogetherEachGetTheirReminders();
    void everyoneWhoSeesTheTaskGetsOneEmailOverSmtp();
    void aPermanentRefusalIsRecordedAndNotRetried();
    void aJobKilledMidwayCompletesOnceAfterARestart();
    void twoServersOnOneDatabaseSendEachReminderOnce();
};

namespace {

QString inSeconds(int seconds)
{
    return apiTimeIn(seconds);
}

QList<Job> jobsOf(TestServer &server, const QStringList &arguments)
{
    QByteArray out;
    server.runCommand(QStringList{ u"jobs"_s, u"list"_s } + arguments, {}, &out);
    QList<Job> jobs;
    for (const QByteArray &line : out.split('\n')) {
        if (const auto job = Job::fromJson(QJsonDocument::fromJson(line).object()))
            jobs.append(*job);
    }
    return jobs;
}

qint64 taskWithReminder(ApiClient &client, const QString &title, const QString &at)
{
    return createTaskId(client, title,
                        { { u"due_at"_s, inSeconds(2 * 3600) }, // no due-soon alert meanwhile
                          { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, at } } } } });
}

} // namespace

void TestReminders::aReminderGoesToTheOutbox()
{
    TestServer::Options options;
    options.arguments = { u"--public-url"_s, u"https://tasks.example/"_s };
    TestServer server(options);
    QVERIFY(server.start());
    QTRY_VERIFY(server.logs().contains("email goes to outbox folder"));
    Account ada = signUpVerified(server, u"ada"_s);
    // Titles hold no control characters (the API refuses them); MailMessage strips them from
    // headers anyway (tst_mailmessage).
    const qint64 id = taskWithReminder(ada.api(), u"Pay the <rent> & „bills“"_s, inSeconds(2));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(notices(outboxOf(server)).size(), 1, 15'000);
    const ReceivedMail mail = notices(outboxOf(server)).first();
    QCOMPARE(mail.header("Subject"), u"Reminder: Pay the <rent> & „bills“"_s);
    QCOMPARE(mail.header("To"), u"\"Test User\" <"_s + ada.user.email + u'>');
    QCOMPARE(mail.header("From"), u"\"Tasklane\" <tasklane@localhost>"_s);
    QVERIFY(mail.header("Message-ID").endsWith(u"@localhost>"_s));
    QVERIFY(mail.text.contains(u"https://tasks.example/api/v1/tasks/%1"_s.arg(id)));
    QVERIFY(mail.text.contains(u"Pay the <rent> & „bills“"_s));
    QVERIFY(mail.html.contains(u"Pay the &lt;rent&gt; &amp; „bills“"_s)); // escaped in HTML
    QVERIFY(!mail.html.contains(u"<rent>"_s));
    QCOMPARE(mail.headerCount("X-Tasklane-Late"), 0);
    // The outbox is local: the reminder's job wrote the message itself (no email job), named
    // after its own uid and the recipient, and recorded it sent, with its attempt.
    const QList<Job> reminders = jobsOf(server, { u"--kind"_s, u"reminder"_s });
    QCOMPARE(reminders.size(), 1);
    QCOMPARE(mail.header("Message-ID"),
             u"<%1-%2@localhost>"_s.arg(reminders.first().uid).arg(ada.id()));
    QVERIFY(jobsOf(server, { u"--kind"_s, u"email"_s }).isEmpty());
    const QList<QVariantList> sent = server.querySql(
            u"SELECT d.status, d.recipient, a.job_id, a.outcome FROM deliveries d JOIN "
            "delivery_attempts a ON a.delivery_id = d.id WHERE d.channel = 'email'"_s);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(0).toString(), u"sent"_s);
    QCOMPARE(sent.first().at(1).toString(), ada.user.email);
    QCOMPARE(sent.first().at(2).toLongLong(), reminders.first().id);
    QCOMPARE(sent.first().at(3).toString(), u"sent"_s);
    // Nothing more comes: the reminder was delivered once.
    QTest::qWait(1500);
    QCOMPARE(notices(outboxOf(server)).size(), 1);
}

void TestReminders::aReminderFiredAgainAfterAnEditIsNotSentTwice()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    const qint64 id = taskWithReminder(ada.api(), u"Call the plumber"_s, inSeconds(1));
    QTRY_COMPARE_WITH_TIMEOUT(notices(outboxOf(server)).size(), 1, 15'000);
    // An edit within the minute after it fired queues the reminder again (a write cannot tell
    // whether its job ran yet); that job finds it told already, and writes no second email.
    QCOMPARE(patchTask(ada.api(), id, { { u"title"_s, u"Call the plumber today"_s } })->status(),
             200);
    QTRY_COMPARE_WITH_TIMEOUT(
            jobsOf(server, { u"--kind"_s, u"reminder"_s, u"--status"_s, u"done"_s }).size(), 2,
            10'000);
    QTest::qWait(500);
    QCOMPARE(notices(outboxOf(server)).size(), 1);
    QCOMPARE(server.querySql(u"SELECT count(*) FROM notifications"_s).first().first().toInt(), 1);
}

void TestReminders::aReminderComesInTheRecipientsLanguage()
{
    TestServer server;
    QVERIFY(server.start());
    Account jurgen = signUpVerified(server, u"juergen"_s);
    // Only languages the server writes in.
    ApiReply *french = finished(jurgen.api().updateMe({ { u"language"_s, u"fr"_s } }));
    QCOMPARE(french->status(), 422);
    QCOMPARE(french->json().value(u"errors"_s).toArray().at(0).toObject().value(u"field"_s),
             u"language"_s);
    ApiReply *german = finished(jurgen.api().updateMe({ { u"language"_s, u"de"_s } }));
    QCOMPARE(german->status(), 200);
    QCOMPARE(german->json().value(u"language"_s).toString(), u"de"_s);
    QCOMPARE(finished(jurgen.api().me())->json().value(u"language"_s).toString(), u"de"_s);
    QVERIFY(createTaskId(
                    jurgen.api(), u"Steuererklärung abgeben"_s,
                    { { u"due_date"_s, u"2030-05-31"_s },
                      { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, inSeconds(1) } } } } })
            > 0);
    QTRY_COMPARE_WITH_TIMEOUT(notices(outboxOf(server)).size(), 1, 15'000);
    const ReceivedMail mail = notices(outboxOf(server)).first();
    QCOMPARE(mail.header("Subject"), u"Erinnerung: Steuererklärung abgeben"_s);
    QCOMPARE(mail.header("Content-Language"), u"de"_s);
    QVERIFY2(mail.text.contains(u"Hallo Test User,"_s), qPrintable(mail.text));
    QVERIFY(mail.text.contains(u"Fällig: 2030-05-31"_s));
    QVERIFY(mail.html.contains(u"In Tasklane öffnen"_s));
    QVERIFY(mail.html.contains(u"<html lang=\"de\">"_s));
}

void TestReminders::aReminderDueWhileStoppedGoesOutOnceAtStart()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    QVERIFY(taskWithReminder(ada.api(), u"Water the plants"_s, inSeconds(3)) > 0);
    QCOMPARE(server.stop(), 0);
    QTest::qWait(4000); // due while no server ran
    QVERIFY(notices(outboxOf(server)).isEmpty());
    QVERIFY(server.start());
    QTRY_COMPARE_WITH_TIMEOUT(notices(outboxOf(server)).size(), 1, 15'000);
    const ReceivedMail mail = notices(outboxOf(server)).first();
    QCOMPARE(mail.header("Subject"), u"Reminder (late): Water the plants"_s);
    QCOMPARE(mail.header("X-Tasklane-Late"), u"yes"_s);
    // Another restart sends nothing again.
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.start());
    QTest::qWait(2000);
    QCOMPARE(notices(outboxOf(server)).size(), 1);
}

void TestReminders::aRescheduledReminderDoesNotFireItsOldTime()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    const qint64 moved = taskWithReminder(ada.api(), u"Moved"_s, inSeconds(3));
    const qint64 removed = taskWithReminder(ada.api(), u"Removed"_s, inSeconds(3));
    const qint64 done = taskWithReminder(ada.api(), u"Done"_s, inSeconds(3));
    QCOMPARE(patchTask(
                     ada.api(), moved,
                     { { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, inSeconds(6) } } } } })
                     ->status(),
             200);
    QCOMPARE(patchTask(ada.api(), removed, { { u"reminders"_s, QJsonArray() } })->status(), 200);
    QCOMPARE(patchTask(ada.api(), done, { { u"status"_s, u"done"_s } })->status(), 200);
    QTest::qWait(4500);
    QCOMPARE(notices(outboxOf(server)).size(), 0); // none at the old time
    QTRY_COMPARE_WITH_TIMEOUT(notices(outboxOf(server)).size(), 1, 10'000);
    QCOMPARE(notices(outboxOf(server)).first().header("Subject"), u"Reminder: Moved"_s);
    QTest::qWait(1000);
    QCOMPARE(notices(outboxOf(server)).size(), 1);
}

void TestReminders::tasksMadeTogetherEachGetTheirReminders()
{
    // Made at once, they share commits (on PostgreSQL in one batched insert, their reminder
    // jobs queued once the batch gave them their ids).
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpVerified(server, u"ada"_s);
    QList<ApiReply *> replies;
    for (int i = 0; i < 24; ++i)
        replies.append(ada.api().sendJson(
                "POST", u"/api/v1/tasks"_s,
                { { u"title"_s, u"Together %1"_s.arg(i) },
                  { u"due_at"_s, inSeconds(2 * 3600) },
                  { u"reminders"_s,
                    QJsonArray{ QJsonObject{ { u"before_minutes"_s, 30 } },
                                QJsonObject{ { u"before_minutes"_s, 10 } } } } }));
    QSet<qint64> made;
    for (ApiReply *reply : std::as_const(replies)) {
        QCOMPARE(finished(reply)->status(), 201);
        made.insert(reply->json().value(u"id"_s).toInteger());
    }
    QCOMPARE(made.size(), 24);
    const QList<Job> jobs = jobsOf(server, { u"--kind"_s, u"reminder"_s, u"--limit"_s, u"100"_s });
    QCOMPARE(jobs.size(), 48);
    QHash<qint64, int> perTask;
    for (const Job &job : jobs) {
        const qint64 task = job.payload.value(u"task_id"_s).toInteger();
        QVERIFY2(made.contains(task), qPrintable(job.key));
        QVERIFY(job.key.startsWith(u"reminder:%1:"_s.arg(task)));
        ++perTask[task];
    }
    QCOMPARE(perTask.size(), 24);
    for (int count : std::as_const(perTask))
        QCOMPARE(count, 2);
}

void TestReminders::everyoneWhoSeesTheTaskGetsOneEmailOverSmtp()
{
    SmtpTestServer smtp;
    QVERIFY(smtp.start());
    TestServer::Options options;
    options.arguments = { u"--smtp-url"_s, smtp.url(),       u"--smtp-tls"_s,
                          u"none"_s,       u"--mail-from"_s, u"tasks@tasklane.example"_s };
    TestServer server(options);
    QVERIFY(server.start());
    QTRY_VERIFY(server.logs().contains("email goes to smtp://127.0.0.1"));
    Account ada = signUpVerified(server.url(), receivedBy(smtp), u"ada"_s);
    Account bob = signUpVerified(server.url(), receivedBy(smtp), u"bob"_s);
    const qint64 id = taskWithReminder(ada.api(), u"Plan the trip"_s, inSeconds(2));
    QCOMPARE(finished(ada.api().sendJson(
                              "POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                              { { u"user_id"_s, bob.id() }, { u"permission"_s, u"view"_s } }))
                     ->status(),
             200);
    // Bob hears of the share too (email is on for every event by default), then both get
    // the reminder.
    QTRY_COMPARE_WITH_TIMEOUT(notices(receivedBy(smtp)).size(), 3, 15'000);
    QStringList recipients;
    QSet<QString> messageIds;
    for (const ReceivedMail &mail : notices(receivedBy(smtp))) {
        messageIds.insert(mail.header("Message-ID"));
        QCOMPARE(mail.header("X-MailFrom"), u"tasks@tasklane.example"_s);
        if (mail.header("Subject") == u"Shared with you: Plan the trip") {
            QCOMPARE(mail.header("X-RcptTo"), bob.user.email);
            QVERIFY2(mail.text.contains(u"shared this task with you:"_s), qPrintable(mail.text));
            continue;
        }
        recipients.append(mail.header("X-RcptTo"));
        QCOMPARE(mail.header("Subject"), u"Reminder: Plan the trip"_s);
    }
    recipients.sort();
    QStringList expected{ ada.user.email, bob.user.email };
    expected.sort();
    QCOMPARE(recipients, expected);
    QCOMPARE(messageIds.size(), 3);
    QTest::qWait(1500);
    QCOMPARE(notices(receivedBy(smtp)).size(), 3);
}

void TestReminders::aPermanentRefusalIsRecordedAndNotRetried()
{
    SmtpTestServer smtp;
    QVERIFY(smtp.start());
    TestServer::Options options;
    options.arguments = {
        u"--smtp-url"_s, smtp.url(), u"--smtp-tls"_s, u"none"_s, u"--job-retry-base-seconds"_s,
        u"1"_s
    };
    TestServer server(options);
    QVERIFY(server.start());
    // The mail server answers 550 for this address, so no link can verify it: the operator
    // vouches for it instead (as `tasklaned user create` does).
    Account refused = signUpAccount(server.url(), u"perm-fail"_s);
    QVERIFY(server.executeSql(
            u"UPDATE users SET email_verified_at = created_at WHERE id = %1"_s.arg(refused.id())));
    QVERIFY(taskWithReminder(refused.api(), u"Never arrives"_s, inSeconds(1)) > 0);
    QList<Job> dead;
    QTRY_VERIFY_WITH_TIMEOUT(
            !(dead = jobsOf(server, { u"--status"_s, u"dead"_s, u"--kind"_s, u"email"_s }))
                     .isEmpty(),
            15'000);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().attempts, 1);
    QVERIFY2(dead.first().lastError.contains(u"550"_s), qPrintable(dead.first().lastError));
    const QList<QVariantList> rows = server.querySql(
            u"SELECT status, error, recipient FROM deliveries WHERE channel = 'email' AND "
            "user_id = %1"_s.arg(refused.id()));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().at(0).toString(), u"failed"_s);
    QVERIFY(rows.first().at(1).toString().contains(u"550"_s));
    QCOMPARE(rows.first().at(2).toString(), refused.user.email);
    // The delivery log has the one attempt, and why it failed.
    const QList<QVariantList> attempts = server.querySql(
            u"SELECT outcome, error FROM delivery_attempts WHERE channel = 'email'"_s);
    QCOMPARE(attempts.size(), 1);
    QCOMPARE(attempts.first().at(0).toString(), u"permanent_failure"_s);
    QVERIFY(attempts.first().at(1).toString().contains(u"550"_s));
    // With retries a second apart, a retried job would have run again by now.
    QTest::qWait(3000);
    QCOMPARE(jobsOf(server, { u"--status"_s, u"dead"_s, u"--kind"_s, u"email"_s }).first().attempts,
             1);
    QCOMPARE(notices(receivedBy(smtp)).size(), 0);
}

void TestReminders::aJobKilledMidwayCompletesOnceAfterARestart()
{
    SmtpTestServer::Options slow;
    // The mail server takes its time to accept the message: a window of 6 s in which the job
    // is surely sending, wide enough for a slow (sanitizer) build to look at it.
    slow.dataDelaySeconds = 6;
    SmtpTestServer smtp(slow);
    QVERIFY(smtp.start());
    TestServer::Options options;
    options.arguments = { u"--smtp-url"_s,          smtp.url(), u"--smtp-tls"_s, u"none"_s,
                          u"--job-lease-seconds"_s, u"2"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account ada = signUpVerified(server.url(), receivedBy(smtp), u"ada"_s);
    QVERIFY(taskWithReminder(ada.api(), u"Survives a crash"_s, inSeconds(1)) > 0);
    // The email job is sending (the server holds its answer for 6 s): kill -9. Looked at once
    // per `jobs list` (a process of its own, about a second under a sanitizer): QTRY_VERIFY
    // would run it twice more after the look that saw the job, and could miss the window.
    bool sending = false;
    QElapsedTimer looking;
    looking.start();
    while (!sending && looking.elapsed() < 8000) {
        sending = !jobsOf(server, { u"--kind"_s, u"email"_s, u"--status"_s, u"running"_s })
                           .isEmpty();
        if (!sending)
            QTest::qWait(100);
    }
    QVERIFY(sending);
    server.process().kill();
    QVERIFY(server.process().waitForFinished(10'000));
    QVERIFY(server.start());
    // Taken again once the dead process's lease ran out, and done once.
    QList<Job> done;
    QTRY_VERIFY_WITH_TIMEOUT(
            !(done = jobsOf(server, { u"--kind"_s, u"email"_s, u"--status"_s, u"done"_s }))
                     .isEmpty(),
            30'000);
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.first().attempts, 2);
    QCOMPARE(jobsOf(server, { u"--kind"_s, u"email"_s }).size(), 1);
    // At least once: the first attempt's message may have arrived too, with the same
    // Message-ID, so that the duplicate is recognisable.
    QTRY_VERIFY_WITH_TIMEOUT(!notices(receivedBy(smtp)).isEmpty(), 10'000);
    QTest::qWait(7000); // the first attempt's message, if the server still stores it
    const QList<ReceivedMail> received = notices(receivedBy(smtp));
    QVERIFY(received.size() >= 1 && received.size() <= 2);
    for (const ReceivedMail &mail : received) {
        QCOMPARE(mail.header("Message-ID"), received.first().header("Message-ID"));
        QVERIFY(mail.header("Message-ID").startsWith(u'<' + done.first().uid + u'@'));
    }
    const QList<QVariantList> rows
            = server.querySql(u"SELECT status FROM deliveries WHERE channel = 'email' AND "
                              "user_id = %1"_s.arg(ada.id()));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().first().toString(), u"sent"_s);
}

void TestReminders::twoServersOnOneDatabaseSendEachReminderOnce()
{
    if (!TestServer::usingPostgres())
        QSKIP("several processes share a PostgreSQL database (SQLite has one process)");
    SmtpTestServer smtp;
    QVERIFY(smtp.start());
    const QStringList mail{ u"--smtp-url"_s,          smtp.url(), u"--smtp-tls"_s, u"none"_s,
                            u"--job-lease-seconds"_s, u"2"_s };
    TestServer::Options firstOptions;
    firstOptions.arguments = mail;
    TestServer first(firstOptions);
    QVERIFY(first.start());
    TestServer::Options secondOptions;
    secondOptions.useDatabase = false; // the first one's
    secondOptions.arguments = mail + QStringList{ u"--db"_s, first.databaseUrl() };
    secondOptions.environment.insert(u"TASKLANE_DB_PASSWORD"_s,
                                     qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
    TestServer second(secondOptions);
    QVERIFY(second.start());
    Account ada = signUpVerified(first.url(), receivedBy(smtp), u"ada"_s);
    constexpr int Reminders = 12;
    for (int i = 0; i < Reminders; ++i)
        QVERIFY(taskWithReminder(ada.api(), u"Shared queue %1"_s.arg(i), inSeconds(2)) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(notices(receivedBy(smtp)).size(), Reminders, 30'000);
    QTest::qWait(3000);
    QCOMPARE(notices(receivedBy(smtp)).size(), Reminders);
    QSet<QString> subjects;
    for (const ReceivedMail &received : notices(receivedBy(smtp)))
        subjects.insert(received.header("Subject"));
    QCOMPARE(subjects.size(), Reminders);
}

QTEST_GUILESS_MAIN(TestReminders)
#include "tst_reminders.moc"
