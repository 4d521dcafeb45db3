#include "job.h"

#include "user.h"

#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString jobStatusToString(JobStatus status)
{
    switch (status) {
    case JobStatus::Queued: return u"queued"_s;
    case JobStatus::Running: return u"running"_s;
    case JobStatus::Done: return u"done"_s;
    case JobStatus::Dead: return u"dead"_s;
    }
    return {};
}

std::optional<JobStatus> jobStatusFromString(const QString &text)
{
    for (JobStatus status :
         { JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Dead }) {
        if (jobStatusToString(status) == text)
            return status;
    }
    return std::nullopt;
}

QJsonObject Job::toJson() const
{
    return { { u"id"_s, id },
             { u"uid"_s, uid },
             { u"kind"_s, kind },
             { u"key"_s, stringOrNull(key) },
             { u"payload"_s, payload },
             { u"status"_s, jobStatusToString(status) },
             { u"run_at"_s, apiTimestampOrNull(runAt) },
             { u"attempts"_s, attempts },
             { u"lease_owner"_s, stringOrNull(leaseOwner) },
             { u"lease_until"_s, apiTimestampOrNull(leaseUntil) },
             { u"last_error"_s, stringOrNull(lastError) },
             { u"created_at"_s, apiTimestampOrNull(createdAt) },
             { u"updated_at"_s, apiTimestampOrNull(updatedAt) },
             { u"finished_at"_s, apiTimestampOrNull(finishedAt) } };
}

std::optional<Job> Job::fromJson(const QJsonObject &json)
{
    const auto status = jobStatusFromString(json.value(u"status"_s).toString());
    if (!json.value(u"id"_s).isDouble() || !json.value(u"kind"_s).isString() || !status)
        return std::nullopt;
    const auto time = [&json](const QString &name) {
        return fromApiTimestamp(json.value(name).toString());
    };
    Job job;
    job.id = json.value(u"id"_s).toInteger();
    job.uid = json.value(u"uid"_s).toString();
    job.kind = json.value(u"kind"_s).toString();
    job.key = json.value(u"key"_s).toString();
    job.payload = json.value(u"payload"_s).toObject();
    job.status = *status;
    job.runAt = time(u"run_at"_s);
    job.attempts = json.value(u"attempts"_s).toInt();
    job.leaseOwner = json.value(u"lease_owner"_s).toString();
    job.leaseUntil = time(u"lease_until"_s);
    job.lastError = json.value(u"last_error"_s).toString();
    job.createdAt = time(u"created_at"_s);
    job.updatedAt = time(u"updated_at"_s);
    job.finishedAt = time(u"finished_at"_s);
    return job;
}

} // namespace Tasklane
