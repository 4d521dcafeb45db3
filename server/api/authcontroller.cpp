#include "authcontroller.h"

#include "accountservice.h"
#include "apierror.h"
#include "authrequests.h"
#include "authservice.h"
#include "requestbody.h"
#include "router.h"
#include "signinlimits.h"
#include "twofactorservice.h"

namespace Tasklane {

void AuthController::registerRoutes(RouteTable &routes) const
{
    const auto bind = [this](HttpResponse (AuthController::*handler)(const RequestContext &)
                                     const) {
        return [this, handler](const RequestContext &request) { return (this->*handler)(request); };
    };
    routes.add({ "POST", QStringLiteral("/api/v1/auth/signup"),
                 RouteAccess::anyone().countedAsSignIn(), Executor::Hashing,
                 bind(&AuthController::signup), SmallBodyBytes });
    routes.add({ "POST", QStringLiteral("/api/v1/auth/login"),
                 RouteAccess::anyone().countedAsSignIn(), Executor::Hashing,
                 bind(&AuthController::login), SmallBodyBytes });
    routes.add({ "POST", QStringLiteral("/api/v1/auth/refresh-token"), RouteAccess::anyone(),
                 Executor::Database, bind(&AuthController::refreshToken), SmallBodyBytes });
    routes.add({ "POST", QStringLiteral("/api/v1/auth/logout"),
                 RouteAccess::signedIn().evenBeforePasswordChange(), Executor::Database,
                 bind(&AuthController::logout), SmallBodyBytes });
}

// POST /api/v1/auth/signup {email, password, display_name} -> 202 {email}
// The same answer, after the same work, whether or not the address has an account: a new
// account gets a verification link, an existing one a notice (AccountService::signUp). The hash
// is made here, on the hashing pool; the rest is written on the database pool.
HttpResponse AuthController::signup(const RequestContext &request) const
{
    const auto body = parseBody<SignupRequest>(request);
    m_limits.checkEmail(body.email, SignInLimits::Purpose::SignUp);
    const QString hash = m_auth.hashNewPassword(body.password);
    return HttpResponse::continueOn(
            Executor::Database, [this, body, hash, origin = request.origin()] {
                m_accounts.signUp(body.email, body.displayName, hash, origin);
                return HttpResponse::json(202,
                                          QJsonObject{ { QStringLiteral("email"), body.email } });
            });
}

// POST /api/v1/auth/login {email, password} -> 200 TokenPair, or 200 MfaChallenge when the
// account has 2FA on (then POST /auth/login/2fa).
// The password is checked on the hashing pool; the session is written on the database pool,
// so that no hashing thread waits for a commit.
HttpResponse AuthController::login(const RequestContext &request) const
{
    const auto body = parseBody<LoginRequest>(request);
    m_limits.checkEmail(body.email, SignInLimits::Purpose::SignIn);
    const UserRecord checked = m_auth.checkCredentials(body, request.origin());
    return HttpResponse::continueOn(Executor::Database, [this, checked, origin = request.origin()] {
        const auto next = m_twoFactor.afterPassword(checked, origin);
        return HttpResponse::json(
                200, std::visit([](const auto &answer) { return answer.toJson(); }, next));
    });
}

// POST /api/v1/auth/refresh-token {refresh_token} -> 200 TokenPair (the old one is spent)
HttpResponse AuthController::refreshToken(const RequestContext &request) const
{
    const auto body = parseBody<RefreshTokenRequest>(request);
    return HttpResponse::json(200, m_auth.refresh(body.refreshToken, request.origin()).toJson());
}

// POST /api/v1/auth/logout {refresh_token} -> 204; ends the family and this access token
HttpResponse AuthController::logout(const RequestContext &request) const
{
    const auto body = parseBody<RefreshTokenRequest>(request);
    m_auth.logout(request.requirePrincipal(), body.refreshToken);
    return HttpResponse::empty(204);
}

} // namespace Tasklane
