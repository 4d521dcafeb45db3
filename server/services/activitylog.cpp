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
    entry.userAgent = origin.userAgent.left(UserAgentMaxLength);
    return entry;
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
