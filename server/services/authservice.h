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

    // The principal behind verified access-token claims: the user must still exist and the
    // token must not have been revoked. Reads the database unless the cache knows the token.
    Principal authenticate(const AccessClaims &claims) const;
    // The principal if the cache knows it, without touching the database (event loop safe).
    std::optional<Principal> cachedPrincipal(const AccessClaims &claims) const;

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
