#include "notificationsettingsrepository.h"

#include "database.h"

#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

NotificationSettings NotificationSettingsRepository::find(qint64 userId) const
{
    const auto row
            = m_database.fetchOne(u"SELECT settings FROM notification_settings WHERE user_id = ?"_s,
                                  { userId }, Database::Retry::Safe);
    if (!row)
        return NotificationSettings::defaults();
    return NotificationSettings::fromStoredJson(
            QJsonDocument::fromJson(row->value(0).toString().toUtf8()).object());
}

QHash<qint64, NotificationSettings>
NotificationSettingsRepository::findMany(const QList<qint64> &userIds) const
{
    QHash<qint64, NotificationSettings> found;
    for (qint64 id : userIds)
        found.insert(id, NotificationSettings::defaults());
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT user_id, settings FROM notification_settings WHERE user_id IN ("_s, {},
            QVariantList(userIds.cbegin(), userIds.cend()), u")"_s, 64, Database::Retry::Safe);
    for (const QSqlRecord &row : rows)
        found.insert(row.value(0).toLongLong(),
                     NotificationSettings::fromStoredJson(
                             QJsonDocument::fromJson(row.value(1).toString().toUtf8()).object()));
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
}

} // namespace Tasklane
