#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class NotificationService;
class NotificationSettingsService;
class RouteTable;

// /api/v1/notifications: the caller's own in-app notifications; and
// /api/v1/users/me/notification-settings: what they are told of, and how.
class NotificationController
{
public:
    NotificationController(const NotificationService &notifications,
                           const NotificationSettingsService &settings)
        : m_notifications(notifications), m_settings(settings)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;
    HttpResponse markRead(const RequestContext &request) const;
    HttpResponse markAllRead(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;
    HttpResponse getSettings(const RequestContext &request) const;
    HttpResponse updateSettings(const RequestContext &request) const;

    const NotificationService &m_notifications;
    const NotificationSettingsService &m_settings;
};

} // namespace Tasklane
