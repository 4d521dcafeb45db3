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
    bool allKept = true;
    for (qint64 userId : userIds) {
        std::optional<NotificationSettings> kept;
        if (!savedHere(userId))
            kept = find(userId);
        if (!kept) {
            allKept = false;
            break;
        }
        found.insert(userId, std::move(*kept));
    }
    if (allKept)
        return found;
    // One missing: all are read again, so that their lifetimes start together. Entries expire
    // apart (ForgetfulCache), and the same users come back together (a task's readers): read
    // one by one, a task with 100 readers would cost a statement every few changes rather than
    // about one per lifetime.
    const Generation readAt = snapshot();
    const QHash<qint64, NotificationSettings> read
            = NotificationSettingsRepository(database).findMany(userIds);
    for (auto it = read.cbegin(); it != read.cend(); ++it) {
        if (!savedHere(it.key()))
            remember(it.key(), it.value(), readAt);
    }
    return read;
}

} // namespace Tasklane
