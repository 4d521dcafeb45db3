#include "sessioncontroller.h"

#include "apierror.h"
#include "router.h"
#include "sessionservice.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void SessionController::registerRoutes(RouteTable &routes) const
{
    const auto bind = [this](HttpResponse (SessionController::*handler)(const RequestContext &)
                                     const) {
        return [this, handler](const RequestContext &request) { return (this->*handler)(request); };
    };
    routes.add({ "GET", u"/api/v1/users/me/sessions"_s, RouteAccess::signedIn(), Executor::Database,
                 bind(&SessionController::list) });
    routes.add({ "DELETE", u"/api/v1/users/me/sessions/{id}"_s, RouteAccess::signedIn(),
                 Executor::DatabaseWrite, bind(&SessionController::end) });
    routes.add({ "DELETE", u"/api/v1/users/me/sessions"_s, RouteAccess::signedIn(),
                 Executor::DatabaseWrite, bind(&SessionController::endOthers) });
}

// GET /api/v1/users/me/sessions -> 200 SessionList
HttpResponse SessionController::list(const RequestContext &request) const
{
    return HttpResponse::json(200, m_sessions.list(request.requirePrincipal()).toJson());
}

// DELETE /api/v1/users/me/sessions/{id} -> 204 (the current one too: a logout)
HttpResponse SessionController::end(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"You have no such session."_s);
    m_sessions.end(request.requirePrincipal(), *id);
    return HttpResponse::empty(204);
}

// DELETE /api/v1/users/me/sessions -> 200 {ended}: every session but the one asking
HttpResponse SessionController::endOthers(const RequestContext &request) const
{
    const int ended = m_sessions.endOthers(request.requirePrincipal());
    return HttpResponse::json(200, QJsonObject{ { u"ended"_s, ended } });
}

} // namespace Tasklane
