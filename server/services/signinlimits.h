#pragma once

#include "ratelimiter.h"

#include <QHostAddress>
#include <QString>

namespace Tasklane {

class Database;

// The limits of the sign-in routes (sign-up, login and its second step, verification and its
// resend, forgot and reset password, the routes that check a password again): at most
// rate_limit_auth requests per window from one client address, and as many about one account,
// counted in the database so that every server and restart shares them. An account is named
// by what the request carries: the address typed (known or not: both count alike, so the
// answer tells nothing of whether an account has it) or the signed-in user.
class SignInLimits
{
public:
    SignInLimits(const Database &database, RateWindow window) : m_counter(database, window) { }

    bool enabled() const { return m_counter.enabled(); }
    // Each counts one request; ApiError (429, Retry-After, RateLimit-*) when over the limit.
    void checkAddress(const QHostAddress &client) const;
    // What a request about an address does: each counts apart, so that a flood of logins for
    // an address does not also keep its owner from asking for a reset link.
    enum class Purpose { SignIn, SignUp, Recovery };
    void checkEmail(const QString &typedEmail, Purpose purpose) const;
    void checkUser(qint64 userId) const;
    int purgeEnded(qint64 unixTime) const { return m_counter.purgeEnded(unixTime); }

private:
    SharedRateLimiter m_counter;
};

} // namespace Tasklane
