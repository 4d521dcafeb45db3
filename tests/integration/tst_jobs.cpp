// The job queue through the real tasklaned: the periodic cleanup runs as a job at start and
// again at its interval (one pending at a time), logging what it removed; a job nobody can run
// ends dead, and the operators' commands list it and queue it again.
#include "job.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestJobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupRunsAsARecurringJob();
    void cleanupPurgesOldTrashAndOrphanedFiles();
    void idempotencyKeysLiveAsLongAsConfigured();
    void operatorsListAndRetryDeadJobs();
    void jobCommandsRefuseBadArguments_data();
    void jobCommandsRefuseBadArguments();
};

namespace {

// `tasklaned jobs list ARGS` as jobs; empty (with a warning) when the command fails.
QList<Job> listJobs(TestServer &server, const QStringList &arguments = {})
{
    QByteArray out, errors;
    if (server.runCommand(QStringList{ u"jobs"_s, u"list"_s } + arguments, {}, &out, &errors)
        != 0) {
        qWarning("jobs list failed: %s", errors.constData());
        return {};
    }
    QList<Job> jobs;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        const auto job = Job::fromJson(QJsonDocument::fromJson(line).object());
        if (!job)
            qWarning("not a job: %s", line.constData());
        else
            jobs.append(*job);
    }
    return jobs;
}

int count(const QList<Job> &jobs, JobStatus status)
{
    return int(std::count_if(jobs.cbegin(), jobs.cend(),
                             [status](const Job &job) { return job.status == status; }));
}

} // namespace

void TestJobs::cleanupRunsAsARecurringJob()
{
    TestServer::Options options;
    options.arguments = QStringList{ u"--cleanup-interval-seconds"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    QTRY_VERIFY_WITH_TIMEOUT(server.logs().count("cleanup: deleted") >= 3, 10'000);
    QVERIFY(server.logs().contains("expired tokens"));
    QVERIFY(server.logs().contains("finished jobs"));
    const QList<Job> jobs = listJobs(server, { u"--kind"_s, u"cleanup"_s });
    QVERIFY(count(jobs, JobStatus::Done) >= 3);
    // Never two pending at once: the next one is queued by the run before it.
    QVERIFY(count(jobs, JobStatus::Queued) + count(jobs, JobStatus::Running) <= 1);
    for (const Job &job : jobs) {
        QCOMPARE(job.kind, u"cleanup"_s);
        QCOMPARE(job.key, u"cleanup"_s);
        QVERIFY(!job.uid.isEmpty());
    }

    // A restart does not add a second pending cleanup.
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.start());
    QTRY_VERIFY_WITH_TIMEOUT(server.logs().count("cleanup: deleted") >= 5, 10'000);
    const QList<Job> after = listJobs(server, { u"--kind"_s, u"cleanup"_s });
    QVERIFY(count(after, JobStatus::Queued) + count(after, JobStatus::Running) <= 1);
}

void TestJobs::cleanupPurgesOldTrashAndOrphanedFiles()
{
    TestServer::Options options;
    options.arguments = QStringList{ u"--cleanup-interval-seconds"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account ada = signUpAccount(server.url(), u"ada"_s);
    const qint64 old = createTaskId(ada.api(), u"Trashed long ago"_s);
    const qint64 recent = createTaskId(ada.api(), u"Trashed today"_s);
    // A file attached to the old task: it goes with it.
    const QByteArray boundary = "b0undary";
    ApiReply *upload = finished(ada.api().send(
            "POST", u"/api/v1/tasks/%1/attachments"_s.arg(old),
            "--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                      "Content-Type: text/plain\r\n\r\nhello\r\n--"
                    + boundary + "--\r\n",
            { { "Content-Type", "multipart/form-data; boundary=" + boundary } }));
    QCOMPARE(upload->status(), 201);
    const QString attachmentsDir = server.dataDir() + u"/attachments"_s;
    QCOMPARE(QDir(attachmentsDir).entryList(QDir::Files).size(), 1);
    for (qint64 id : { old, recent })
        QCOMPARE(finished(ada.api().trashTask(id))->status(), 200);
    // Forty days in the trash (as the database has it), beyond the 30 kept.
    QVERIFY(server.executeSql(
            u"UPDATE tasks SET trashed_at = '%1' WHERE id = %2"_s
                    .arg(toApiTimestamp(QDateTime::currentDateTimeUtc().addDays(-40)))
                    .arg(old)));
    // A file no attachment names, two hours old (an upload that failed before its row
    // committed); and one as young as an upload under way.
    const QString orphan = attachmentsDir + u"/0123456789abcdef0123456789abcdef"_s;
    const QString young = attachmentsDir + u"/fedcba9876543210fedcba9876543210"_s;
    for (const QString &path : { orphan, young }) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("left over");
    }
    {
        QFile file(orphan);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(-7200),
                                 QFileDevice::FileModificationTime));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(orphan), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(finished(ada.api().task(old))->status(), 404, 10'000);
    QCOMPARE(finished(ada.api().task(recent))->status(), 200); // still in the trash
    QVERIFY(QFile::exists(young));
    // The purged task's own file went with it: only the young stray is left.
    QTRY_COMPARE_WITH_TIMEOUT(QDir(attachmentsDir).entryList(QDir::Files),
                              QStringList{ u"fedcba9876543210fedcba9876543210"_s }, 5000);
    QVERIFY(server.logs().contains("tasks from the trash"));
}

void TestJobs::idempotencyKeysLiveAsLongAsConfigured()
{
    TestServer::Options options;
    options.arguments = QStringList{ u"--cleanup-interval-seconds"_s, u"1"_s,
                                     u"--idempotency-key-hours"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account ada = signUpAccount(server.url(), u"ada"_s);
    const auto keyAged = [&](const QString &key, int minutes) {
        return server.executeSql(
                u"INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, status, "
                "headers, body, created_at) VALUES (%1, '%2', 'h', 201, '{}', '{}', '%3')"_s
                        .arg(ada.id())
                        .arg(key,
                             toApiTimestamp(
                                     QDateTime::currentDateTimeUtc().addSecs(-60 * minutes))));
    };
    QVERIFY(keyAged(u"two-hours-old"_s, 120));
    QVERIFY(keyAged(u"half-an-hour-old"_s, 30));
    const auto keys = [&] {
        QStringList found;
        for (const QVariantList &row :
             server.querySql(u"SELECT idempotency_key FROM idempotency_keys"_s))
            found.append(row.first().toString());
        return found;
    };
    QTRY_COMPARE_WITH_TIMEOUT(keys(), QStringList{ u"half-an-hour-old"_s }, 10'000);
}

void TestJobs::operatorsListAndRetryDeadJobs()
{
    TestServer::Options options;
    options.arguments = QStringList{ u"--job-lease-seconds"_s, u"2"_s };
    TestServer server(options);
    QVERIFY(server.start());
    // A job of a kind this server cannot run, queued as another process (an older or newer
    // version) might: the runner finds it within a lease and gives it up.
    const QString past = u"2020-01-01T00:00:00.000Z"_s;
    QVERIFY(server.executeSql(u"INSERT INTO jobs (uid, kind, payload, status, run_at, attempts, "
                              "created_at, updated_at) VALUES ('test-uid-1', 'unheard-of', "
                              "'{\"x\":1}', 'queued', '%1', 0, '%1', '%1')"_s.arg(past)));
    Job dead;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<Job> found = listJobs(server, { u"--status"_s, u"dead"_s });
                if (found.isEmpty())
                    return false;
                dead = found.first();
                return true;
            }(),
            10'000);
    QCOMPARE(dead.kind, u"unheard-of"_s);
    QCOMPARE(dead.uid, u"test-uid-1"_s);
    QCOMPARE(dead.attempts, 1);
    QVERIFY(dead.lastError.contains(u"no handler"_s));
    QCOMPARE(dead.payload.value(u"x"_s).toInt(), 1);
    QVERIFY(dead.finishedAt.isValid());

    QByteArray out, errors;
    QCOMPARE(server.runCommand({ u"jobs"_s, u"retry"_s, QString::number(dead.id) }, {}, &out,
                               &errors),
             0);
    const auto retried = Job::fromJson(QJsonDocument::fromJson(out.trimmed()).object());
    QVERIFY2(retried, out.constData());
    QCOMPARE(retried->id, dead.id);
    QCOMPARE(retried->status, JobStatus::Queued);
    QCOMPARE(retried->attempts, 0);
    QCOMPARE(retried->uid, dead.uid); // the same job: its effects keep their id
    // The running server takes it again within a lease: dead again, after one more attempt.
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<Job> found = listJobs(server, { u"--status"_s, u"dead"_s });
                return found.size() == 1 && found.first().id == dead.id
                        && found.first().attempts == 1
                        && found.first().finishedAt > retried->updatedAt;
            }(),
            10'000);

    // Only dead jobs; unknown ids say so.
    const QList<Job> done = listJobs(server, { u"--status"_s, u"done"_s, u"--limit"_s, u"1"_s });
    QCOMPARE(done.size(), 1);
    QCOMPARE(server.runCommand({ u"jobs"_s, u"retry"_s, QString::number(done.first().id) }, {},
                               &out, &errors),
             1);
    QVERIFY2(errors.contains("only dead jobs"), errors.constData());
    QCOMPARE(server.runCommand({ u"jobs"_s, u"retry"_s, u"999999"_s }, {}, &out, &errors), 1);
    QVERIFY2(errors.contains("no job 999999"), errors.constData());
}

void TestJobs::jobCommandsRefuseBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("an unknown status")
            << QStringList{ u"jobs"_s, u"list"_s, u"--status"_s, u"sleeping"_s };
    QTest::newRow("a limit of 0") << QStringList{ u"jobs"_s, u"list"_s, u"--limit"_s, u"0"_s };
    QTest::newRow("a limit that is no number")
            << QStringList{ u"jobs"_s, u"list"_s, u"--limit"_s, u"many"_s };
    QTest::newRow("retry without an id") << QStringList{ u"jobs"_s, u"retry"_s };
    QTest::newRow("retry of no number") << QStringList{ u"jobs"_s, u"retry"_s, u"x1"_s };
    QTest::newRow("an unknown verb") << QStringList{ u"jobs"_s, u"purge"_s };
}

void TestJobs::jobCommandsRefuseBadArguments()
{
    QFETCH(QStringList, arguments);
    TestServer server;
    QByteArray out, errors;
    QCOMPARE(server.runCommand(arguments, {}, &out, &errors), 2);
    QVERIFY(out.isEmpty());
    QVERIFY(!errors.isEmpty());
}

QTEST_GUILESS_MAIN(TestJobs)
#include "tst_jobs.moc"
