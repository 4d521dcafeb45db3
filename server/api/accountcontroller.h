#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AccountService;
class AuthService;
class RouteTable;
class SignInLimits;

// /api/v1/auth: email verification, forgot-password and password reset. HTTP only.
class AccountController
{
public:
    AccountController(const AuthService &auth, const AccountService &accounts,
                      const SignInLimits &limits)
        : m_auth(auth), m_accounts(accounts), m_limits(limits)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse verifyEmail(const RequestContext &request) const;
    HttpResponse resendVerification(const RequestContext &request) const;
    HttpResponse forgotPassword(const RequestContext &request) const;
    HttpResponse resetPassword(const RequestContext &request) const;

    const AuthService &m_auth;
    const AccountService &m_accounts;
    const SignInLimits &m_limits;
};

} // namespace Tasklane
