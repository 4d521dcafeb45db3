#include "jobqueue.h"

#include "database.h"
#include "securerandom.h"

#include <algorithm>
#include <cmath>

namespace Tasklane {

qint64 JobPolicy::retryDelayMs(int attempts, double random01) const
{
    const int doublings = std::clamp(attempts - 1, 0, 40);
    const double full = std::min(double(retryBaseSeconds) * std::ldexp(1.0, doublings),
                                 double(maxRetryDelaySeconds))
            * 1000.0;
    return qint64(full / 2 + full / 2 * std::clamp(random01, 0.0, 1.0));
}

JobQueue::JobQueue(const Database &database, JobPolicy policy)
    : m_database(database), m_policy(policy)
{ }

QString JobQueue::newUid()
{
    return SecureRandom::token(16);
}

std::optional<qint64> JobQueue::enqueue(const QString &kind, const QJsonObject &payload,
                                        const QDateTime &runAt, const QString &key,
                                        qint64 taskId) const
{
    const auto id = JobRepository(m_database)
                            .enqueue({ newUid(), kind, key, payload, runAt, taskId },
                                     QDateTime::currentDateTimeUtc());
    if (id)
        m_database.noteChanged(Database::Change::Job, runAt.toMSecsSinceEpoch());
    return id;
}

void JobQueue::bringForward(const QString &key, const QDateTime &at) const
{
    if (JobRepository(m_database).bringForward(key, at))
        m_database.noteChanged(Database::Change::Job, at.toMSecsSinceEpoch());
}

std::optional<Job> JobQueue::find(qint64 id) const
{
    return JobRepository(m_database).find(id);
}

QList<Job> JobQueue::list(std::optional<JobStatus> status, const QString &kind, qint64 beforeId,
                          int limit) const
{
    return JobRepository(m_database).list(status, kind, beforeId, limit);
}

JobRepository::RetryResult JobQueue::retry(qint64 id, Job *retried) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto result = JobRepository(m_database).retryDead(id, now, retried);
    if (result == JobRepository::RetryResult::Retried)
        m_database.noteChanged(Database::Change::Job, now.toMSecsSinceEpoch());
    return result;
}

} // namespace Tasklane
