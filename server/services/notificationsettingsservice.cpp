#include "notificationsettingsservice.h"

#include "apierror.h"
#include "commitgroup.h"
#include "database.h"
#include "digestjob.h"
#include "notificationsettingsrepository.h"

namespace Tasklane {

NotificationSettings NotificationSettingsService::get(const Principal &principal) const
{
    return NotificationSettingsRepository(m_database).find(principal.user.id);
}

NotificationSettings NotificationSettingsService::update(const Principal &principal,
                                                         const QJsonObject &patch) const
{
    return m_writes.run([&] {
        const NotificationSettingsRepository repository(m_database);
        const NotificationSettings before = repository.find(principal.user.id);
        FieldErrors errors;
        const auto after = NotificationSettings::patched(before, patch, &errors);
        if (!after)
            throw ApiError::validation(errors);
        repository.save(principal.user.id, *after, QDateTime::currentDateTimeUtc());
        m_digests.settingsChanged(principal.user, before, *after);
        return *after;
    });
}

} // namespace Tasklane
