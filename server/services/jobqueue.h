#pragma once

#include "job.h"
#include "jobrepository.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// How jobs are run and retried (settings job_lease_seconds, job_max_attempts,
// job_retry_base_seconds).
struct JobPolicy
{
    qint64 leaseSeconds = 120; // a worker's hold on a job; renewed while it runs
    int maxAttempts = 8; // runs before a failing job is dead
    qint64 retryBaseSeconds = 30; // the first retry's delay; each next one doubles it
    qint64 maxRetryDelaySeconds = 6 * 3600;

    // The delay before the next run of a job that failed its `attempts`-th run: the base
    // doubled per earlier failure, capped, of which a random half (`random01` in [0, 1)) is
    // taken off, so that jobs that failed together do not all come back together.
    qint64 retryDelayMs(int attempts, double random01) const;
};

// Adding jobs and the operators' view of them. A job is added in the caller's transaction (a
// transactional outbox: it exists exactly when the change that caused it committed); the
// runner hears of it once that commit is done (Database::Change::Job).
class JobQueue
{
public:
    JobQueue(const Database &database, JobPolicy policy);

    // A queued job of `kind`, due at `runAt`. With a key, nothing is added while a queued or
    // running job holds it: nullopt then.
    std::optional<qint64> enqueue(const QString &kind, const QJsonObject &payload,
                                  const QDateTime &runAt, const QString &key = {},
                                  qint64 taskId = 0) const;
    // In the caller's transaction: the queued job holding `key` runs at `at` if that is
    // sooner (the runner hears of it after the commit).
    void bringForward(const QString &key, const QDateTime &at) const;
    // A new job's stable id (Job::uid).
    static QString newUid();

    const JobPolicy &policy() const { return m_policy; }
    const Database &database() const { return m_database; }
    std::optional<Job> find(qint64 id) const;
    QList<Job> list(std::optional<JobStatus> status, const QString &kind, qint64 beforeId,
                    int limit) const;
    // A dead job queued again at once, its attempts counted afresh; `retried` gets it as
    // queued (read before the runner hears of it, which may take it at once).
    JobRepository::RetryResult retry(qint64 id, Job *retried = nullptr) const;

private:
    const Database &m_database;
    const JobPolicy m_policy;
};

} // namespace Tasklane
