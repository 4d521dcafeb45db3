#include "twofactorcontroller.h"

#include "apierror.h"
#include "requestbody.h"
#include "router.h"
#include "twofactor.h"
#include "twofactorservice.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void TwoFactorController::registerRoutes(RouteTable &routes) const
{
    const auto bind = [this](HttpResponse (TwoFactorController::*handler)(const RequestContext &)
                                     const) {
        return [this, handler](const RequestContext &request) { return (this->*handler)(request); };
    };
    // Routes that take the password check it on the hashing pool, then write on the database's.
    routes.add({ "POST", u"/api/v1/auth/enable-2fa"_s, RouteAccess::signedIn().countedAsSignIn(),
                 Executor::Hashing, bind(&TwoFactorController::enable), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/enable-2fa/confirm"_s,
                 RouteAccess::signedIn().countedAsSignIn(), Executor::Database,
                 bind(&TwoFactorController::confirm), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/disable-2fa"_s, RouteAccess::signedIn().countedAsSignIn(),
                 Executor::Hashing, bind(&TwoFactorController::disable), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/2fa/recovery-codes"_s,
                 RouteAccess::signedIn().countedAsSignIn(), Executor::Hashing,
                 bind(&TwoFactorController::regenerateRecoveryCodes), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/login/2fa"_s, RouteAccess::anyone().countedAsSignIn(),
                 Executor::Database, bind(&TwoFactorController::loginSecondFactor),
                 SmallBodyBytes });
}

// POST /api/v1/auth/enable-2fa {password} -> 200 TwoFactorSetup (a secret waiting for its code)
HttpResponse TwoFactorController::enable(const RequestContext &request) const
{
    const auto body = parseBody<EnableTwoFactorRequest>(request);
    const Principal principal = request.requirePrincipal();
    m_twoFactor.checkPassword(principal, body.password);
    return HttpResponse::continueOn(Executor::Database, [this, principal] {
        return HttpResponse::json(200, m_twoFactor.begin(principal).toJson());
    });
}

// POST /api/v1/auth/enable-2fa/confirm {code} -> 200 RecoveryCodes (2FA on from now)
HttpResponse TwoFactorController::confirm(const RequestContext &request) const
{
    const auto body = parseBody<ConfirmTwoFactorRequest>(request);
    return HttpResponse::json(200,
                              m_twoFactor.confirm(request.requirePrincipal(), body.code).toJson());
}

// POST /api/v1/auth/disable-2fa {password, code | recovery_code} -> 204
HttpResponse TwoFactorController::disable(const RequestContext &request) const
{
    const auto body = parseBody<TwoFactorProofRequest>(request);
    const Principal principal = request.requirePrincipal();
    m_twoFactor.checkPassword(principal, body.password);
    return HttpResponse::continueOn(Executor::Database, [this, principal, factor = body.factor] {
        m_twoFactor.disable(principal, factor);
        return HttpResponse::empty(204);
    });
}

// POST /api/v1/auth/2fa/recovery-codes {password, code | recovery_code} -> 200 RecoveryCodes
HttpResponse TwoFactorController::regenerateRecoveryCodes(const RequestContext &request) const
{
    const auto body = parseBody<TwoFactorProofRequest>(request);
    const Principal principal = request.requirePrincipal();
    m_twoFactor.checkPassword(principal, body.password);
    return HttpResponse::continueOn(Executor::Database, [this, principal, factor = body.factor] {
        return HttpResponse::json(200,
                                  m_twoFactor.regenerateRecoveryCodes(principal, factor).toJson());
    });
}

// POST /api/v1/auth/login/2fa {mfa_token, code | recovery_code} -> 200 TokenPair
HttpResponse TwoFactorController::loginSecondFactor(const RequestContext &request) const
{
    return HttpResponse::json(
            200,
            m_twoFactor
                    .completeLogin(parseBody<SecondFactorLoginRequest>(request), request.origin())
                    .toJson());
}

} // namespace Tasklane
