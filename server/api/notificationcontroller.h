#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class NotificationService;
class RouteTable;

// /api/v1/notifications: the caller's own in-app notifications.
class NotificationController
{
public:
    explicit NotificationController(const NotificationService &notifications)
        : m_notifications(notifications)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;
    HttpResponse markRead(const RequestContext &request) const;
    HttpResponse markAllRead(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const NotificationService &m_notifications;
};

} // namespace Tasklane
