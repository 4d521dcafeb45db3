#include "notificationsettingscache.h"

#include "database.h"
#include "notificationsettingsrepository.h"

#include <QMutexLocker>

namespace Tasklane {

NotificationSettingsCache::NotificationSettingsCache(int lifetimeMs, qsizetype capacity)
    : m_lifetimeMs(lifetimeMs), m_entries(capacity)
{ }

QHash<qint64, NotificationSettings>
NotificationSettingsCache::settingsOf(const Database &database, const QList<qint64> &userIds)
{
    // What the caller's open transaction saved is read from it, and not kept: it may yet be
    // rolled back.
    const auto savedHere = [&database](qint64 userId) {
        return database.notedInTransaction(Database::Change::NotificationSettings, userId);
    };
    QList<qint64> missing;
    QHash<qint64, NotificationSettings> found = find(userIds, &missing);
    for (auto it = found.begin(); it != found.end();) {
        if (savedHere(it.key())) {
            missing.append(it.key());
            it = found.erase(it);
        } else {
            ++it;
        }
    }
    if (missing.isEmpty())
        return found;
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

QHash<qint64, NotificationSettings> NotificationSettingsCache::find(const QList<qint64> &userIds,
                                                                    QList<qint64> *missing)
{
    QHash<qint64, NotificationSettings> found;
    found.reserve(userIds.size());
    const QMutexLocker lock(&m_mutex);
    for (qint64 userId : userIds) {
        const Entry *entry = m_entries.object(userId);
        if (entry && !entry->deadlines.expired())
            found.insert(userId, entry->settings);
        else
            missing->append(userId);
    }
    return found;
}

NotificationSettingsCache::Generation NotificationSettingsCache::snapshot() const
{
    const QMutexLocker lock(&m_mutex);
    return m_forgets.current();
}

bool NotificationSettingsCache::remember(qint64 userId, const NotificationSettings &settings,
                                         Generation readAt)
{
    if (m_lifetimeMs == 0)
        return false;
    const QMutexLocker lock(&m_mutex);
    if (m_forgets.forgottenSince(userId, readAt))
        return false;
    return m_entries.insert(userId, new Entry{ settings, spreadCacheDeadlines(m_lifetimeMs) });
}

void NotificationSettingsCache::forget(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.remove(userId);
    m_forgets.record(userId);
}

qsizetype NotificationSettingsCache::size() const
{
    const QMutexLocker lock(&m_mutex);
    return m_entries.size();
}

} // namespace Tasklane
