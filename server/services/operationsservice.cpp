#include "operationsservice.h"

#include "activitylog.h"
#include "database.h"

#include "apierror.h"
#include "cursorcodec.h"
#include "jobqueue.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

OperationsService::OperationsService(const Database &database, const JobQueue &jobs,
                                     const CursorCodec &cursors)
    : m_database(database), m_jobs(jobs), m_cursors(cursors)
{ }

qint64 OperationsService::continueBelow(const QString &cursor, const QString &fingerprint) const
{
    if (cursor.isEmpty())
        return 0;
    const auto payload = m_cursors.decode(cursor);
    if (!payload || payload->value(u"o"_s).toString() != fingerprint
        || !payload->value(u"b"_s).isDouble())
        throw ApiError(ApiError::Kind::BadRequest, u"A query parameter is not valid; see errors."_s,
                       { { u"cursor"_s, u"invalid_value"_s,
                           u"Use the next_cursor of this same listing."_s } });
    return payload->value(u"b"_s).toInteger();
}

Page<Job> OperationsService::jobs(std::optional<JobStatus> status, const QString &kind,
                                  const QString &cursor, int limit) const
{
    const QString fingerprint
            = u"jobs|"_s + (status ? jobStatusToString(*status) : QString()) + u'|' + kind;
    Page<Job> page;
    page.items = m_jobs.list(status, kind, continueBelow(cursor, fingerprint), limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.nextCursor
                = m_cursors.encode({ { u"o"_s, fingerprint }, { u"b"_s, page.items.last().id } });
    }
    return page;
}

Job OperationsService::retry(const Principal &administrator, qint64 id) const
{
    using Result = JobRepository::RetryResult;
    Job retried;
    Transaction transaction(m_database);
    switch (m_jobs.retry(id, &retried)) {
    case Result::Retried: {
        ActivityEntry entry = ActivityLog::entry(ActivityAction::JobRetried, administrator);
        entry.targetType = u"job"_s;
        entry.targetId = id;
        entry.details = { { u"kind"_s, retried.kind } };
        ActivityLog::record(m_database, entry);
        transaction.commit();
        return retried;
    }
    case Result::NotFound: throw ApiError(ApiError::Kind::NotFound, u"There is no such job."_s);
    case Result::NotDead:
        throw ApiError(ApiError::Kind::Conflict,
                       u"Only a dead job is retried; this one is %1."_s.arg(
                               jobStatusToString(m_jobs.find(id)->status)));
    case Result::KeyTaken:
        throw ApiError(ApiError::Kind::Conflict,
                       u"Another pending job holds this job's key; it is not queued twice."_s);
    }
    throw ApiError(ApiError::Kind::Internal, u"The job could not be retried."_s);
}

Page<DeliveryAttempt> OperationsService::deliveries(const DeliveryRepository::AttemptFilter &filter,
                                                    const QString &cursor, int limit) const
{
    const QString fingerprint
            = u"deliveries|%1|%2|%3"_s.arg(filter.channel, filter.outcome).arg(filter.userId);
    Page<DeliveryAttempt> page;
    page.items = DeliveryRepository(m_database)
                         .attempts(filter, continueBelow(cursor, fingerprint), limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.nextCursor
                = m_cursors.encode({ { u"o"_s, fingerprint }, { u"b"_s, page.items.last().id } });
    }
    return page;
}

} // namespace Tasklane
