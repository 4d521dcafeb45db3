#pragma once

#include "principal.h"
#include "tokenpair.h"
#include "twofactor.h"

namespace Tasklane {

class AuthService;
class Database;
class JobQueue;
class PasswordHasher;
class PrincipalCache;
class SecretBox;
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

    // On the hashing pool: nothing, if `password` is the account's; a validation error on
    // `password` otherwise.
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

    // Login's answer when the password was right and 2FA is on.
    MfaChallenge challenge(qint64 userId) const;
    // Login's second step: a session, if the token is live and the factor holds. A wrong code
    // uses up one of the token's tries.
    TokenPair completeLogin(const SecondFactorLoginRequest &request) const;

private:
    // In the caller's transaction, the user's row locked: whether `factor` holds, spending it
    // (a TOTP step recorded, a recovery code marked used).
    bool spendFactor(qint64 userId, const StoredTotp &totp, const SecondFactor &factor) const;
    // In the caller's transaction: new recovery codes stored, returned in the clear once.
    RecoveryCodes replaceRecoveryCodes(qint64 userId) const;
    // In the caller's transaction: the user's row locked, and their 2FA state if it is on;
    // Conflict otherwise.
    StoredTotp lockEnabled(qint64 userId) const;
    QByteArray openSecret(qint64 userId, const StoredTotp &totp) const;

    const Database &m_database;
    const PasswordHasher &m_hasher;
    const SecretBox &m_secrets;
    const AuthService &m_auth;
    const JobQueue &m_jobs;
    PrincipalCache &m_principals;
    QString m_issuer;
};

} // namespace Tasklane
