#include "activitylog.h"

#include "activityrepository.h"
#include "principal.h"

namespace Tasklane::ActivityLog {

ActivityEntry entry(const QString &action, qint64 userId, const RequestOrigin &origin)
{
    ActivityEntry entry;
    entry.action = action;
    entry.userId = userId;
    entry.actorId = userId;
    entry.clientAddress = origin.clientAddress;
    // Cut between characters: half a surrogate pair is no text (PostgreSQL refuses it in the
    // JSON a shared commit's entries are inserted with).
    entry.userAgent = origin.userAgent.left(UserAgentMaxLength);
    if (!entry.userAgent.isEmpty() && entry.userAgent.back().isHighSurrogate())
        entry.userAgent.chop(1);
    return entry;
}

ActivityEntry unattributedFailure(const QString &action, qint64 userId, const RequestOrigin &origin)
{
    ActivityEntry failure = entry(action, userId, origin);
    failure.actorId = 0;
    failure.succeeded = false;
    return failure;
}

ActivityEntry entry(const QString &action, const Principal &principal)
{
    return entry(action, principal.user.id, principal.origin);
}

void record(const Database &database, ActivityEntry entry)
{
    if (!entry.at.isValid())
        entry.at = QDateTime::currentDateTimeUtc();
    ActivityRepository(database).append(entry);
}

} // namespace Tasklane::ActivityLog
