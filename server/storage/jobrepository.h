#pragma once

#include "job.h"

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of the job queue (table jobs). Workers take due jobs under a lease: on PostgreSQL
// FOR UPDATE SKIP LOCKED lets several processes take jobs side by side, each a different one;
// on SQLite one process owns the database and its writes are serialised anyway. A worker
// records the outcome only while it still holds the lease (the job running, under its name):
// once the lease ran out and another took the job, the late outcome changes nothing.
class JobRepository
{
public:
    explicit JobRepository(const Database &database) : m_database(database) { }

    struct NewJob
    {
        QString uid;
        QString kind;
        QString key; // empty: none
        QJsonObject payload;
        QDateTime runAt;
        qint64 taskId = 0; // the task it is about; 0: none
    };
    // Adds a queued job in the caller's transaction. nullopt when a queued or running job
    // holds its key already (nothing is added then).
    std::optional<qint64> enqueue(const NewJob &job, const QDateTime &now) const;

    // Takes up to `limit` jobs, oldest run-at first: queued ones due at `now`, and running ones
    // whose lease ran out (their worker died). Each is running under `owner` until `leaseUntil`,
    // its attempts counted one more.
    QList<Job> claimDue(const QString &owner, const QDateTime &now, const QDateTime &leaseUntil,
                        int limit) const;
    // The outcome of a run, recorded only while `owner` holds the job's lease; false otherwise.
    bool markDone(qint64 id, const QString &owner, const QDateTime &now) const;
    // markDone for several jobs in one statement (per 64): the ids of those `owner` held.
    QSet<qint64> markDone(const QList<qint64> &ids, const QString &owner,
                          const QDateTime &now) const;
    bool markRetry(qint64 id, const QString &owner, const QDateTime &runAt, const QString &error,
                   const QDateTime &now) const;
    bool markDead(qint64 id, const QString &owner, const QString &error,
                  const QDateTime &now) const;

    // Gives a taken job back unrun (a worker stopping): queued again, its attempt not counted.
    bool release(qint64 id, const QString &owner, const QDateTime &now) const;
    // Extends the lease of every job `owner` is running (a heartbeat while they run).
    int renewLeases(const QString &owner, const QDateTime &leaseUntil, const QDateTime &now) const;

    // When a job next needs a worker: the earliest queued run-at or running lease end.
    std::optional<QDateTime> nextWakeUp() const;

    std::optional<Job> find(qint64 id) const;
    // Newest first, ids below `beforeId` (0: from the newest), optionally of one status or kind.
    QList<Job> list(std::optional<JobStatus> status, const QString &kind, qint64 beforeId,
                    int limit) const;

    enum class RetryResult { Retried, NotFound, NotDead, KeyTaken };
    // A dead job queued again, due at `now`, with its attempts counted from zero; `retried`
    // gets the job as queued.
    RetryResult retryDead(qint64 id, const QDateTime &now, Job *retried = nullptr) const;
    // The queued job holding `key` runs at `at` if that is sooner; false when there is none
    // or it runs sooner already.
    bool bringForward(const QString &key, const QDateTime &at) const;
    // Cancels (deletes) the queued job holding `key`, if any; a running one finishes.
    int cancelQueued(const QString &key) const;
    // Cancels the queued jobs of `kind` about a task.
    int cancelQueuedForTask(qint64 taskId, const QString &kind) const;
    // Deletes jobs that finished (done or dead) before `before`.
    int purgeFinished(const QDateTime &before) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
