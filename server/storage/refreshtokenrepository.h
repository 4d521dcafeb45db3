#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// One stored refresh token (only its SHA-256 hash is kept).
struct RefreshTokenRecord
{
    qint64 id = 0;
    qint64 userId = 0;
    QString familyId;
    QDateTime expiresAt;
    bool rotated = false;
    bool revoked = false;
};

// All SQL of the refresh_tokens table.
class RefreshTokenRepository
{
public:
    explicit RefreshTokenRepository(const Database &database) : m_database(database) { }

    void insert(qint64 userId, const QString &familyId, const QString &tokenHash,
                const QDateTime &expiresAt) const;
    std::optional<RefreshTokenRecord> findByHash(const QString &tokenHash) const;
    // Marks a live token rotated; false when it was already rotated or revoked (a race lost).
    bool markRotated(qint64 id) const;
    void revokeFamily(const QString &familyId) const;
    void revokeAllOfUser(qint64 userId) const;
    // Every family of the user but `keepFamilyId` (the session that asked).
    void revokeAllOfUserBut(qint64 userId, const QString &keepFamilyId) const;
    // Deletes tokens that expired before `now` (useless, rotated or not); returns how many.
    int purgeExpired(const QDateTime &now) const;

private:
    const Database &m_database;
};

// All SQL of the revoked_access_tokens table (access tokens revoked by jti before they expire).
class RevokedAccessTokenRepository
{
public:
    explicit RevokedAccessTokenRepository(const Database &database) : m_database(database) { }

    void revoke(const QString &jti, const QDateTime &expiresAt) const;
    bool isRevoked(const QString &jti) const;
    // Forgets revocations whose tokens have expired anyway; returns how many.
    int purgeExpired(const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
