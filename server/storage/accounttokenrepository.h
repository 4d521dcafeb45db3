#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// What a single-use token sent by email is for.
enum class AccountTokenPurpose { VerifyEmail, ResetPassword };

// A token that was just spent: whose it was, and the address it was sent to.
struct SpentAccountToken
{
    qint64 userId = 0;
    QString email;
};

// All SQL of the account_tokens table: single-use tokens stored as SHA-256 hashes.
class AccountTokenRepository
{
public:
    explicit AccountTokenRepository(const Database &database) : m_database(database) { }

    // Stores a new token's hash. The user's earlier unspent tokens of this purpose are deleted
    // first: only the newest link works.
    void replace(qint64 userId, AccountTokenPurpose purpose, const QString &tokenHash,
                 const QString &email, const QDateTime &expiresAt) const;
    // The account a token of this hash and purpose belongs to, spent or not (no lock taken).
    std::optional<qint64> ownerOf(const QString &tokenHash, AccountTokenPurpose purpose) const;
    // Spends the unspent, unexpired token of this hash and purpose; nullopt when there is none.
    // One UPDATE ... RETURNING: two requests with one token cannot both spend it.
    std::optional<SpentAccountToken> spend(const QString &tokenHash, AccountTokenPurpose purpose,
                                           const QDateTime &now) const;
    // Deletes the user's unspent tokens of this purpose (the password was reset another way).
    void revokeAll(qint64 userId, AccountTokenPurpose purpose) const;
    // Deletes tokens that expired before `now`; how many went.
    int purgeExpired(const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
