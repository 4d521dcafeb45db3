#pragma once

#include "notificationsettings.h"

#include <QDateTime>
#include <QHash>
#include <QList>

namespace Tasklane {

class Database;

// All SQL of notification_settings: one row per user who changed theirs.
class NotificationSettingsRepository
{
public:
    explicit NotificationSettingsRepository(const Database &database) : m_database(database) { }

    // The user's settings; the defaults when they never changed them.
    NotificationSettings find(qint64 userId) const;
    // find() for each of `userIds` (any number), by user id.
    QHash<qint64, NotificationSettings> findMany(const QList<qint64> &userIds) const;
    void save(qint64 userId, const NotificationSettings &settings, const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
