#include "accounttokenrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
QString purposeText(AccountTokenPurpose purpose)
{
    return purpose == AccountTokenPurpose::VerifyEmail ? u"verify_email"_s : u"reset_password"_s;
}
} // namespace

void AccountTokenRepository::replace(qint64 userId, AccountTokenPurpose purpose,
                                     const QString &tokenHash, const QString &email,
                                     const QDateTime &expiresAt) const
{
    revokeAll(userId, purpose);
    m_database.execute(u"INSERT INTO account_tokens (user_id, purpose, token_hash, email, "
                       "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"_s,
                       { userId, purposeText(purpose), tokenHash, email,
                         Database::bindTime(QDateTime::currentDateTimeUtc()),
                         Database::bindTime(expiresAt) });
}

std::optional<qint64> AccountTokenRepository::ownerOf(const QString &tokenHash,
                                                      AccountTokenPurpose purpose) const
{
    const auto row = m_database.fetchOne(
            u"SELECT user_id FROM account_tokens WHERE token_hash = ? AND purpose = ?"_s,
            { tokenHash, purposeText(purpose) });
    return row ? std::optional<qint64>(row->value(0).toLongLong()) : std::nullopt;
}

std::optional<SpentAccountToken> AccountTokenRepository::spend(const QString &tokenHash,
                                                               AccountTokenPurpose purpose,
                                                               const QDateTime &now) const
{
    const QVariant at = Database::bindTime(now);
    const auto row = m_database.fetchOne(
            u"UPDATE account_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? "
            "AND used_at IS NULL AND expires_at > ? RETURNING user_id, email"_s,
            { at, tokenHash, purposeText(purpose), at });
    if (!row)
        return std::nullopt;
    return SpentAccountToken{ row->value(0).toLongLong(), row->value(1).toString() };
}

void AccountTokenRepository::revokeAll(qint64 userId, AccountTokenPurpose purpose) const
{
    m_database.execute(u"DELETE FROM account_tokens WHERE user_id = ? AND purpose = ? "
                       "AND used_at IS NULL"_s,
                       { userId, purposeText(purpose) });
}

int AccountTokenRepository::purgeExpired(const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM account_tokens WHERE expires_at < ?"_s,
                              { Database::bindTime(now) });
}

} // namespace Tasklane
