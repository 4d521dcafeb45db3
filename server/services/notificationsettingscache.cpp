#include "notificationsettingscache.h"

#include "database.h"
#include "notificationsettingsrepository.h"

namespace Tasklane {

QHash<qint64, NotificationSettings>
NotificationSettingsCache::settingsOf(const Database &database, const QList<qint64> &userIds)
{
    // What the caller's open transaction saved is read from it, and not kept: it may yet be
    // rolled back. (Almost always none: one look at the transaction's notes for all users.)
    const QList<qint64> savedHereIds
            = database.notedInTransaction(Database::Change::NotificationSettings);
    const auto savedHere = [&savedHereIds](qint64 userId) { return savedHereIds.contains(userId); };
    QHash<qint64, NotificationSettings> found;
    found.reserve(userIds.size());
    QList<qint64> missing;
    for (qint64 userId : userIds) {
        std::optional<NotificationSettings> kept;
        if (!savedHere(userId))
            kept = find(userId);
        if (kept)
            found.insert(userId, std::move(*kept));
        else
            missing.append(userId);
    }
    if (missing.isEmpty())
        return found;
    // One missing: all are read again (those saved here aside, which are missing already), so
    // that their lifetimes start together. Entries expire apart (ForgetfulCache), and the same
    // users come back together (a task's readers): read one by one, a task with 100 readers
    // would cost a statement every few changes rather than about one per lifetime.
    missing.clear();
    for (qint64 userId : userIds)
        missing.append(userId);
    const Generation readAt = snapshot();
    const QHash<qint64, NotificationSettings> read
            = NotificationSettingsRepository(database).findMany(missing);
    for (auto it = read.cbegin(); it != read.cend(); ++it) {
        found.insert(it.key(), it.value());
        if (!savedHere(it.key()))
            remember(it.key(), it.value(), readAt);
    }
    return found;
}

} // namespace Tasklane
