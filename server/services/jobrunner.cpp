#include "jobrunner.h"

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
    bool saturated() const { return m_running + m_backlog.size() >= 2 * m_runner.m_config.threads; }

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
            const int wanted = 2 * config.threads - m_running - int(m_backlog.size());
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
        while (m_running < m_runner.m_config.threads && !m_backlog.isEmpty()) {
            const Job job = m_backlog.takeFirst();
            ++m_running;
            m_runner.m_workers.start([this, job] {
                m_runner.execute(job);
                QMetaObject::invokeMethod(
                        this, [this] { finished(); }, Qt::QueuedConnection);
            });
        }
    }

    void finished()
    {
        --m_running;
        dispatch();
        if (!m_stopping) // at once; jobs finishing together restart the one timer: one check
            arm(QDateTime::currentDateTimeUtc());
    }

    void renewLeases()
    {
        if (m_running + m_backlog.size() == 0)
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
    int m_running = 0;
    bool m_stopping = false;
    int m_failures = 0; // database errors in a row
    QDateTime m_armedFor;
};

JobRunner::JobRunner(const Database &database, Config config)
    : m_database(database), m_config(std::move(config)), m_queue(database, m_config.policy)
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

void JobRunner::start()
{
    if (m_scheduler)
        return;
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
    if (m_scheduler)
        QMetaObject::invokeMethod(
                m_scheduler, [scheduler = m_scheduler] { scheduler->halt(); },
                Qt::QueuedConnection);
}

void JobRunner::stop(int waitMs)
{
    if (!m_scheduler)
        return;
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

void JobRunner::execute(const Job &job)
{
    const JobRepository jobs(m_database);
    const auto record = [&](const std::function<bool()> &write, const char *what) {
        try {
            if (!write())
                qCWarning(lcJobs, "job %lld (%s): %s too late, its lease had passed on", job.id,
                          qUtf8Printable(job.kind), what);
        } catch (const DatabaseError &error) {
            qCWarning(lcJobs,
                      "job %lld (%s): could not record it %s (it runs again once its "
                      "lease runs out): %s",
                      job.id, qUtf8Printable(job.kind), what, error.what());
        }
    };
    const auto fail = [&](const QString &message, bool permanent) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (permanent || job.attempts >= m_config.policy.maxAttempts) {
            qCWarning(lcJobs, "job %lld (%s) dead after %d attempts: %s", job.id,
                      qUtf8Printable(job.kind), job.attempts, qUtf8Printable(message));
            record([&] { return jobs.markDead(job.id, owner(), message, now); }, "dead");
            return;
        }
        const qint64 delayMs = m_config.policy.retryDelayMs(
                job.attempts, QRandomGenerator::global()->generateDouble());
        qCWarning(lcJobs, "job %lld (%s) failed (attempt %d of %d), again in %.1f s: %s", job.id,
                  qUtf8Printable(job.kind), job.attempts, m_config.policy.maxAttempts,
                  double(delayMs) / 1000, qUtf8Printable(message));
        record([&] { return jobs.markRetry(job.id, owner(), now.addMSecs(delayMs), message, now); },
               "failed");
    };

    if (job.attempts > m_config.policy.maxAttempts)
        return fail(u"taken again %1 times after its worker stopped"_s.arg(job.attempts - 1), true);
    const auto handler = m_handlers.constFind(job.kind);
    if (handler == m_handlers.cend())
        return fail(u"no handler for jobs of kind \"%1\""_s.arg(job.kind), true);
    QElapsedTimer elapsed;
    elapsed.start();
    try {
        const std::optional<JobFollowUp> next = (*handler)(job);
        record(
                [&] {
                    Transaction transaction(m_database);
                    const bool held
                            = jobs.markDone(job.id, owner(), QDateTime::currentDateTimeUtc());
                    if (held && next)
                        m_queue.enqueue(next->kind, next->payload, next->runAt, next->key);
                    transaction.commit();
                    return held;
                },
                "done");
        qCInfo(lcJobs, "job %lld (%s) done in %lld ms", job.id, qUtf8Printable(job.kind),
               elapsed.elapsed());
    } catch (const JobFailure &failure) {
        fail(QString::fromStdString(failure.what()), failure.permanent());
    } catch (const std::exception &error) {
        fail(QString::fromStdString(error.what()), false);
    }
}

} // namespace Tasklane
