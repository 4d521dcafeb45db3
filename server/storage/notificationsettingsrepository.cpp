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
    // Users whose address is not verified yet get no email (issue 11): their settings are
    // read without the email channel, so that no notice, reminder or digest plans one.
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT u.id, s.settings, u.email_verified_at FROM users u "
            "LEFT JOIN notification_settings s ON s.user_id = u.id WHERE u.id IN ("_s,
            {}, QVariantList(userIds.cbegin(), userIds.cend()), u")"_s, 64, Database::Retry::Safe);
    for (const QSqlRecord &row : rows) {
        NotificationSettings settings
                = row.value(1).isNull() ? defaults : parsed(row.value(1).toString());
        if (row.value(2).isNull()) {
            for (QSet<QString> &channels : settings.channels)
                channels.remove(u"email"_s);
        }
        found.insert(row.value(0).toLongLong(), settings);
    }
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
