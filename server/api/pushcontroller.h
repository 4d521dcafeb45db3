#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class PushService;
class RouteTable;

// /api/v1/notifications/subscribe and /api/v1/notifications/vapid-public-key: the caller's
// Web Push subscriptions.
class PushController
{
public:
    explicit PushController(const PushService &push) : m_push(push) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse vapidPublicKey(const RequestContext &request) const;
    HttpResponse subscribe(const RequestContext &request) const;
    HttpResponse unsubscribe(const RequestContext &request) const;

    const PushService &m_push;
};

} // namespace Tasklane
