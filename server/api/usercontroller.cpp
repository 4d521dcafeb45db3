#include "usercontroller.h"

#include "apierror.h"
#include "authrequests.h"
#include "router.h"
#include "userservice.h"

namespace Tasklane {

void UserController::registerRoutes(RouteTable &routes) const
{
    // Answered from the principal alone: on the event loop when the principal cache knows it.
    routes.add({ "GET", QStringLiteral("/api/v1/users/me"), RouteAccess::signedIn(),
                 Executor::Database, [this](const RequestContext &request) { return me(request); },
                 /*principalOnly=*/true });
    // Hashing: a password change verifies the current password and hashes the new one.
    routes.add({ "PATCH", QStringLiteral("/api/v1/users/me"), RouteAccess::signedIn(),
                 Executor::Hashing,
                 [this](const RequestContext &request) { return updateMe(request); } });
}

// GET /api/v1/users/me -> 200 User
HttpResponse UserController::me(const RequestContext &request) const
{
    const Principal &principal = request.requirePrincipal();
    if (principal.userJson.isEmpty())
        return HttpResponse::json(200, principal.user.toJson());
    return HttpResponse::jsonBytes(200, principal.userJson);
}

// PATCH /api/v1/users/me {display_name?, email?, password?, current_password?} -> 200 User
HttpResponse UserController::updateMe(const RequestContext &request) const
{
    FieldErrors errors;
    const auto changes = UpdateMeRequest::fromJson(request.jsonObject(), &errors);
    if (!changes)
        throw ApiError::validation(errors);
    return HttpResponse::json(200, m_users.updateMe(request.requirePrincipal(), *changes).toJson());
}

} // namespace Tasklane
