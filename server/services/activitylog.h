#pragma once

#include "activity.h"
#include "requestorigin.h"

namespace Tasklane {

class Database;
struct Principal;

// Writes the activity log: what services call where an action happens, in the action's own
// transaction when it has one (so an action and its entry commit together), on its own
// otherwise (a failure, which changes nothing else).
namespace ActivityLog {

// The most of a User-Agent kept, as sessions keep it.
constexpr qsizetype UserAgentMaxLength = 256;

// An entry of `action` on `userId`'s account, done by that user from `origin`.
ActivityEntry entry(const QString &action, qint64 userId, const RequestOrigin &origin);
// A failed attempt on `userId`'s account (0: no account) by someone not known: no actor.
ActivityEntry unattributedFailure(const QString &action, qint64 userId,
                                  const RequestOrigin &origin);
// The same, by the signed-in principal (from where their request came).
ActivityEntry entry(const QString &action, const Principal &principal);
// Stamps the time (now, unless set) and appends it.
void record(const Database &database, ActivityEntry entry);

} // namespace ActivityLog

} // namespace Tasklane
