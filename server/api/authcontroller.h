#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AccountService;
class AuthService;
class RouteTable;
class SignInLimits;
class TwoFactorService;

// /api/v1/auth: sign-up, login, token refresh and logout. HTTP only: parse, call, serialise.
class AuthController
{
public:
    AuthController(const AuthService &auth, const AccountService &accounts,
                   const TwoFactorService &twoFactor, const SignInLimits &limits)
        : m_auth(auth), m_accounts(accounts), m_twoFactor(twoFactor), m_limits(limits)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse signup(const RequestContext &request) const;
    HttpResponse login(const RequestContext &request) const;
    HttpResponse refreshToken(const RequestContext &request) const;
    HttpResponse logout(const RequestContext &request) const;

    const AuthService &m_auth;
    const AccountService &m_accounts;
    const TwoFactorService &m_twoFactor;
    const SignInLimits &m_limits;
};

} // namespace Tasklane
