#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// A user's TOTP secret as stored: sealed (SecretBox), waiting for its first code or in force.
struct StoredTotp
{
    QByteArray sealedSecret;
    bool enabled = false;
    std::optional<qint64> lastStep; // of the last code accepted
};

// One unused recovery code as stored: SHA-256 of salt + code, hex.
struct StoredRecoveryCode
{
    qint64 id = 0;
    QByteArray salt;
    QString codeHash;
};

// All SQL of two-factor authentication's state: the users table's totp_* columns and the
// recovery_codes table. Writers run in the caller's transaction, the user's row locked first
// (UserRepository::lockForWrite).
class TwoFactorRepository
{
public:
    explicit TwoFactorRepository(const Database &database) : m_database(database) { }

    // nullopt when the user has no secret (2FA off, nothing waiting).
    std::optional<StoredTotp> totpOf(qint64 userId) const;
    // A new secret waiting for its first code; any earlier one (waiting) is replaced.
    void setPending(qint64 userId, const QByteArray &sealedSecret) const;
    // The waiting secret comes into force; `step` is the confirming code's.
    void enable(qint64 userId, qint64 step, const QDateTime &now) const;
    // Records `step` as the last one used, only if it is later than the last one recorded (and
    // 2FA is on): false means the code was used before (a replay, or a concurrent request).
    bool acceptStep(qint64 userId, qint64 step) const;
    // 2FA off: the secret and every recovery code go.
    void clear(qint64 userId) const;

    // The user's recovery codes become these (earlier ones, used or not, go).
    void replaceRecoveryCodes(qint64 userId, const QList<StoredRecoveryCode> &codes,
                              const QDateTime &now) const;
    QList<StoredRecoveryCode> unusedRecoveryCodes(qint64 userId) const;
    // Marks one used; false when it was used meanwhile.
    bool spendRecoveryCode(qint64 id, const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
