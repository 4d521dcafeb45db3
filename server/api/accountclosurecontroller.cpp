#include "accountclosurecontroller.h"

#include "accountclosureservice.h"
#include "requestbody.h"
#include "router.h"
#include "twofactor.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void AccountClosureController::registerRoutes(RouteTable &routes) const
{
    // Both prove the password on the hashing pool, then write on the database's; both count
    // as sign-in attempts (per client address and account).
    routes.add({ "POST", u"/api/v1/users/me/deactivate"_s,
                 RouteAccess::signedIn().countedAsSignIn(), Executor::Hashing,
                 [this](const RequestContext &request) { return deactivate(request); },
                 SmallBodyBytes });
    routes.add({ "DELETE", u"/api/v1/users/me"_s, RouteAccess::signedIn().countedAsSignIn(),
                 Executor::Hashing,
                 [this](const RequestContext &request) { return remove(request); },
                 SmallBodyBytes });
}

// POST /api/v1/users/me/deactivate {password, code | recovery_code} -> 204
HttpResponse AccountClosureController::deactivate(const RequestContext &request) const
{
    return close(request, &AccountClosureService::deactivate);
}

// DELETE /api/v1/users/me {password, code | recovery_code} -> 204
HttpResponse AccountClosureController::remove(const RequestContext &request) const
{
    return close(request, &AccountClosureService::remove);
}

HttpResponse AccountClosureController::close(const RequestContext &request, Closing closing) const
{
    const auto body = parseBody<AccountClosureRequest>(request);
    const Principal principal = request.requirePrincipal();
    m_closure.checkPassword(principal, body.password);
    return HttpResponse::continueOn(Executor::DatabaseWrite,
                                    [this, principal, closing, factor = body.factor] {
                                        (m_closure.*closing)(principal, factor);
                                        return HttpResponse::empty(204);
                                    });
}

} // namespace Tasklane
