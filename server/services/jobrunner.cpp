#include "jobrunner.h"

#include "commitgroup.h"
#include "database.h"
#include "jobrepository.h"
#include "poolthreads.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcJobs, "tasklane.jobs")

namespace Tasklane {

// Lives on the runner's thread; everything in it runs there.
class JobRunner::Scheduler : public QObject
{
public:
    explicit Scheduler(JobRunner &runner) : m_runner(runner) { }

    void begin()
    {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        m_timer->setTimerType(Qt::PreciseTimer);
        connect(m_timer, &QTimer::timeout, this, [this] { check(); });
        m_renewal = new QTimer(this);
        m_renewal->setInterval(
                int(std::max<qint64>(m_runner.m_config.policy.leaseSeconds * 1000 / 3, 200)));
        connect(m_renewal, &QTimer::timeout, this, [this] { renewLeases(); });
        m_renewal->start();
        check();
    }

    void wake(const QDateTime &runAt)
    {
        if (m_stopping || saturated())
            return; // a finishing job looks again
        if (!m_armedFor.isValid() || runAt < m_armedFor)
            arm(runAt);
    }

    // Stops taking jobs and gives back those taken but not started.
    void halt()
    {
        m_stopping = true;
        if (m_timer)
            m_timer->stop();
        const JobRepository jobs(m_runner.m_database);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const Job &job : std::as_const(m_backlog)) {
            try {
                jobs.release(job.id, m_runner.owner(), now);
            } catch (const DatabaseError &error) {
                qCWarning(lcJobs, "could not give back job %lld: %s", job.id, error.what());
            }
        }
        m_backlog.clear();
    }

private:
    // Jobs in hand: running, and taken in reserve for the threads that finish next.
    int capacity() const { return 2 * m_runner.m_config.threads * m_runner.m_config.batchSize; }
    bool saturated() const { return m_runningJobs + m_backlog.size() >= capacity(); }

    void arm(const QDateTime &at)
    {
        const qint64 delay = std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0,
                                                m_runner.m_config.recheckSeconds * 1000);
        m_armedFor = at;
        m_timer->start(int(delay));
    }

    void check()
    {
        m_armedFor = QDateTime();
        if (m_stopping)
            return;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const Config &config = m_runner.m_config;
        try {
            const JobRepository jobs(m_runner.m_database);
            const int wanted = capacity() - m_runningJobs - int(m_backlog.size());
            if (wanted > 0) {
                m_backlog += jobs.claimDue(config.owner, now,
                                           now.addSecs(config.policy.leaseSeconds), wanted);
                dispatch();
            }
            if (saturated())
                return; // a finishing job looks again
            // Not before a second from now if something is due yet was not taken: another
            // process holds it (SKIP LOCKED) and finishes it.
            QDateTime at = now.addSecs(config.recheckSeconds);
            if (const auto next = jobs.nextWakeUp(); next && *next < at)
                at = *next;
            if (at <= now)
                at = now.addMSecs(1000);
            arm(at);
            m_failures = 0;
        } catch (const DatabaseError &error) {
            const int delayMs = std::min(30'000, 500 << std::min(m_failures++, 6));
            qCWarning(lcJobs, "could not take jobs (trying again in %d ms): %s", delayMs,
                      error.what());
            arm(now.addMSecs(delayMs));
        }
    }

    void dispatch()
    {
        const Config &config = m_runner.m_config;
        while (m_running < config.threads && !m_backlog.isEmpty()) {
            // An even share of what waits, so that every thread has work.
            const qsizetype share = std::clamp<qsizetype>(
                    (m_backlog.size() + config.threads - 1) / config.threads, 1, config.batchSize);
            const QList<Job> batch = m_backlog.mid(0, share);
            m_backlog.remove(0, share);
            ++m_running;
            m_runningJobs += int(batch.size());
            m_runner.m_workers.start([this, batch] {
                m_runner.execute(batch);
                QMetaObject::invokeMethod(
                        this, [this, done = int(batch.size())] { finished(done); },
                        Qt::QueuedConnection);
            });
        }
    }

    void finished(int jobs)
    {
        --m_running;
        m_runningJobs -= jobs;
        dispatch();
        if (!m_stopping) // at once; jobs finishing together restart the one timer: one check
            arm(QDateTime::currentDateTimeUtc());
    }

    void renewLeases()
    {
        if (m_runningJobs + m_backlog.size() == 0)
            return;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        try {
            JobRepository(m_runner.m_database)
                    .renewLeases(m_runner.owner(),
                                 now.addSecs(m_runner.m_config.policy.leaseSeconds), now);
        } catch (const DatabaseError &error) {
            qCWarning(lcJobs, "could not renew the leases of running jobs: %s", error.what());
        }
    }

    JobRunner &m_runner;
    QTimer *m_timer = nullptr;
    QTimer *m_renewal = nullptr;
    QList<Job> m_backlog; // taken, not yet running
    int m_running = 0; // batches
    int m_runningJobs = 0;
    bool m_stopping = false;
    int m_failures = 0; // database errors in a row
    QDateTime m_armedFor;
};

JobRunner::JobRunner(const Database &database, Config config, CommitGroup *writes)
    : m_database(database), m_config(std::move(config)), m_writes(writes),
      m_queue(database, m_config.policy)
{
    m_workers.setMaxThreadCount(std::max(1, m_config.threads));
    m_workers.setExpiryTimeout(-1); // threads keep their database connections until stop()
    m_workers.setObjectName(u"job-workers"_s);
    m_thread.setObjectName(u"jobs"_s);
    // On the scheduler's thread, once its loop is over: see runOnEachThread for why.
    QObject::connect(&m_thread, &QThread::finished,
                     [db = &m_database] { db->closeThreadConnection(); });
}

JobRunner::~JobRunner()
{
    stop(0);
}

QString JobRunner::makeOwnerName()
{
    return QHostInfo::localHostName() + u':' + QString::number(QCoreApplication::applicationPid())
            + u':' + QString::number(QRandomGenerator::system()->generate(), 36);
}

void JobRunner::addHandler(const QString &kind, JobHandler handler)
{
    Q_ASSERT(!m_scheduler);
    m_handlers.insert(kind, std::move(handler));
}

void JobRunner::addBatchHandler(const QString &kind, JobBatchHandler handler)
{
    Q_ASSERT(!m_scheduler);
    m_batchHandlers.insert(kind, std::move(handler));
}

void JobRunner::start()
{
    if (m_scheduler)
        return;
    m_stopping.storeRelease(false);
    m_thread.start();
    m_scheduler = new Scheduler(*this);
    m_scheduler->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_scheduler, &QObject::deleteLater);
    QMetaObject::invokeMethod(
            m_scheduler, [scheduler = m_scheduler] { scheduler->begin(); }, Qt::QueuedConnection);
    qCInfo(lcJobs, "job runner %s: %d threads, leases of %lld s, %d attempts",
           qUtf8Printable(m_config.owner), m_config.threads, m_config.policy.leaseSeconds,
           m_config.policy.maxAttempts);
}

void JobRunner::beginStop()
{
    m_stopping.storeRelease(true);
    if (m_scheduler)
        QMetaObject::invokeMethod(
                m_scheduler, [scheduler = m_scheduler] { scheduler->halt(); },
                Qt::QueuedConnection);
}

void JobRunner::stop(int waitMs)
{
    if (!m_scheduler)
        return;
    m_stopping.storeRelease(true); // batches under way give back the jobs they have not run
    QMetaObject::invokeMethod(
            m_scheduler, [scheduler = m_scheduler] { scheduler->halt(); },
            Qt::BlockingQueuedConnection);
    if (!m_workers.waitForDone(waitMs))
        qCWarning(lcJobs,
                  "waiting for jobs still running after %d ms (a process killed now leaves "
                  "them to be taken again once their leases run out)",
                  waitMs);
    m_workers.waitForDone(); // the thread pool cannot outlive what runs on it
    runOnEachThread(m_workers, [this] { m_database.closeThreadConnection(); });
    m_workers.waitForDone();
    m_thread.quit();
    m_thread.wait();
    m_scheduler = nullptr; // deleted with the thread's end (deleteLater)
}

void JobRunner::wake(const QDateTime &runAt)
{
    if (!m_scheduler)
        return;
    QMetaObject::invokeMethod(
            m_scheduler, [scheduler = m_scheduler, runAt] { scheduler->wake(runAt); },
            Qt::QueuedConnection);
}

void JobRunner::execute(const QList<Job> &batch)
{
    const JobRepository jobs(m_database);
    struct Outcome
    {
        const Job *job = nullptr;
        JobResult result;
        bool released = false; // not run: the runner is stopping
        bool failed = false;
        bool permanent = false;
        QString error;
    };
    const auto fail = [](Outcome &outcome, const QString &message, bool permanent) {
        outcome.failed = true;
        outcome.permanent = permanent;
        outcome.error = message;
    };
    std::vector<Outcome> outcomes(size_t(batch.size()));
    QHash<QString, QList<qsizetype>> together; // jobs of kinds with a batch handler
    for (qsizetype n = 0; n < batch.size(); ++n) {
        const Job &job = batch.at(n);
        Outcome &outcome = outcomes[size_t(n)];
        outcome.job = &job;
        QElapsedTimer elapsed;
        elapsed.start();
        const auto handler = m_handlers.constFind(job.kind);
        if (m_stopping.loadAcquire()) {
            outcome.released = true; // given back unrun, like the backlog
        } else if (job.attempts > m_config.policy.maxAttempts) {
            fail(outcome, u"taken again %1 times after its worker stopped"_s.arg(job.attempts - 1),
                 true);
        } else if (m_batchHandlers.contains(job.kind)) {
            together[job.kind].append(n);
        } else if (handler == m_handlers.cend()) {
            fail(outcome, u"no handler for jobs of kind \"%1\""_s.arg(job.kind), true);
        } else {
            try {
                outcome.result = (*handler)(job);
                qCDebug(lcJobs, "job %lld (%s) ran in %lld ms", job.id, qUtf8Printable(job.kind),
                        elapsed.elapsed());
            } catch (const JobFailure &failure) {
                fail(outcome, QString::fromStdString(failure.what()), failure.permanent());
            } catch (const std::exception &error) {
                fail(outcome, QString::fromStdString(error.what()), false);
            }
        }
    }
    for (auto group = together.cbegin(); group != together.cend(); ++group) {
        const QList<qsizetype> &places = group.value();
        if (m_stopping.loadAcquire()) {
            for (qsizetype n : places)
                outcomes[size_t(n)].released = true;
            continue;
        }
        QList<Job> jobsOfKind;
        for (qsizetype n : places)
            jobsOfKind.append(batch.at(n));
        try {
            QList<JobOutcome> results = m_batchHandlers.value(group.key())(jobsOfKind);
            if (results.size() != places.size())
                throw std::logic_error("a batch handler gave a wrong number of outcomes");
            for (qsizetype k = 0; k < places.size(); ++k) {
                Outcome &outcome = outcomes[size_t(places.at(k))];
                if (const auto &failure = results.at(k).failure)
                    fail(outcome, QString::fromStdString(failure->what()), failure->permanent());
                else
                    outcome.result = std::move(results[k].result);
            }
        } catch (const JobFailure &failure) {
            for (qsizetype n : places)
                fail(outcomes[size_t(n)], QString::fromStdString(failure.what()),
                     failure.permanent());
        } catch (const std::exception &error) {
            for (qsizetype n : places)
                fail(outcomes[size_t(n)], QString::fromStdString(error.what()), false);
        }
    }

    // Every outcome in one transaction. First quickly: every done mark in one statement, the
    // jobs' writes one after the other, those that need no answer held back. If a job's writes fail
    // (a constraint, a deadlock on PostgreSQL), all of it is rolled back and recorded again
    // carefully: each job's done mark and writes in a savepoint of their own, so that the one that
    // fails is retried alone.
    const auto savepoint = [this](const char *statement) {
        m_database.executeRaw(QString::fromLatin1(statement));
    };
    const auto recordFailure = [&](const Outcome &outcome, const QDateTime &now) {
        const Job &job = *outcome.job;
        if (outcome.permanent || job.attempts >= m_config.policy.maxAttempts) {
            qCWarning(lcJobs, "job %lld (%s) dead after %d attempts: %s", job.id,
                      qUtf8Printable(job.kind), job.attempts, qUtf8Printable(outcome.error));
            if (!jobs.markDead(job.id, owner(), outcome.error, now))
                qCWarning(lcJobs, "job %lld (%s): dead too late, its lease had passed on", job.id,
                          qUtf8Printable(job.kind));
            return;
        }
        const qint64 delayMs = m_config.policy.retryDelayMs(
                job.attempts, QRandomGenerator::global()->generateDouble());
        qCWarning(lcJobs, "job %lld (%s) failed (attempt %d of %d), again in %.1f s: %s", job.id,
                  qUtf8Printable(job.kind), job.attempts, m_config.policy.maxAttempts,
                  double(delayMs) / 1000, qUtf8Printable(outcome.error));
        if (!jobs.markRetry(job.id, owner(), now.addMSecs(delayMs), outcome.error, now))
            qCWarning(lcJobs, "job %lld (%s): failed too late, its lease had passed on", job.id,
                      qUtf8Printable(job.kind));
    };
    const auto recordSuccess = [&](const Outcome &outcome) {
        if (outcome.result.record)
            outcome.result.record();
        if (const auto &next = outcome.result.next)
            m_queue.enqueue(next->kind, next->payload, next->runAt, next->key);
    };
    const auto doneTooLate = [](const Job &job) {
        qCWarning(lcJobs, "job %lld (%s): done too late, its lease had passed on", job.id,
                  qUtf8Printable(job.kind));
    };
    int done = 0;
    const auto recordQuickly = [&] {
        done = 0;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<qint64> succeeded;
        for (const Outcome &outcome : outcomes) {
            if (!outcome.released && !outcome.failed)
                succeeded.append(outcome.job->id);
        }
        const QSet<qint64> held
                = succeeded.isEmpty() ? QSet<qint64>() : jobs.markDone(succeeded, owner(), now);
        for (const Outcome &outcome : outcomes) {
            const Job &job = *outcome.job;
            if (outcome.released) {
                jobs.release(job.id, owner(), now);
            } else if (outcome.failed) {
                recordFailure(outcome, now);
            } else if (!held.contains(job.id)) {
                doneTooLate(job);
            } else {
                recordSuccess(outcome);
                ++done;
            }
        }
    };
    const auto recordCarefully = [&] {
        done = 0;
        for (Outcome &outcome : outcomes) {
            const Job &job = *outcome.job;
            const QDateTime now = QDateTime::currentDateTimeUtc();
            if (outcome.released) {
                jobs.release(job.id, owner(), now);
                continue;
            }
            if (!outcome.failed) {
                savepoint("SAVEPOINT tasklane_job");
                try {
                    if (!jobs.markDone(job.id, owner(), now)) {
                        doneTooLate(job);
                    } else {
                        recordSuccess(outcome);
                        ++done;
                    }
                    savepoint("RELEASE SAVEPOINT tasklane_job");
                    continue;
                } catch (const std::exception &error) {
                    m_database.rollbackToSavepoint(u"tasklane_job"_s);
                    savepoint("RELEASE SAVEPOINT tasklane_job");
                    outcome.failed = true;
                    outcome.error = u"recording it failed: %1"_s.arg(
                            QString::fromStdString(error.what()));
                }
            }
            recordFailure(outcome, now);
        }
    };
    // Quickly, the writes that need no answer (notifications, the delivery log) are held back
    // and made for the whole batch in one statement each, before COMMIT.
    const auto commit = [this](const std::function<void()> &record, bool quickly) {
        if (m_writes) {
            m_writes->run(record,
                          quickly ? CommitGroup::Holding::Always
                                  : CommitGroup::Holding::WhenShared);
        } else {
            Transaction transaction(m_database);
            m_database.setHoldingWrites(quickly);
            record();
            transaction.commit();
        }
    };
    try {
        try {
            commit(recordQuickly, true);
        } catch (const std::exception &error) {
            qCDebug(lcJobs, "recording %lld jobs at once failed (%s): one by one",
                    qlonglong(batch.size()), error.what());
            commit(recordCarefully, false);
        }
        if (done > 0)
            qCInfo(lcJobs, "%d of %lld jobs done (%s%s)", done, qlonglong(batch.size()),
                   qUtf8Printable(batch.first().kind), batch.size() > 1 ? ", ..." : "");
    } catch (const DatabaseError &error) {
        qCWarning(lcJobs,
                  "could not record the outcomes of %lld jobs (they run again once their "
                  "leases run out): %s",
                  qlonglong(batch.size()), error.what());
    }
}

} // namespace Tasklane
