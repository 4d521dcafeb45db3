// JobRepository and JobPolicy on both dialects: the queue's rules at the storage level. Jobs are
// taken when due and under a lease; an outcome counts only under the lease that ran the job; a
// lease that ran out lets another worker take the job; a key is held by one pending job; on
// PostgreSQL two workers taking jobs at once get different ones without waiting (SKIP LOCKED).
#include "database.h"
#include "jobqueue.h"
#include "jobrepository.h"
#include "migrator.h"
#include "scratchdatabase.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QTest>
#include <QThread>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestJobRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void retryDelaysGrowWithJitter_data();
    void retryDelaysGrowWithJitter();
    void dueJobsAreTakenUnderALease_data();
    void dueJobsAreTakenUnderALease();
    void aBatchOfDoneMarksCountsOnlyUnderTheirLeases_data();
    void aBatchOfDoneMarksCountsOnlyUnderTheirLeases();
    void aKeyIsHeldByOnePendingJob_data();
    void aKeyIsHeldByOnePendingJob();
    void deadJobsAreRetriedAndFinishedOnesPurged_data();
    void deadJobsAreRetriedAndFinishedOnesPurged();
    void concurrentWorkersTakeDifferentJobs();

private:
    void addDialects();
};

namespace {

QDateTime at(int seconds)
{
    return QDateTime(QDate(2030, 1, 1), QTime(12, 0), QTimeZone::utc()).addSecs(seconds);
}

qint64 enqueue(const JobRepository &jobs, const QString &kind, int dueIn, const QString &key = {})
{
    return jobs
            .enqueue({ JobQueue::newUid(), kind, key, { { u"n"_s, dueIn } }, at(dueIn), 0 }, at(0))
            .value_or(0);
}

} // namespace

void TestJobRepository::addDialects()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestJobRepository::retryDelaysGrowWithJitter_data()
{
    QTest::addColumn<int>("attempts");
    QTest::addColumn<double>("random");
    QTest::addColumn<qint64>("expectedMs");
    // Base 30 s, cap 6 h: half the doubled delay is fixed, the other half random.
    QTest::newRow("first failure, no jitter") << 1 << 0.0 << qint64(15'000);
    QTest::newRow("first failure, full jitter") << 1 << 0.999999 << qint64(29'999);
    QTest::newRow("third failure, half jitter") << 3 << 0.5 << qint64(90'000);
    QTest::newRow("eleventh failure, capped") << 11 << 0.0 << qint64(3 * 3600 * 1000);
    QTest::newRow("a thousandth failure does not overflow")
            << 1000 << 1.0 << qint64(6 * 3600 * 1000);
}

void TestJobRepository::retryDelaysGrowWithJitter()
{
    QFETCH(int, attempts);
    QFETCH(double, random);
    QFETCH(qint64, expectedMs);
    JobPolicy policy;
    policy.retryBaseSeconds = 30;
    policy.maxRetryDelaySeconds = 6 * 3600;
    QCOMPARE(policy.retryDelayMs(attempts, random), expectedMs);
}

void TestJobRepository::dueJobsAreTakenUnderALease_data()
{
    addDialects();
}

void TestJobRepository::dueJobsAreTakenUnderALease()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const JobRepository jobs(*scratch.database);
    const qint64 due = enqueue(jobs, u"mail"_s, 0);
    const qint64 later = enqueue(jobs, u"mail"_s, 3600);
    QVERIFY(due > 0 && later > due);
    QCOMPARE(jobs.nextWakeUp(), at(0));

    // Only what is due, under the lease; its attempt counted.
    QList<Job> taken = jobs.claimDue(u"a"_s, at(10), at(70), 10);
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).id, due);
    QCOMPARE(taken.at(0).status, JobStatus::Running);
    QCOMPARE(taken.at(0).attempts, 1);
    QCOMPARE(taken.at(0).leaseOwner, u"a"_s);
    QCOMPARE(taken.at(0).leaseUntil, at(70));
    QCOMPARE(taken.at(0).payload.value(u"n"_s).toInt(), 0);
    QVERIFY(jobs.claimDue(u"b"_s, at(20), at(80), 10).isEmpty()); // leased
    QCOMPARE(jobs.nextWakeUp(), at(70)); // the lease's end comes before the later job

    // The lease runs out (its worker died): another worker takes the job, a second attempt.
    taken = jobs.claimDue(u"b"_s, at(71), at(131), 10);
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).attempts, 2);
    QVERIFY(!jobs.markDone(due, u"a"_s, at(72))); // too late: b holds it
    QVERIFY(jobs.renewLeases(u"b"_s, at(200), at(72)) == 1);
    QVERIFY(jobs.claimDue(u"c"_s, at(150), at(210), 10).isEmpty()); // renewed
    QVERIFY(jobs.markRetry(due, u"b"_s, at(300), u"421 try later"_s, at(150)));
    Job retried = *jobs.find(due);
    QCOMPARE(retried.status, JobStatus::Queued);
    QCOMPARE(retried.lastError, u"421 try later"_s);
    QVERIFY(retried.leaseOwner.isEmpty());
    QVERIFY(jobs.claimDue(u"c"_s, at(299), at(359), 10).isEmpty()); // not before its new time

    // Given back unrun: queued again, that attempt not counted.
    taken = jobs.claimDue(u"c"_s, at(300), at(360), 10);
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).attempts, 3);
    QVERIFY(jobs.release(due, u"c"_s, at(301)));
    QCOMPARE(jobs.find(due)->attempts, 2);
    QCOMPARE(jobs.find(due)->status, JobStatus::Queued);

    taken = jobs.claimDue(u"d"_s, at(400), at(460), 10);
    QCOMPARE(taken.size(), 1);
    QVERIFY(jobs.markDone(due, u"d"_s, at(401)));
    QVERIFY(!jobs.markDone(due, u"d"_s, at(402))); // once
    const Job done = *jobs.find(due);
    QCOMPARE(done.status, JobStatus::Done);
    QCOMPARE(done.finishedAt, at(401));
    QCOMPARE(done.attempts, 3);

    // Oldest due first, and no more than asked for.
    const qint64 third = enqueue(jobs, u"mail"_s, 3000);
    taken = jobs.claimDue(u"e"_s, at(7200), at(7260), 1);
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).id, third);
    QVERIFY(jobs.markDead(third, u"e"_s, u"550 no such user"_s, at(7201)));
    QCOMPARE(jobs.find(third)->status, JobStatus::Dead);
    QCOMPARE(jobs.claimDue(u"e"_s, at(7200), at(7260), 5).size(), 1); // the later one
    QVERIFY(jobs.markDone(later, u"e"_s, at(7201)));

    // A job whose lease ran out and due ones, taken together: in the order of their time, no
    // more than asked for in all; the rest stays queued.
    const qint64 early = enqueue(jobs, u"mail"_s, 8000);
    const qint64 middle = enqueue(jobs, u"mail"_s, 8001);
    const qint64 last = enqueue(jobs, u"mail"_s, 8002);
    QCOMPARE(jobs.claimDue(u"f"_s, at(8000), at(8010), 1).value(0).id, early);
    taken = jobs.claimDue(u"g"_s, at(9000), at(9060), 2);
    QCOMPARE(taken.size(), 2);
    QCOMPARE(QSet<qint64>({ taken.at(0).id, taken.at(1).id }), QSet<qint64>({ early, middle }));
    QCOMPARE(jobs.find(early)->leaseOwner, u"g"_s);
    QCOMPARE(jobs.find(early)->attempts, 2);
    QCOMPARE(jobs.find(last)->status, JobStatus::Queued);
}

void TestJobRepository::aBatchOfDoneMarksCountsOnlyUnderTheirLeases_data()
{
    addDialects();
}

void TestJobRepository::aBatchOfDoneMarksCountsOnlyUnderTheirLeases()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const JobRepository jobs(*scratch.database);
    // More than one statement's worth (64 a statement).
    QList<qint64> ids;
    for (int n = 0; n < 70; ++n)
        ids.append(enqueue(jobs, u"mail"_s, 0));
    const qint64 later = enqueue(jobs, u"mail"_s, 3600);
    QCOMPARE(jobs.claimDue(u"a"_s, at(1), at(61), 100).size(), 70);
    // One of them outlived its lease and was taken over; one is not a's at all (not running).
    const qint64 takenOver = ids.at(65);
    QVERIFY(jobs.release(takenOver, u"a"_s, at(2)));
    QCOMPARE(jobs.claimDue(u"b"_s, at(3), at(63), 1).size(), 1);
    const QSet<qint64> done = jobs.markDone(ids + QList<qint64>{ later }, u"a"_s, at(10));
    QCOMPARE(done.size(), 69);
    QVERIFY(!done.contains(takenOver));
    QVERIFY(!done.contains(later));
    QCOMPARE(jobs.find(ids.first())->status, JobStatus::Done);
    QCOMPARE(jobs.find(ids.last())->status, JobStatus::Done);
    QCOMPARE(jobs.find(takenOver)->status, JobStatus::Running);
    QCOMPARE(jobs.find(takenOver)->leaseOwner, u"b"_s);
    QCOMPARE(jobs.find(later)->status, JobStatus::Queued);
    QVERIFY(jobs.markDone(ids, u"a"_s, at(11)).isEmpty()); // once
}

void TestJobRepository::aKeyIsHeldByOnePendingJob_data()
{
    addDialects();
}

void TestJobRepository::aKeyIsHeldByOnePendingJob()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const JobRepository jobs(*scratch.database);
    const qint64 first = enqueue(jobs, u"cleanup"_s, 0, u"cleanup"_s);
    QVERIFY(first > 0);
    QCOMPARE(enqueue(jobs, u"cleanup"_s, 60, u"cleanup"_s), 0); // queued: held
    QVERIFY(enqueue(jobs, u"cleanup"_s, 60) > 0); // no key, no guard
    QCOMPARE(jobs.claimDue(u"a"_s, at(1), at(61), 1).size(), 1);
    QCOMPARE(enqueue(jobs, u"cleanup"_s, 60, u"cleanup"_s), 0); // running: held
    QVERIFY(jobs.markDone(first, u"a"_s, at(2)));
    const qint64 next = enqueue(jobs, u"cleanup"_s, 600, u"cleanup"_s); // free again
    QVERIFY(next > first);
    QCOMPARE(jobs.cancelQueued(u"cleanup"_s), 1);
    QVERIFY(!jobs.find(next));
}

void TestJobRepository::deadJobsAreRetriedAndFinishedOnesPurged_data()
{
    addDialects();
}

void TestJobRepository::deadJobsAreRetriedAndFinishedOnesPurged()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const JobRepository jobs(*scratch.database);
    const qint64 dead = enqueue(jobs, u"mail"_s, 0, u"mail:1"_s);
    const qint64 done = enqueue(jobs, u"mail"_s, 0);
    QCOMPARE(jobs.claimDue(u"a"_s, at(0), at(60), 5).size(), 2);
    QVERIFY(jobs.markDead(dead, u"a"_s, u"550"_s, at(1)));
    QVERIFY(jobs.markDone(done, u"a"_s, at(1)));

    using Result = JobRepository::RetryResult;
    QCOMPARE(jobs.retryDead(done, at(5)), Result::NotDead);
    QCOMPARE(jobs.retryDead(done + 1000, at(5)), Result::NotFound);
    const qint64 holder = enqueue(jobs, u"mail"_s, 0, u"mail:1"_s);
    QCOMPARE(jobs.retryDead(dead, at(5)), Result::KeyTaken); // its key is someone else's now
    QCOMPARE(jobs.cancelQueued(u"mail:1"_s), 1);
    QVERIFY(holder > 0);
    QCOMPARE(jobs.retryDead(dead, at(5)), Result::Retried);
    const Job retried = *jobs.find(dead);
    QCOMPARE(retried.status, JobStatus::Queued);
    QCOMPARE(retried.attempts, 0);
    QCOMPARE(retried.runAt, at(5));
    QVERIFY(!retried.finishedAt.isValid());
    QCOMPARE(retried.lastError, u"550"_s); // kept until it runs again

    // Newest first, filtered.
    QList<Job> listed = jobs.list(std::nullopt, {}, 0, 10);
    QCOMPARE(listed.size(), 2);
    QCOMPARE(listed.at(0).id, done);
    QCOMPARE(jobs.list(JobStatus::Queued, {}, 0, 10).size(), 1);
    QCOMPARE(jobs.list(std::nullopt, u"mail"_s, done, 10).size(), 1);
    QCOMPARE(jobs.list(std::nullopt, u"push"_s, 0, 10).size(), 0);

    // Finished before the bound: gone; the queued one stays.
    QCOMPARE(jobs.purgeFinished(at(1)), 0);
    QCOMPARE(jobs.purgeFinished(at(2)), 1);
    QVERIFY(!jobs.find(done));
    QVERIFY(jobs.find(dead));
}

void TestJobRepository::concurrentWorkersTakeDifferentJobs()
{
    if (!ScratchDatabase::available(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    const Database &db = *scratch.database;
    Migrator(db).migrate();
    const JobRepository jobs(db);
    const qint64 first = enqueue(jobs, u"mail"_s, 0);
    const qint64 second = enqueue(jobs, u"mail"_s, 1);

    // Worker A takes one job in a transaction it keeps open; meanwhile B takes one too.
    QSemaphore taken, release;
    QList<Job> byA;
    QThread *a = QThread::create([&] {
        Transaction transaction(db);
        byA = jobs.claimDue(u"a"_s, at(10), at(70), 1);
        taken.release();
        release.acquire();
        transaction.commit();
        db.closeThreadConnection();
    });
    a->start();
    QVERIFY(taken.tryAcquire(1, 10'000));
    QList<Job> byB;
    qint64 waitedMs = 0;
    QThread *b = QThread::create([&] {
        QElapsedTimer timer;
        timer.start();
        byB = jobs.claimDue(u"b"_s, at(10), at(70), 2);
        waitedMs = timer.elapsed();
        db.closeThreadConnection();
    });
    b->start();
    const bool bFinished = b->wait(5000);
    release.release();
    QVERIFY(a->wait(10'000));
    QVERIFY2(bFinished, "B waited for A's lock instead of skipping the job A holds");
    delete a;
    delete b;
    QCOMPARE(byA.size(), 1);
    QCOMPARE(byA.at(0).id, first);
    QCOMPARE(byB.size(), 1);
    QCOMPARE(byB.at(0).id, second);
    QVERIFY(waitedMs < 5000);
}

QTEST_GUILESS_MAIN(TestJobRepository)
#include "tst_jobrepository.moc"
