#include "phonecontroller.h"

#include "phoneservice.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void PhoneController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler) {
        routes.add({ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } });
    };
    route("GET", u"/api/v1/users/me/phone"_s, &PhoneController::status);
    route("POST", u"/api/v1/users/me/phone"_s, &PhoneController::requestCode);
    route("POST", u"/api/v1/users/me/phone/verify"_s, &PhoneController::verify);
    route("DELETE", u"/api/v1/users/me/phone"_s, &PhoneController::remove);
}

// GET /api/v1/users/me/phone -> 200 {phone, pending}
HttpResponse PhoneController::status(const RequestContext &request) const
{
    return HttpResponse::json(200, m_phones.status(request.requirePrincipal()));
}

// POST /api/v1/users/me/phone {phone} -> 202 {phone, expires_at}: a code is on its way.
HttpResponse PhoneController::requestCode(const RequestContext &request) const
{
    return HttpResponse::json(
            202, m_phones.requestCode(request.requirePrincipal(), request.jsonObject()));
}

// POST /api/v1/users/me/phone/verify {code} -> 200 {phone, pending: null}
HttpResponse PhoneController::verify(const RequestContext &request) const
{
    return HttpResponse::json(200,
                              m_phones.verify(request.requirePrincipal(), request.jsonObject()));
}

// DELETE /api/v1/users/me/phone -> 204
HttpResponse PhoneController::remove(const RequestContext &request) const
{
    m_phones.remove(request.requirePrincipal());
    return HttpResponse::empty(204);
}

} // namespace Tasklane
