#pragma once

#include "authrequests.h"
#include "principal.h"
#include "requestorigin.h"
#include "tokenpair.h"
#include "user.h"
#include "userrepository.h"

namespace Tasklane {

class CacheRefresher;
class Database;
class JwtCodec;
class LoginThrottle;
class PasswordHasher;
class PasswordPolicy;
class PrincipalCache;

// Accounts and tokens: sign-up, login, refresh-token rotation with reuse detection, logout, and
// the authentication of each request's access token. Throws ApiError for what a client did
// wrong and DatabaseError when storage fails.
class AuthService
{
public:
    AuthService(const Database &database, const PasswordHasher &hasher,
                const PasswordPolicy &policy, const JwtCodec &jwt, PrincipalCache &principals,
                qint64 refreshLifetimeSeconds);

    // The policy check and Argon2id hash of a new password (on the hashing pool).
    QString hashNewPassword(const QString &password) const;
    // The hash of a random 256-bit password nobody is told (on the hashing pool): an account
    // made for someone (POST /admin/users) cannot be signed in to until its owner sets one.
    // A real hash, so that signing in to it costs what any wrong password does.
    QString hashUnknowablePassword() const;
    // An account made by an operator, its address counted as verified (sign-up is
    // AccountService's). Conflict when the address has an account.
    User createAccount(const QString &email, const QString &displayName,
                       const QString &passwordHash, Role role) const;
    // Both steps at once (the `user create` command, and any role).
    User createUser(const QString &email, const QString &displayName, const QString &password,
                    Role role) const;
    // Login in two steps likewise: the account if email and password match (its password hash
    // as stored now), then a new session (token family) for that user, unless a second factor
    // is due (TwoFactorService::afterPassword decides, with the row locked).
    // A wrong password (or no such account) is in the activity log, from `origin`.
    UserRecord checkCredentials(const LoginRequest &request, const RequestOrigin &origin) const;
    // A new session (a row of sessions, recording `origin`) and its first tokens.
    TokenPair startSession(qint64 userId, const RequestOrigin &origin = {}) const;
    // startSession's writes in the caller's transaction (a second factor was just spent in it),
    // and the login in the activity log (with `details`: how it was proven).
    TokenPair openSession(qint64 userId, const RequestOrigin &origin,
                          const QJsonObject &details = {}) const;
    // The session goes on: its last use and origin are recorded.
    TokenPair refresh(const QString &refreshToken, const RequestOrigin &origin = {}) const;
    void logout(const Principal &principal, const QString &refreshToken) const;

    // Forgets refresh tokens, access-token revocations, link tokens and second-factor sign-ins
    // that expired before `now`; returns how many rows went.
    int purgeExpiredTokens(const QDateTime &now) const;

    // The claims of an access token whose signature, issuer, audience and times hold; ApiError
    // (401) otherwise, with the reason logged (never the token). No database: safe on the event
    // loop.
    AccessClaims verifyAccessToken(const QByteArray &token) const;
    // The principal behind an access token, all steps at once: cachedPrincipal, or
    // verifyAccessToken then authenticate. Reads the database: for a caller on its pool.
    Principal authenticateAccessToken(const QByteArray &token) const;
    // The principal behind a verified access token: the user must still exist and the token
    // must not have been revoked. Reads the database and remembers the answer for a while.
    Principal authenticate(const QByteArray &token, const AccessClaims &claims) const;
    // The principal if this token was authenticated recently: no signature check, no database
    // (safe on the event loop). Near the end of the entry's trusted time it is read again in the
    // background (setRefresher), so that a token in use does not wait for the database.
    std::optional<Principal> cachedPrincipal(const QByteArray &token) const;
    // Set while wiring; without one, entries expire and are read again by their next request.
    void setRefresher(CacheRefresher *refresher) { m_refresher = refresher; }
    // Set while wiring: failed logins slow down and lock accounts (none: never).
    void setLoginThrottle(const LoginThrottle *throttle) { m_throttle = throttle; }

private:
    TokenPair issueTokens(qint64 userId, const QString &familyId, qint64 sessionId) const;

    const Database &m_database;
    const PasswordHasher &m_hasher;
    const PasswordPolicy &m_policy;
    const JwtCodec &m_jwt;
    PrincipalCache &m_principals;
    qint64 m_refreshLifetimeSeconds;
    CacheRefresher *m_refresher = nullptr;
    const LoginThrottle *m_throttle = nullptr;
};

} // namespace Tasklane
