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
