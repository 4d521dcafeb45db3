#pragma once

#include "fielderror.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTime>

#include <optional>

namespace Tasklane {

// What a user wants to hear of and how, as GET /api/v1/users/me/notification-settings shows it:
// for each event type the channels it goes out on, quiet hours on the user's wall clock (email,
// push and SMS wait until they end; the in-app list is silent and is not held back), and the
// daily digest. New accounts get defaults(): in-app and email for every event, no quiet
// hours, no digest.
struct NotificationSettings
{
    // shared, changed, reminder, due_soon, overdue, blocker_done
    static const QStringList EventTypes;
    // in_app, email, push, sms
    static const QStringList Channels;

    // Per event type, the channels it goes out on (every type present).
    QHash<QString, QSet<QString>> channels;
    // Both set or neither; different from each other. A start after the end spans midnight.
    std::optional<QTime> quietStart;
    std::optional<QTime> quietEnd;
    // The digest: one email a day at `digestHour` on the user's wall clock listing what is
    // overdue and due that day; with `digestInsteadOfEmail`, the single emails of the day wait
    // for it instead of going out one by one.
    bool digest = false;
    int digestHour = 7;
    bool digestInsteadOfEmail = false;

    static NotificationSettings defaults();
    bool wants(const QString &eventType, const QString &channel) const;
    bool hasQuietHours() const { return quietStart.has_value(); }
    // True when `localTime` is inside the quiet hours ([start, end), across midnight if need be).
    bool isQuietAt(QTime localTime) const;

    QJsonObject toJson() const;
    // The stored form (what toJson wrote): unknown or missing parts fall back to the defaults.
    static NotificationSettings fromStoredJson(const QJsonObject &json);
    // A PATCH body applied to `base`: every part optional (events.<type>.<channel> booleans one
    // by one, quiet_hours replaced as a whole or null, digest fields one by one). Each problem
    // is appended to `errors` (fields named like events.reminder.sms) and nullopt returned.
    static std::optional<NotificationSettings>
    patched(const NotificationSettings &base, const QJsonObject &patch, FieldErrors *errors);

    friend bool operator==(const NotificationSettings &, const NotificationSettings &) = default;
};

} // namespace Tasklane
