#pragma once

#include "loginthrottle.h"
#include "principal.h"
#include "requestorigin.h"
#include "tokenpair.h"
#include "twofactor.h"
#include "userrepository.h"

#include <variant>

namespace Tasklane {

class AuthService;
class Database;
class JobQueue;
class PasswordHasher;
class PrincipalCache;
class SecretBox;
class SignInLimits;
class Transaction;
struct StoredTotp;

// Two-factor authentication with TOTP (RFC 6238): turning it on (a secret shown once, in force
// after its first code), the second step of login, recovery codes, turning it off. Every code
// is checked against the stored last step, so no code works twice; each step that accepts one
// locks the account's row first. Throws ApiError.
class TwoFactorService
{
public:
    static constexpr qint64 ChallengeSeconds = 300; // an mfa_token's life
    static constexpr int ChallengeAttempts = 5; // codes one mfa_token may try
    static constexpr int RecoveryCodeCount = 10;

    TwoFactorService(const Database &database, const PasswordHasher &hasher,
                     const SecretBox &secrets, const AuthService &auth, const JobQueue &jobs,
                     PrincipalCache &principals, QString issuer);

    // Set while wiring: sign-in limits per account, and the lockout wrong codes count toward.
    void setLimits(const SignInLimits *limits, const LoginThrottle *throttle)
    {
        m_limits = limits;
        m_throttle = throttle;
    }

    // On the hashing pool: nothing, if `password` is the account's; a validation error on
    // `password` otherwise (a failure toward the lockout).
    void checkPassword(const Principal &principal, const QString &password) const;

    // A new secret waiting for its first code (replacing one waiting); Conflict when 2FA is on.
    TwoFactorSetup begin(const Principal &principal) const;
    // The waiting secret comes into force if `code` is its current code; the first recovery
    // codes. Conflict when nothing waits.
    RecoveryCodes confirm(const Principal &principal, const QString &code) const;
    // 2FA off, if `factor` holds: the secret, recovery codes and pending logins go.
    void disable(const Principal &principal, const SecondFactor &factor) const;
    // A new set of recovery codes, if `factor` holds; the earlier ones stop working.
    RecoveryCodes regenerateRecoveryCodes(const Principal &principal,
                                          const SecondFactor &factor) const;

    // In the caller's transaction, the user's row locked (closing the account): nothing when 2FA
    // is off; otherwise `factor` must be given and hold, and is spent. A wrong one is recorded
    // and counted toward the lockout: `transaction` is committed with that entry alone and the
    // error thrown.
    void requireFactorIfOn(const Principal &principal, const std::optional<SecondFactor> &factor,
                           Transaction &transaction) const;

    // Login's step after the password was checked (on the database pool): with the account's
    // row locked, the password must still be the one checked (InvalidCredentials otherwise: it
    // changed meanwhile); then tokens, or, with 2FA on by now, the challenge of the second step.
    std::variant<TokenPair, MfaChallenge> afterPassword(const UserRecord &checked,
                                                        const RequestOrigin &origin) const;
    // Login's second step: a session, if the token is live and the factor holds. A wrong code
    // uses up one of the token's tries.
    TokenPair completeLogin(const SecondFactorLoginRequest &request,
                            const RequestOrigin &origin) const;

private:
    // In the caller's transaction, the user's row locked: whether `factor` holds, spending it
    // (a TOTP step recorded, a recovery code marked used). The caller counts a failure toward
    // the lockout once its transaction has committed (failedProof).
    bool spendFactor(qint64 userId, const StoredTotp &totp, const SecondFactor &factor) const;
    // In the caller's transaction: new recovery codes stored, returned in the clear once.
    RecoveryCodes replaceRecoveryCodes(qint64 userId) const;
    // In the caller's transaction: the user's row locked, and their 2FA state if it is on;
    // Conflict otherwise.
    StoredTotp lockEnabled(qint64 userId) const;
    QByteArray openSecret(qint64 userId, const StoredTotp &totp) const;
    // Outside any transaction: the limits of one more proof by this user, or ApiError.
    void admitProof(qint64 userId, const QString &email, LoginThrottle::Caller caller) const;
    // A wrong code or recovery code from a signed-in user, in the activity log.
    void recordWrongFactor(const Principal &principal) const;
    void failedProof(qint64 userId, const QString &email) const;

    const Database &m_database;
    const PasswordHasher &m_hasher;
    const SecretBox &m_secrets;
    const AuthService &m_auth;
    const JobQueue &m_jobs;
    PrincipalCache &m_principals;
    QString m_issuer;
    const SignInLimits *m_limits = nullptr;
    const LoginThrottle *m_throttle = nullptr;
};

} // namespace Tasklane
