#pragma once

#include "cachelifetime.h"
#include "forgetlog.h"
#include "notificationsettings.h"

#include <QCache>
#include <QHash>
#include <QList>
#include <QMutex>

namespace Tasklane {

class Database;

// Users' notification settings, as NotificationSettingsRepository reads them, kept so that a
// change to a task with a hundred readers does not read a hundred rows of settings (Notifier,
// in the writer's transaction: measured, that read was a third of a change's time on the one
// SQLite writer).
//
// Ordered as TaskReadersCache: a save notes Database::Change::NotificationSettings, and the
// user's entry is forgotten once it committed, before it is acknowledged; a reader takes a
// snapshot before it reads the database, and what it read is not kept if the user was forgotten
// since. Only this process's saves are heard: on PostgreSQL an entry is trusted for
// `lifetimeMs` at most (the principal cache's time), within which other processes see a change
// made through this one. Thread-safe.
class NotificationSettingsCache
{
public:
    // `lifetimeMs`: how long an entry is trusted, -1 as long as it is not forgotten; 0 keeps
    // nothing. At most `capacity` users (the least recently used go first).
    explicit NotificationSettingsCache(int lifetimeMs, qsizetype capacity = 100'000);
    Q_DISABLE_COPY_MOVE(NotificationSettingsCache)

    using Generation = ForgetLog<qint64>::Generation;

    // The settings of each of `userIds`: those kept, and the others read (and kept). Those the
    // caller's open transaction saved itself are read, as it sees them, and not kept.
    QHash<qint64, NotificationSettings> settingsOf(const Database &database,
                                                   const QList<qint64> &userIds);

    // The parts of settingsOf(). The settings kept of `userIds`; the others in `missing`.
    QHash<qint64, NotificationSettings> find(const QList<qint64> &userIds, QList<qint64> *missing);
    // To be taken before reading what remember() will be given.
    Generation snapshot() const;
    // Keeps the settings unless the user was forgotten after `readAt` (or the record that would
    // tell was pruned since); true when they were kept.
    bool remember(qint64 userId, const NotificationSettings &settings, Generation readAt);
    // Call after the user's settings changed and the change committed.
    void forget(qint64 userId);
    qsizetype size() const;

    // How many forgets are recorded before the record is pruned.
    static constexpr qsizetype MaxForgets = 65'536;

private:
    struct Entry
    {
        NotificationSettings settings;
        CacheDeadlines deadlines;
    };

    const int m_lifetimeMs;
    mutable QMutex m_mutex;
    QCache<qint64, Entry> m_entries;
    ForgetLog<qint64> m_forgets{ MaxForgets }; // by user
};

} // namespace Tasklane
