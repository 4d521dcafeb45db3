#pragma once

#include "notificationsettings.h"
#include "principal.h"

#include <QJsonObject>

namespace Tasklane {

class CommitGroup;
class Database;
class DigestJob;

// A user's own notification settings (GET/PATCH /api/v1/users/me/notification-settings).
class NotificationSettingsService
{
public:
    NotificationSettingsService(const Database &database, CommitGroup &writes,
                                const DigestJob &digests)
        : m_database(database), m_writes(writes), m_digests(digests)
    { }

    NotificationSettings get(const Principal &principal) const;
    // `patch` applied (see NotificationSettings::patched; a bad field is a validation error),
    // the digest rescheduled to match, in one transaction; returns the settings now in force.
    NotificationSettings update(const Principal &principal, const QJsonObject &patch) const;

private:
    const Database &m_database;
    CommitGroup &m_writes;
    const DigestJob &m_digests;
};

} // namespace Tasklane
