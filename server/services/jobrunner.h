#pragma once

#include "job.h"
#include "jobqueue.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <QThreadPool>

#include <functional>
#include <optional>
#include <stdexcept>

namespace Tasklane {

class CommitGroup;
class Database;

// A failed run, thrown by a job's handler: `permanent` when trying again cannot help (the job
// is dead at once, its error kept for an operator); otherwise it is retried after a backoff.
// Any other exception from a handler counts as a failure worth retrying.
class JobFailure : public std::runtime_error
{
public:
    JobFailure(const QString &message, bool permanent)
        : std::runtime_error(message.toStdString()), m_permanent(permanent)
    { }
    bool permanent() const { return m_permanent; }

private:
    bool m_permanent;
};

// What a successful run leaves behind: a job to queue in the transaction that records it done
// (a recurring job's next run: its key is free once this one is done).
struct JobFollowUp
{
    QString kind;
    QJsonObject payload;
    QDateTime runAt;
    QString key;
};

// What a job's run leaves to the runner: `record`, its writes, which run inside the transaction
// that marks the job done (in a savepoint of their own, beside the other jobs of its batch), so
// that its effects and its done mark commit together and a batch of jobs costs one commit; and
// the job to queue next, if any. A run that needs no writes, or makes its own transactions
// (a long sweep), leaves `record` empty.
struct JobResult
{
    JobResult() = default;
    JobResult(std::nullopt_t) { }
    JobResult(JobFollowUp followUp) : next(std::move(followUp)) { }
    JobResult(std::optional<JobFollowUp> followUp) : next(std::move(followUp)) { }
    static JobResult recording(std::function<void()> writes)
    {
        JobResult result;
        result.record = std::move(writes);
        return result;
    }

    std::function<void()> record;
    std::optional<JobFollowUp> next;
};

// Runs one job of its kind on a worker thread, outside any transaction (its I/O, a mail
// server's answer, holds no database lock); returns normally when it is done.
using JobHandler = std::function<JobResult(const Job &job)>;

// What one job of a batch came to (JobBatchHandler): its result, or why it failed.
struct JobOutcome
{
    JobResult result;
    std::optional<JobFailure> failure;
};

// Runs a batch's jobs of one kind together, on a worker thread outside any transaction, so that
// what they read takes a few statements rather than a few per job: one outcome per job, in
// their order. An exception fails them all.
using JobBatchHandler = std::function<QList<JobOutcome>(const QList<Job> &jobs)>;

// The workers of the job queue. A scheduler thread of its own (never an HTTP event loop) takes
// due jobs from the database under a lease and hands them to `threads` worker threads in
// batches of up to `batchSize` (each batch's outcomes commit together), as many again in
// reserve. It sleeps on a QTimer set to the next job's time:
// woken early by wake() when a job is queued (once its transaction committed), and at the latest
// after `recheckSeconds`, for jobs other processes queued (PostgreSQL). While jobs run, their
// leases are renewed every third of a lease; a process that dies leaves its jobs to be taken
// again when their leases run out.
class JobRunner
{
public:
    struct Config
    {
        int threads = 2;
        // Jobs a worker runs in a row and records in one transaction.
        int batchSize = 64;
        JobPolicy policy;
        qint64 recheckSeconds = 60;
        QString owner; // who holds leases: unique per process (see makeOwnerName)
    };

    // With `writes`, the outcomes of each batch commit through it (on SQLite, the one writer
    // thread every HTTP write goes through: no two writers wait on the database's lock).
    JobRunner(const Database &database, Config config, CommitGroup *writes = nullptr);
    ~JobRunner();
    Q_DISABLE_COPY_MOVE(JobRunner)

    // Before start(): who runs jobs of `kind`. A job of a kind nobody handles is dead.
    void addHandler(const QString &kind, JobHandler handler);
    // Or who runs a batch's jobs of `kind` together.
    void addBatchHandler(const QString &kind, JobBatchHandler handler);
    void start();
    // Stops taking jobs and gives back those taken but not started; returns at once.
    void beginStop();
    // beginStop(), then waits for the running jobs to finish (saying so in the log when that
    // takes longer than `waitMs`: a handler bounds its own time, as SMTP's timeouts do). Jobs
    // of a process killed meanwhile are taken again once their leases run out. Called by the
    // destructor too.
    void stop(int waitMs);
    // Thread-safe: a job is due at `runAt` (call once its enqueue has committed).
    void wake(const QDateTime &runAt);

    // "host:pid:random": a lease owner no other process shares.
    static QString makeOwnerName();
    const QString &owner() const { return m_config.owner; }

private:
    class Scheduler;
    // Runs `jobs` one after the other on a worker thread and records their outcomes in one
    // transaction.
    void execute(const QList<Job> &jobs);

    const Database &m_database;
    const Config m_config;
    CommitGroup *m_writes;
    JobQueue m_queue;
    QHash<QString, JobHandler> m_handlers;
    QHash<QString, JobBatchHandler> m_batchHandlers;
    QThread m_thread;
    QThreadPool m_workers;
    Scheduler *m_scheduler = nullptr; // lives on m_thread
    QAtomicInteger<bool> m_stopping = false;
};

} // namespace Tasklane
