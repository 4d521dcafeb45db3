#include "pushcontroller.h"

#include "pushservice.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void PushController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler) {
        routes.add({ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } });
    };
    route("GET", u"/api/v1/notifications/vapid-public-key"_s, &PushController::vapidPublicKey);
    route("POST", u"/api/v1/notifications/subscribe"_s, &PushController::subscribe);
    route("DELETE", u"/api/v1/notifications/subscribe"_s, &PushController::unsubscribe);
}

// GET /api/v1/notifications/vapid-public-key -> 200 {"public_key"}
HttpResponse PushController::vapidPublicKey(const RequestContext &) const
{
    return HttpResponse::json(200, { { u"public_key"_s, m_push.vapidPublicKey() } });
}

// POST /api/v1/notifications/subscribe {endpoint, keys: {p256dh, auth}} -> 201 (new) or 200
// PushSubscription
HttpResponse PushController::subscribe(const RequestContext &request) const
{
    bool created = false;
    const PushSubscription subscription
            = m_push.subscribe(request.requirePrincipal(), request.jsonObject(), &created);
    return HttpResponse::json(created ? 201 : 200, subscription.toJson());
}

// DELETE /api/v1/notifications/subscribe {endpoint} -> 204
HttpResponse PushController::unsubscribe(const RequestContext &request) const
{
    m_push.unsubscribe(request.requirePrincipal(), request.jsonObject());
    return HttpResponse::empty(204);
}

} // namespace Tasklane
