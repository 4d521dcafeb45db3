// JobRunner on both dialects, with real threads and a real database: jobs run on its worker
// threads (never the caller's), at once when queued (woken by the commit, not by its hourly
// look), retried after a failure with backoff, dead after a permanent failure or too many,
// taken over when another worker's lease ran out, and given back unrun when it stops.
#include "database.h"
#include "jobqueue.h"
#include "jobrepository.h"
#include "jobrunner.h"
#include "migrator.h"
#include "scratchdatabase.h"

#include <QAtomicInt>
#include <QElapsedTimer>
#include <QMutex>
#include <QSet>
#include <QSqlRecord>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestJobRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jobsRunWhenQueuedAndTheirOutcomesAreKept_data();
    void jobsRunWhenQueuedAndTheirOutcomesAreKept();
    void aJobWhoseWorkerDiedIsTakenOver_data();
    void aJobWhoseWorkerDiedIsTakenOver();
    void aBatchHandlerRunsItsKindTogetherWithAnOutcomeEach_data();
    void aBatchHandlerRunsItsKindTogetherWithAnOutcomeEach();
    void stoppingGivesBackJobsNotStarted_data();
    void stoppingGivesBackJobsNotStarted();

private:
    void addDialects();
};

namespace {

// A scratch database whose commits wake `runner` (as ServerApp wires it).
struct Fixture
{
    explicit Fixture(SqlDialect dialect, JobRunner::Config config) : scratch(dialect)
    {
        scratch.database->addCommitObserver([this](Database::Change change, qint64 id) {
            if (change == Database::Change::Job && runner)
                runner->wake(QDateTime::fromMSecsSinceEpoch(id, QTimeZone::utc()));
        });
        Migrator(*scratch.database).migrate();
        config.owner = JobRunner::makeOwnerName();
        runner = std::make_unique<JobRunner>(*scratch.database, config);
        queue = std::make_unique<JobQueue>(*scratch.database, config.policy);
    }
    ~Fixture() { runner.reset(); }

    Job job(qint64 id) const { return JobRepository(*scratch.database).find(id).value_or(Job()); }

    ScratchDatabase scratch;
    std::unique_ptr<JobRunner> runner;
    std::unique_ptr<JobQueue> queue;
};

JobRunner::Config quickConfig()
{
    JobRunner::Config config;
    config.threads = 2;
    config.policy.leaseSeconds = 2;
    config.policy.maxAttempts = 3;
    config.policy.retryBaseSeconds = 1;
    config.recheckSeconds = 3600; // so that only a wake-up runs a job soon
    return config;
}

} // namespace

void TestJobRunner::addDialects()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestJobRunner::jobsRunWhenQueuedAndTheirOutcomesAreKept_data()
{
    addDialects();
}

void TestJobRunner::jobsRunWhenQueuedAndTheirOutcomesAreKept()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    Fixture fixture(dialect, quickConfig());
    QMutex mutex;
    QSet<Qt::HANDLE> threads;
    QAtomicInt flakyRuns = 0;
    QAtomicInt hopelessRuns = 0;
    fixture.runner->addHandler(u"ok"_s, [&](const Job &) -> std::optional<JobFollowUp> {
        const QMutexLocker lock(&mutex);
        threads.insert(QThread::currentThreadId());
        return std::nullopt;
    });
    fixture.runner->addHandler(u"flaky"_s, [&](const Job &job) -> std::optional<JobFollowUp> {
        flakyRuns.ref();
        if (job.attempts == 1)
            throw std::runtime_error("421 try again later");
        return std::nullopt;
    });
    fixture.runner->addHandler(u"broken"_s, [](const Job &) -> std::optional<JobFollowUp> {
        throw JobFailure(u"550 mailbox unavailable"_s, true);
    });
    fixture.runner->addHandler(u"hopeless"_s, [&](const Job &) -> std::optional<JobFollowUp> {
        hopelessRuns.ref();
        throw std::runtime_error("connection refused");
    });
    fixture.runner->addHandler(u"recurring"_s, [](const Job &job) -> std::optional<JobFollowUp> {
        return JobFollowUp{
            u"ok"_s, { { u"after"_s, job.id } }, QDateTime::currentDateTimeUtc(), u"recurring"_s
        };
    });
    fixture.runner->start();
    QTest::qWait(200); // the runner has looked, found nothing, and sleeps for an hour

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QElapsedTimer sinceQueued;
    sinceQueued.start();
    const qint64 ok = fixture.queue->enqueue(u"ok"_s, {}, now).value_or(0);
    const qint64 flaky = fixture.queue->enqueue(u"flaky"_s, {}, now).value_or(0);
    const qint64 broken = fixture.queue->enqueue(u"broken"_s, {}, now).value_or(0);
    const qint64 hopeless = fixture.queue->enqueue(u"hopeless"_s, {}, now).value_or(0);
    const qint64 recurring = fixture.queue->enqueue(u"recurring"_s, {}, now).value_or(0);
    const qint64 unknown = fixture.queue->enqueue(u"unheard-of"_s, {}, now).value_or(0);
    const qint64 later = fixture.queue->enqueue(u"ok"_s, {}, now.addSecs(3600)).value_or(0);

    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(ok).status, JobStatus::Done, 5000);
    QVERIFY2(sinceQueued.elapsed() < 3000, "a queued job waited for the runner's next look");
    QVERIFY(!threads.contains(QThread::currentThreadId()));
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(broken).status, JobStatus::Dead, 5000);
    QCOMPARE(fixture.job(broken).attempts, 1); // permanent: not tried again
    QCOMPARE(fixture.job(broken).lastError, u"550 mailbox unavailable"_s);
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(unknown).status, JobStatus::Dead, 5000);
    QVERIFY(fixture.job(unknown).lastError.contains(u"unheard-of"_s));
    // Retried after 0.5-1 s, then done.
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(flaky).status, JobStatus::Done, 8000);
    QCOMPARE(fixture.job(flaky).attempts, 2);
    QCOMPARE(flakyRuns.loadRelaxed(), 2);
    QCOMPARE(fixture.job(flaky).lastError, u"421 try again later"_s);
    // Three attempts (0.5-1 s, then 1-2 s apart), then dead.
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(hopeless).status, JobStatus::Dead, 10'000);
    QCOMPARE(fixture.job(hopeless).attempts, 3);
    QCOMPARE(hopelessRuns.loadRelaxed(), 3);
    // The follow-up was queued with the done mark, and ran too.
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(recurring).status, JobStatus::Done, 5000);
    const QList<Job> followUps
            = JobRepository(*fixture.scratch.database).list(std::nullopt, u"ok"_s, 0, 10);
    QCOMPARE(followUps.size(), 3); // ok, later, and the follow-up
    // Found by what it carries, not by its place: the runner may run `recurring` (and queue its
    // follow-up) before this test has queued `later`.
    Job followUp;
    for (const Job &each : followUps) {
        if (each.id != ok && each.id != later)
            followUp = each;
    }
    QCOMPARE(followUp.payload.value(u"after"_s).toInteger(), recurring);
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(followUp.id).status, JobStatus::Done, 5000);
    QCOMPARE(fixture.job(later).status, JobStatus::Queued); // not before its time
}

void TestJobRunner::aJobWhoseWorkerDiedIsTakenOver_data()
{
    addDialects();
}

void TestJobRunner::aJobWhoseWorkerDiedIsTakenOver()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    Fixture fixture(dialect, quickConfig());
    QAtomicInt runs = 0;
    fixture.runner->addHandler(u"ok"_s, [&](const Job &) -> std::optional<JobFollowUp> {
        runs.ref();
        return std::nullopt;
    });
    // Another process took the job and died: its lease runs out in a second.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const JobRepository jobs(*fixture.scratch.database);
    const qint64 id = fixture.queue->enqueue(u"ok"_s, {}, now).value_or(0);
    QCOMPARE(jobs.claimDue(u"ghost"_s, now, now.addSecs(1), 1).size(), 1);
    fixture.runner->start();
    QTest::qWait(500);
    QCOMPARE(runs.loadRelaxed(), 0); // the ghost's lease still holds
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(id).status, JobStatus::Done, 5000);
    QCOMPARE(runs.loadRelaxed(), 1);
    QCOMPARE(fixture.job(id).attempts, 2);
    // The ghost comes back too late: its outcome changes nothing.
    QVERIFY(!jobs.markDone(id, u"ghost"_s, QDateTime::currentDateTimeUtc()));
}

void TestJobRunner::aBatchHandlerRunsItsKindTogetherWithAnOutcomeEach_data()
{
    addDialects();
}

void TestJobRunner::aBatchHandlerRunsItsKindTogetherWithAnOutcomeEach()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    JobRunner::Config config = quickConfig();
    config.threads = 1;
    config.policy.retryBaseSeconds = 600; // a retried job stays queued meanwhile
    Fixture fixture(dialect, config);
    const Database &database = *fixture.scratch.database;
    database.executeRaw(u"CREATE TABLE marks (n INTEGER NOT NULL)"_s);
    QMutex mutex;
    QList<qsizetype> calls; // the number of jobs of each call
    fixture.runner->addBatchHandler(u"together"_s, [&](const QList<Job> &jobs) {
        {
            const QMutexLocker lock(&mutex);
            calls.append(jobs.size());
        }
        QList<JobOutcome> outcomes;
        for (const Job &job : jobs) {
            const qint64 n = job.payload.value(u"n"_s).toInteger();
            JobOutcome outcome;
            if (n == 3) {
                outcome.failure = JobFailure(u"550 no such mailbox"_s, true);
            } else {
                // The job of 7 fails only when its writes are made: the batch's quick record
                // fails, and the careful one keeps the others' and retries it alone.
                outcome.result = JobResult::recording([&database, n] {
                    if (n == 7)
                        throw std::runtime_error("a constraint failed");
                    database.execute(u"INSERT INTO marks (n) VALUES (?)"_s, { n });
                });
            }
            outcomes.append(outcome);
        }
        return outcomes;
    });
    fixture.runner->start();
    QTest::qWait(200);
    QList<qint64> ids;
    {
        Transaction transaction(database); // all due together: one batch
        for (int n = 0; n < 10; ++n)
            ids.append(fixture.queue
                               ->enqueue(u"together"_s, { { u"n"_s, n } },
                                         QDateTime::currentDateTimeUtc())
                               .value_or(0));
        transaction.commit();
    }
    QTRY_COMPARE_WITH_TIMEOUT(fixture.job(ids.at(9)).status, JobStatus::Done, 5000);
    {
        const QMutexLocker lock(&mutex);
        QCOMPARE(calls, QList<qsizetype>{ 10 });
    }
    for (int n = 0; n < 10; ++n) {
        const Job job = fixture.job(ids.at(n));
        if (n == 3) {
            QCOMPARE(job.status, JobStatus::Dead);
            QCOMPARE(job.lastError, u"550 no such mailbox"_s);
        } else if (n == 7) {
            QCOMPARE(job.status, JobStatus::Queued);
            QVERIFY2(job.lastError.contains(u"a constraint failed"_s), qPrintable(job.lastError));
        } else {
            QCOMPARE(job.status, JobStatus::Done);
        }
    }
    QList<int> marks;
    for (const QSqlRecord &row : database.fetchAll(u"SELECT n FROM marks ORDER BY n"_s))
        marks.append(row.value(0).toInt());
    QCOMPARE(marks, (QList<int>{ 0, 1, 2, 4, 5, 6, 8, 9 })); // each once
}

void TestJobRunner::stoppingGivesBackJobsNotStarted_data()
{
    addDialects();
}

void TestJobRunner::stoppingGivesBackJobsNotStarted()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    JobRunner::Config config = quickConfig();
    config.threads = 1;
    Fixture fixture(dialect, config);
    QAtomicInt started = 0;
    fixture.runner->addHandler(u"slow"_s, [&](const Job &) -> std::optional<JobFollowUp> {
        started.ref();
        QThread::msleep(3000); // longer than a lease: renewed meanwhile
        return std::nullopt;
    });
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<qint64> ids;
    for (int i = 0; i < 2; ++i) // one runs, the other waits in the runner's reserve
        ids.append(fixture.queue->enqueue(u"slow"_s, {}, now).value_or(0));
    fixture.runner->start();
    QTRY_COMPARE_WITH_TIMEOUT(started.loadRelaxed(), 1, 5000);
    // Both keep their leases past the two seconds they were given.
    QTest::qWait(2500);
    QCOMPARE(JobRepository(*fixture.scratch.database)
                     .claimDue(u"other"_s, QDateTime::currentDateTimeUtc(),
                               QDateTime::currentDateTimeUtc().addSecs(60), 5)
                     .size(),
             0);
    fixture.runner->stop(10'000);
    QCOMPARE(started.loadRelaxed(), 1);
    int done = 0, queued = 0;
    for (qint64 id : std::as_const(ids)) {
        const Job job = fixture.job(id);
        done += job.status == JobStatus::Done;
        if (job.status == JobStatus::Queued) {
            ++queued;
            QCOMPARE(job.attempts, 0);
        }
    }
    QCOMPARE(done, 1);
    QCOMPARE(queued, 1);
}

QTEST_GUILESS_MAIN(TestJobRunner)
#include "tst_jobrunner.moc"
