#pragma once

#include "authrequests.h"
#include "principal.h"
#include "tokenpair.h"
#include "user.h"

namespace Tasklane {

class Database;
class JwtCodec;
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

    User signup(const SignupRequest &request) const;
    // Creates an account of any role (the `user create` command; no request behind it).
    User createUser(const QString &email, const QString &displayName, const QString &password,
                    Role role) const;
    TokenPair login(const LoginRequest &request) const;
    TokenPair refresh(const QString &refreshToken) const;
    void logout(const Principal &principal, const QString &refreshToken) const;

    // Forgets refresh tokens and access-token revocations whose tokens expired before `now`;
    // returns how many rows went.
    int purgeExpiredTokens(const QDateTime &now) const;

    // The principal behind a verified access token: the user must still exist and the token
    // must not have been revoked. Reads the database and remembers the answer for a while.
    Principal authenticate(const QByteArray &token, const AccessClaims &claims) const;
    // The principal if this token was authenticated recently: no signature check, no database
    // (safe on the event loop).
    std::optional<Principal> cachedPrincipal(const QByteArray &token) const;

private:
    TokenPair issueTokens(qint64 userId, const QString &familyId) const;

    const Database &m_database;
    const PasswordHasher &m_hasher;
    const PasswordPolicy &m_policy;
    const JwtCodec &m_jwt;
    PrincipalCache &m_principals;
    qint64 m_refreshLifetimeSeconds;
};

} // namespace Tasklane
