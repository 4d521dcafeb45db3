#include "authservice.h"

#include "activitylog.h"

#include "accounttokenrepository.h"
#include "apierror.h"
#include "cacherefresher.h"
#include "database.h"
#include "jwtcodec.h"
#include "loginthrottle.h"
#include "mfachallengerepository.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "refreshtokenrepository.h"
#include "securerandom.h"
#include "sessionevents.h"
#include "sessionrepository.h"
#include "userrepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAuth, "tasklane.auth")

namespace Tasklane {

namespace {
constexpr qsizetype RefreshTokenBytes = 32; // 256 bits

ApiError invalidRefreshToken()
{
    return ApiError(ApiError::Kind::InvalidRefreshToken,
                    u"The refresh token is invalid, expired or revoked."_s);
}
} // namespace

AuthService::AuthService(const Database &database, const PasswordHasher &hasher,
                         const PasswordPolicy &policy, const JwtCodec &jwt,
                         PrincipalCache &principals, qint64 refreshLifetimeSeconds)
    : m_database(database), m_hasher(hasher), m_policy(policy), m_jwt(jwt),
      m_principals(principals), m_refreshLifetimeSeconds(refreshLifetimeSeconds)
{ }

QString AuthService::hashNewPassword(const QString &password) const
{
    if (const FieldErrors errors = m_policy.check(u"password"_s, password); !errors.isEmpty())
        throw ApiError::validation(errors);
    return m_hasher.hash(password);
}

QString AuthService::hashUnknowablePassword() const
{
    return m_hasher.hash(SecureRandom::token(32));
}

User AuthService::createAccount(const QString &email, const QString &displayName,
                                const QString &passwordHash, Role role) const
{
    // The operator who creates it vouches for the address.
    const auto user
            = UserRepository(m_database).create(email, displayName, passwordHash, role, true);
    if (!user)
        throw ApiError(ApiError::Kind::Conflict, u"An account with this email already exists."_s,
                       { { u"email"_s, u"taken"_s, u"This email is already registered."_s } });
    ActivityEntry entry = ActivityLog::entry(ActivityAction::SignedUp, user->id, {});
    entry.actorId = 0; // the operator, at the server
    entry.details = { { u"by"_s, u"command"_s }, { u"role"_s, roleToString(role) } };
    ActivityLog::record(m_database, entry);
    qCInfo(lcAuth, "created user %lld with role %s", user->id, qUtf8Printable(roleToString(role)));
    return *user;
}

User AuthService::createUser(const QString &email, const QString &displayName,
                             const QString &password, Role role) const
{
    return createAccount(email, displayName, hashNewPassword(password), role);
}

UserRecord AuthService::checkCredentials(const LoginRequest &request,
                                         const RequestOrigin &origin) const
{
    // Who failed is not known: no actor, and the address typed is not kept (people type
    // passwords into it).
    const auto failed = [&](qint64 userId) {
        ActivityLog::record(
                m_database,
                ActivityLog::unattributedFailure(ActivityAction::LoginFailed, userId, origin));
    };
    const UserRepository users(m_database);
    // Slowed down or locked: refused before anything is checked (unknown addresses alike).
    const bool hadFailures = m_throttle && m_throttle->checkAllowed(request.email);
    const auto record = users.findByEmail(request.email);
    // Unknown account and wrong password cost the same hash, count as a failure alike and get
    // the same answer.
    if (!record) {
        m_hasher.verifyDummy(request.password);
        if (m_throttle)
            m_throttle->recordFailure(request.email, 0);
        failed(0);
        throw ApiError(ApiError::Kind::InvalidCredentials, u"The email or password is wrong."_s);
    }
    if (!m_hasher.verify(record->passwordHash, request.password)) {
        if (m_throttle)
            m_throttle->recordFailure(request.email, record->user.id);
        failed(record->user.id);
        throw ApiError(ApiError::Kind::InvalidCredentials, u"The email or password is wrong."_s);
    }
    if (hadFailures) {
        // Concurrent wrong guesses may have locked it while this one was being hashed: locked
        // means locked, whatever this password was.
        if (m_throttle->isLocked(request.email))
            throw ApiError(ApiError::Kind::InvalidCredentials,
                           u"The email or password is wrong."_s);
        // With 2FA on, the failures are forgotten once the second step succeeds.
        if (!record->user.twoFactorEnabled)
            m_throttle->recordSuccess(request.email);
    }
    // Told only to whoever knows the password: the account is there, and signs in no more.
    if (record->user.status != AccountStatus::Active) {
        ActivityEntry entry = ActivityLog::unattributedFailure(ActivityAction::LoginFailed,
                                                               record->user.id, origin);
        entry.actorId = record->user.id;
        entry.details = { { u"status"_s, accountStatusToString(record->user.status) } };
        ActivityLog::record(m_database, entry);
        throw ApiError(ApiError::Kind::AccountInactive,
                       record->user.status == AccountStatus::Deactivated
                               ? u"This account is deactivated; an administrator can "
                                 "reactivate it."_s
                               : u"This account is locked by an administrator."_s);
    }
    UserRecord checked = *record;
    if (m_hasher.needsRehash(record->passwordHash)) {
        UserRepository::Changes changes;
        changes.passwordHash = m_hasher.hash(request.password);
        // Only if the password is still the one just checked (a change meanwhile wins).
        changes.expectedPasswordHash = record->passwordHash;
        if (users.update(record->user.id, changes) == UserRepository::UpdateResult::Updated)
            checked.passwordHash = *changes.passwordHash;
    }
    return checked;
}

TokenPair AuthService::startSession(qint64 userId, const RequestOrigin &origin) const
{
    Transaction transaction(m_database);
    TokenPair tokens = openSession(userId, origin);
    transaction.commit();
    return tokens;
}

TokenPair AuthService::openSession(qint64 userId, const RequestOrigin &origin,
                                   const QJsonObject &details) const
{
    const QString familyId = SecureRandom::token(16);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 sessionId
            = SessionRepository(m_database)
                      .open(userId, familyId, origin, now, now.addSecs(m_refreshLifetimeSeconds));
    ActivityEntry entry = ActivityLog::entry(ActivityAction::LoggedIn, userId, origin);
    entry.targetType = u"session"_s;
    entry.targetId = sessionId;
    entry.details = details;
    ActivityLog::record(m_database, entry);
    return issueTokens(userId, familyId, sessionId);
}

TokenPair AuthService::refresh(const QString &refreshToken, const RequestOrigin &origin) const
{
    const RefreshTokenRepository tokens(m_database);
    const QString hash = sha256Hex(refreshToken.toUtf8());
    Transaction transaction(m_database);
    const auto record = tokens.findByHash(hash);
    if (!record)
        throw invalidRefreshToken();
    const auto endFamily = [&] {
        // A rotated token presented again means it leaked: end the whole family.
        tokens.revokeFamily(record->familyId);
        transaction.commit();
        qCWarning(lcAuth, "refresh token reuse for user %lld: family revoked", record->userId);
        return invalidRefreshToken();
    };
    if (record->revoked) { // logged out, or its family already ended: nothing new to end
        qCInfo(lcAuth, "a revoked refresh token was presented for user %lld", record->userId);
        throw invalidRefreshToken();
    }
    if (record->rotated)
        throw endFamily();
    if (record->expiresAt <= QDateTime::currentDateTimeUtc())
        throw invalidRefreshToken();
    // Closing an account revokes its tokens; this covers a refresh racing the closure.
    const auto owner = UserRepository(m_database).findById(record->userId);
    if (!owner || owner->user.status != AccountStatus::Active)
        throw invalidRefreshToken();
    // Zero rows means a concurrent request rotated it between our read and this update (on
    // PostgreSQL, BEGIN does not serialise the two as SQLite's BEGIN IMMEDIATE does): the
    // same token was presented twice, which is reuse too.
    if (!tokens.markRotated(record->id))
        throw endFamily();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto sessionId = SessionRepository(m_database)
                                   .touch(record->userId, record->familyId, origin, now,
                                          now.addSecs(m_refreshLifetimeSeconds));
    if (!sessionId) // ended by its owner while this token was out
        throw invalidRefreshToken();
    TokenPair pair = issueTokens(record->userId, record->familyId, *sessionId);
    transaction.commit();
    return pair;
}

void AuthService::logout(const Principal &principal, const QString &refreshToken) const
{
    const RefreshTokenRepository tokens(m_database);
    Transaction transaction(m_database);
    const auto record = tokens.findByHash(sha256Hex(refreshToken.toUtf8()));
    // Someone else's token is left alone, and told apart from nothing.
    if (record && record->userId == principal.user.id) {
        tokens.revokeFamily(record->familyId);
        SessionRepository(m_database).endFamily(record->familyId, QDateTime::currentDateTimeUtc());
    }
    RevokedAccessTokenRepository(m_database).revoke(principal.token.jti, principal.token.expiresAt);
    SessionEvents::tokenRevoked(m_database, principal.user.id, principal.token.jti);
    ActivityEntry entry = ActivityLog::entry(ActivityAction::LoggedOut, principal);
    if (principal.token.sessionId) {
        entry.targetType = u"session"_s;
        entry.targetId = principal.token.sessionId;
    }
    ActivityLog::record(m_database, entry);
    transaction.commit();
    m_principals.forgetToken(principal.token.jti);
}

int AuthService::purgeExpiredTokens(const QDateTime &now) const
{
    // Revocations must outlive the tokens they revoke, clock leeway included.
    const QDateTime safe = now.addSecs(-JwtCodec::LeewaySeconds);
    Transaction transaction(m_database);
    const int purged = RefreshTokenRepository(m_database).purgeExpired(safe)
            + RevokedAccessTokenRepository(m_database).purgeExpired(safe)
            + AccountTokenRepository(m_database).purgeExpired(now)
            + MfaChallengeRepository(m_database).purgeExpired(now)
            + SessionRepository(m_database).purge(safe);
    transaction.commit();
    return purged;
}

AccessClaims AuthService::verifyAccessToken(const QByteArray &token) const
{
    QString reason;
    const auto claims = m_jwt.verify(token, &reason);
    if (!claims) {
        qCInfo(lcAuth, "rejected an access token: %s", qUtf8Printable(reason));
        throw ApiError(ApiError::Kind::Unauthorized, u"The access token is invalid or expired."_s);
    }
    return *claims;
}

Principal AuthService::authenticateAccessToken(const QByteArray &token) const
{
    if (std::optional<Principal> principal = cachedPrincipal(token))
        return *principal;
    return authenticate(token, verifyAccessToken(token));
}

Principal AuthService::authenticate(const QByteArray &token, const AccessClaims &claims) const
{
    // Before the read: a logout or user change that commits after it makes remember() refuse.
    const PrincipalCache::Generation readAt = m_principals.snapshot();
    const auto record = UserRepository(m_database)
                                .findUnlessTokenRevoked(claims.userId, claims.jti, claims.issuedAt,
                                                        claims.sessionId);
    if (!record)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token has been revoked or its user no longer exists."_s);
    Principal principal{ record->user, claims, {}, {} };
    m_principals.remember(token, principal, readAt);
    return principal;
}

std::optional<Principal> AuthService::cachedPrincipal(const QByteArray &token) const
{
    bool refreshDue = false;
    std::optional<Principal> principal
            = m_principals.find(token, m_refresher ? &refreshDue : nullptr);
    if (refreshDue) {
        m_refresher->refresh([this, token, claims = principal->token] {
            try {
                authenticate(token, claims);
            } catch (const ApiError &) {
                // Revoked, or the user is gone: its next request reads the database and is refused.
                m_principals.forgetToken(claims.jti);
            }
        });
    }
    return principal;
}

TokenPair AuthService::issueTokens(qint64 userId, const QString &familyId, qint64 sessionId) const
{
    const QString refreshToken = SecureRandom::token(RefreshTokenBytes);
    RefreshTokenRepository(m_database)
            .insert(userId, familyId, sha256Hex(refreshToken.toUtf8()),
                    QDateTime::currentDateTimeUtc().addSecs(m_refreshLifetimeSeconds));
    TokenPair pair;
    pair.accessToken = m_jwt.issue(userId, sessionId);
    pair.refreshToken = refreshToken;
    pair.expiresIn = m_jwt.lifetimeSeconds();
    return pair;
}

} // namespace Tasklane
