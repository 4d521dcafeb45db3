#include "mfachallengerepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

void MfaChallengeRepository::insert(qint64 userId, const QString &tokenHash,
                                    const QDateTime &expiresAt) const
{
    m_database.execute(u"INSERT INTO mfa_challenges (user_id, token_hash, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?)"_s,
                       { userId, tokenHash, Database::bindTime(QDateTime::currentDateTimeUtc()),
                         Database::bindTime(expiresAt) });
}

std::optional<qint64> MfaChallengeRepository::ownerOf(const QString &tokenHash) const
{
    const auto row = m_database.fetchOne(
            u"SELECT user_id FROM mfa_challenges WHERE token_hash = ?"_s, { tokenHash });
    return row ? std::optional<qint64>(row->value(0).toLongLong()) : std::nullopt;
}

std::optional<MfaChallengeRepository::Attempt>
MfaChallengeRepository::attempt(const QString &tokenHash, const QDateTime &now,
                                int maxAttempts) const
{
    const auto row = m_database.fetchOne(
            u"UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = ? "
            "AND used_at IS NULL AND expires_at > ? AND attempts < ? RETURNING id, user_id"_s,
            { tokenHash, Database::bindTime(now), maxAttempts });
    if (!row)
        return std::nullopt;
    return Attempt{ row->value(0).toLongLong(), row->value(1).toLongLong() };
}

bool MfaChallengeRepository::spend(qint64 id, const QDateTime &now) const
{
    return m_database.execute(
                   u"UPDATE mfa_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL"_s,
                   { Database::bindTime(now), id })
            == 1;
}

void MfaChallengeRepository::revokeAll(qint64 userId) const
{
    m_database.execute(u"DELETE FROM mfa_challenges WHERE user_id = ? AND used_at IS NULL"_s,
                       { userId });
}

int MfaChallengeRepository::purgeExpired(const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM mfa_challenges WHERE expires_at < ?"_s,
                              { Database::bindTime(now) });
}

} // namespace Tasklane
