#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RouteTable;
class TwoFactorService;

// /api/v1/auth: two-factor authentication (TOTP): setting it up, login's second step,
// recovery codes, turning it off. HTTP only. Answers carrying a secret or codes are never
// cached (the default Cache-Control: no-store).
class TwoFactorController
{
public:
    explicit TwoFactorController(const TwoFactorService &twoFactor) : m_twoFactor(twoFactor) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse enable(const RequestContext &request) const;
    HttpResponse confirm(const RequestContext &request) const;
    HttpResponse disable(const RequestContext &request) const;
    HttpResponse regenerateRecoveryCodes(const RequestContext &request) const;
    HttpResponse loginSecondFactor(const RequestContext &request) const;

    const TwoFactorService &m_twoFactor;
};

} // namespace Tasklane
