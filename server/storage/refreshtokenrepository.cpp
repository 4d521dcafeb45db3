#include "refreshtokenrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

void RefreshTokenRepository::insert(qint64 userId, const QString &familyId,
                                    const QString &tokenHash, const QDateTime &expiresAt) const
{
    m_database.execute(u"INSERT INTO refresh_tokens (user_id, family_id, token_hash, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?, ?)"_s,
                       { userId, familyId, tokenHash,
                         Database::bindTime(QDateTime::currentDateTimeUtc()),
                         Database::bindTime(expiresAt) });
}

std::optional<RefreshTokenRecord> RefreshTokenRepository::findByHash(const QString &tokenHash) const
{
    const auto row = m_database.fetchOne(
            u"SELECT id, user_id, family_id, expires_at, rotated_at IS NOT NULL, "
            "revoked_at IS NOT NULL FROM refresh_tokens WHERE token_hash = ?"_s,
            { tokenHash }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    RefreshTokenRecord record;
    record.id = row->value(0).toLongLong();
    record.userId = row->value(1).toLongLong();
    record.familyId = row->value(2).toString();
    record.expiresAt = Database::readTime(row->value(3));
    record.rotated = row->value(4).toBool();
    record.revoked = row->value(5).toBool();
    return record;
}

bool RefreshTokenRepository::markRotated(qint64 id) const
{
    return m_database.execute(u"UPDATE refresh_tokens SET rotated_at = ? WHERE id = ? "
                              "AND rotated_at IS NULL AND revoked_at IS NULL"_s,
                              { Database::bindTime(QDateTime::currentDateTimeUtc()), id })
            == 1;
}

void RefreshTokenRepository::revokeFamily(const QString &familyId) const
{
    m_database.execute(u"UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? "
                       "AND revoked_at IS NULL"_s,
                       { Database::bindTime(QDateTime::currentDateTimeUtc()), familyId });
}

void RefreshTokenRepository::revokeAllOfUser(qint64 userId) const
{
    m_database.execute(u"UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? "
                       "AND revoked_at IS NULL"_s,
                       { Database::bindTime(QDateTime::currentDateTimeUtc()), userId });
}

void RefreshTokenRepository::revokeAllOfUserBut(qint64 userId, const QString &keepFamilyId) const
{
    m_database.execute(
            u"UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? "
            "AND family_id <> ? AND revoked_at IS NULL"_s,
            { Database::bindTime(QDateTime::currentDateTimeUtc()), userId, keepFamilyId });
}

int RefreshTokenRepository::purgeExpired(const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM refresh_tokens WHERE expires_at < ?"_s,
                              { Database::bindTime(now) });
}

void RevokedAccessTokenRepository::revoke(const QString &jti, const QDateTime &expiresAt) const
{
    m_database.execute(u"INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) "
                       "ON CONFLICT (jti) DO NOTHING"_s,
                       { jti, Database::bindTime(expiresAt) });
}

bool RevokedAccessTokenRepository::isRevoked(const QString &jti) const
{
    return m_database
            .fetchOne(u"SELECT 1 FROM revoked_access_tokens WHERE jti = ?"_s, { jti },
                      Database::Retry::Safe)
            .has_value();
}

int RevokedAccessTokenRepository::purgeExpired(const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM revoked_access_tokens WHERE expires_at < ?"_s,
                              { Database::bindTime(now) });
}

} // namespace Tasklane
