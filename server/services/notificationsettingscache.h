#pragma once

#include "forgetfulcache.h"
#include "notificationsettings.h"

#include <QHash>
#include <QList>

namespace Tasklane {

class Database;

// Users' notification settings, as NotificationSettingsRepository reads them, kept so that a
// change to a task with a hundred readers does not read a hundred rows of settings (Notifier,
// in the writer's transaction: measured, that read was a third of a change's time on the one
// SQLite writer).
//
// Ordered as every ForgetfulCache: a save notes Database::Change::NotificationSettings, and the
// user's entry is forgotten once it committed, before it is acknowledged. Only this process's
// saves are heard: on PostgreSQL an entry is trusted for `lifetimeMs` at most (the principal
// cache's time), within which other processes see a change made through this one. Thread-safe.
class NotificationSettingsCache : public ForgetfulCache<qint64, NotificationSettings>
{
public:
    // `lifetimeMs`: how long an entry is trusted, -1 as long as it is not forgotten; 0 keeps
    // nothing. At most `capacity` users (the least recently used go first).
    explicit NotificationSettingsCache(int lifetimeMs, qsizetype capacity = 100'000)
        : ForgetfulCache(lifetimeMs, capacity)
    { }

    // The settings of each of `userIds`: those kept, and the others read (and kept). Those the
    // caller's open transaction saved itself are read, as it sees them, and not kept.
    QHash<qint64, NotificationSettings> settingsOf(const Database &database,
                                                   const QList<qint64> &userIds);
};

} // namespace Tasklane
