#include "notificationsettingsrepository.h"

#include "database.h"

#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// The settings a stored text says, parsed once per distinct text on each thread: many users
// store the same choices, and a change to a task with a hundred readers reads all of theirs.
// Keyed by the text itself, it is never stale; bounded, it is emptied when full.
NotificationSettings parsed(const QString &stored)
{
    constexpr qsizetype MaxTexts = 256;
    thread_local QHash<QString, NotificationSettings> known;
    if (const auto it = known.constFind(stored); it != known.cend())
        return *it;
    if (known.size() >= MaxTexts)
        known.clear();
    NotificationSettings settings = NotificationSettings::fromStoredJson(
            QJsonDocument::fromJson(stored.toUtf8()).object());
    known.insert(stored, settings);
    return settings;
}
} // namespace

NotificationSettings NotificationSettingsRepository::find(qint64 userId) const
{
    const auto row
            = m_database.fetchOne(u"SELECT settings FROM notification_settings WHERE user_id = ?"_s,
                                  { userId }, Database::Retry::Safe);
    if (!row)
        return NotificationSettings::defaults();
    return parsed(row->value(0).toString());
}

QHash<qint64, NotificationSettings>
NotificationSettingsRepository::findMany(const QList<qint64> &userIds) const
{
    QHash<qint64, NotificationSettings> found;
    found.reserve(userIds.size());
    const NotificationSettings defaults = NotificationSettings::defaults();
    for (qint64 id : userIds)
        found.insert(id, defaults);
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT user_id, settings FROM notification_settings WHERE user_id IN ("_s, {},
            QVariantList(userIds.cbegin(), userIds.cend()), u")"_s, 64, Database::Retry::Safe);
    for (const QSqlRecord &row : rows)
        found.insert(row.value(0).toLongLong(), parsed(row.value(1).toString()));
    return found;
}

void NotificationSettingsRepository::save(qint64 userId, const NotificationSettings &settings,
                                          const QDateTime &now) const
{
    m_database.execute(
            u"INSERT INTO notification_settings (user_id, settings, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, "
            "updated_at = excluded.updated_at"_s,
            { userId,
              QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact)),
              Database::bindTime(now) });
    m_database.noteChanged(Database::Change::NotificationSettings, userId);
}

} // namespace Tasklane
