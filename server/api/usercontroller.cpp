#include "usercontroller.h"

#include "apierror.h"
#include "authrequests.h"
#include "router.h"
#include "signinlimits.h"
#include "userservice.h"

namespace Tasklane {

void UserController::registerRoutes(RouteTable &routes) const
{
    // Answered from the principal alone: on the event loop when the principal cache knows it.
    const auto me = [this](const RequestContext &request) { return this->me(request); };
    Route get{ "GET", QStringLiteral("/api/v1/users/me"),
               RouteAccess::signedIn().evenBeforePasswordChange(), Executor::Database, me };
    get.fromMemory = [me](const RequestContext &request) { return std::optional(me(request)); };
    routes.add(std::move(get));
    // The database pool; a change that needs the current password hops to the hashing pool
    // for the check (and any new hash), then back to the database pool for the write.
    routes.add({ "PATCH", QStringLiteral("/api/v1/users/me"),
                 RouteAccess::signedIn().evenBeforePasswordChange(), Executor::Database,
                 [this](const RequestContext &request) { return updateMe(request); },
                 SmallBodyBytes });
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
// Changing the email or password needs current_password.
HttpResponse UserController::updateMe(const RequestContext &request) const
{
    FieldErrors errors;
    const auto parsed = UpdateMeRequest::fromJson(request.jsonObject(), &errors);
    if (!parsed)
        throw ApiError::validation(errors);
    const Principal principal = request.requirePrincipal();
    const auto write = [this, principal](const UserRepository::Changes &changes) {
        return HttpResponse::json(200, m_users.applyChanges(principal, changes).toJson());
    };
    if (!UserService::needsPasswordWork(*parsed))
        return write(m_users.prepareChanges(principal, *parsed));
    // Proving the password is a sign-in request: counted per client address and account.
    m_limits.checkAddress(request.clientAddress);
    m_limits.checkUser(principal.user.id);
    return HttpResponse::continueOn(Executor::Hashing, [this, principal, write, body = *parsed] {
        const UserRepository::Changes changes = m_users.prepareChanges(principal, body);
        return HttpResponse::continueOn(Executor::Database,
                                        [write, changes] { return write(changes); });
    });
}

} // namespace Tasklane
