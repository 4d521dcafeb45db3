#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of the mfa_challenges table: the tokens login answers with when a password was right
// and a second factor is due, stored as SHA-256 hashes.
class MfaChallengeRepository
{
public:
    explicit MfaChallengeRepository(const Database &database) : m_database(database) { }

    void insert(qint64 userId, const QString &tokenHash, const QDateTime &expiresAt) const;
    // Whose challenge this is, live or not (no lock taken: the caller locks the user next).
    std::optional<qint64> ownerOf(const QString &tokenHash) const;

    // One try of a challenge: counts it, if the challenge is unspent, unexpired and has had
    // fewer than `maxAttempts` tries; its id and user then, nullopt otherwise. One UPDATE ...
    // RETURNING, so concurrent tries cannot exceed the limit.
    struct Attempt
    {
        qint64 id = 0;
        qint64 userId = 0;
    };
    std::optional<Attempt> attempt(const QString &tokenHash, const QDateTime &now,
                                   int maxAttempts) const;
    // Marks it used; false when a concurrent try used it first.
    bool spend(qint64 id, const QDateTime &now) const;
    // Ends every unspent challenge of the user (2FA turned off, the password reset).
    void revokeAll(qint64 userId) const;
    // Deletes challenges that expired before `now`; how many went.
    int purgeExpired(const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
