#include "accountcontroller.h"

#include "accountservice.h"
#include "apierror.h"
#include "authrequests.h"
#include "authservice.h"
#include "router.h"
#include "signinlimits.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void AccountController::registerRoutes(RouteTable &routes) const
{
    const auto bind = [this](HttpResponse (AccountController::*handler)(const RequestContext &)
                                     const) {
        return [this, handler](const RequestContext &request) { return (this->*handler)(request); };
    };
    routes.add({ "POST", u"/api/v1/auth/verify-email"_s, RouteAccess::anyone().countedAsSignIn(),
                 Executor::Database, bind(&AccountController::verifyEmail), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/verify-email/resend"_s,
                 RouteAccess::signedIn().countedAsSignIn(), Executor::Database,
                 bind(&AccountController::resendVerification), SmallBodyBytes });
    routes.add({ "POST", u"/api/v1/auth/forgot-password"_s, RouteAccess::anyone().countedAsSignIn(),
                 Executor::Database, bind(&AccountController::forgotPassword), SmallBodyBytes });
    // The new password is hashed on the hashing pool, then the token spent on the database pool.
    routes.add({ "POST", u"/api/v1/auth/reset-password"_s, RouteAccess::anyone().countedAsSignIn(),
                 Executor::Hashing, bind(&AccountController::resetPassword), SmallBodyBytes });
}

// POST /api/v1/auth/verify-email {token} -> 200 User
HttpResponse AccountController::verifyEmail(const RequestContext &request) const
{
    FieldErrors errors;
    const auto body = AccountTokenRequest::fromJson(request.jsonObject(), false, &errors);
    if (!body)
        throw ApiError::validation(errors);
    return HttpResponse::json(200, m_accounts.verifyEmail(body->token, request.origin()).toJson());
}

// POST /api/v1/auth/verify-email/resend -> 202 {email}: a new link for the address waiting
HttpResponse AccountController::resendVerification(const RequestContext &request) const
{
    m_limits.checkUser(request.requirePrincipal().user.id);
    const QString address = m_accounts.resendVerification(request.requirePrincipal());
    return HttpResponse::json(202, QJsonObject{ { u"email"_s, address } });
}

// POST /api/v1/auth/forgot-password {email} -> 202 {email}, whether or not the address has an
// account
HttpResponse AccountController::forgotPassword(const RequestContext &request) const
{
    FieldErrors errors;
    const auto body = ForgotPasswordRequest::fromJson(request.jsonObject(), &errors);
    if (!body)
        throw ApiError::validation(errors);
    m_limits.checkEmail(body->email, SignInLimits::Purpose::Recovery);
    m_accounts.forgotPassword(body->email);
    return HttpResponse::json(202, QJsonObject{ { u"email"_s, body->email } });
}

// POST /api/v1/auth/reset-password {token, password} -> 204; every session of the account ends
HttpResponse AccountController::resetPassword(const RequestContext &request) const
{
    FieldErrors errors;
    const auto body = AccountTokenRequest::fromJson(request.jsonObject(), true, &errors);
    if (!body)
        throw ApiError::validation(errors);
    const QString hash = m_auth.hashNewPassword(body->password);
    return HttpResponse::continueOn(Executor::Database,
                                    [this, token = body->token, hash, origin = request.origin()] {
                                        m_accounts.resetPassword(token, hash, origin);
                                        return HttpResponse::empty(204);
                                    });
}

} // namespace Tasklane
