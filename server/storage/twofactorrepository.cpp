#include "twofactorrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<StoredTotp> TwoFactorRepository::totpOf(qint64 userId) const
{
    const auto row
            = m_database.fetchOne(u"SELECT totp_secret, totp_enabled_at, totp_last_step FROM users "
                                  "WHERE id = ? AND totp_secret IS NOT NULL"_s,
                                  { userId });
    if (!row)
        return std::nullopt;
    StoredTotp totp;
    totp.sealedSecret = row->value(0).toString().toLatin1();
    totp.enabled = !row->value(1).isNull();
    if (!row->value(2).isNull())
        totp.lastStep = row->value(2).toLongLong();
    return totp;
}

void TwoFactorRepository::setPending(qint64 userId, const QByteArray &sealedSecret) const
{
    m_database.execute(u"UPDATE users SET totp_secret = ?, totp_enabled_at = NULL, "
                       "totp_last_step = NULL WHERE id = ? AND totp_enabled_at IS NULL"_s,
                       { QString::fromLatin1(sealedSecret), userId });
}

void TwoFactorRepository::enable(qint64 userId, qint64 step, const QDateTime &now) const
{
    m_database.execute(u"UPDATE users SET totp_enabled_at = ?, totp_last_step = ?, "
                       "updated_at = ? WHERE id = ? AND totp_secret IS NOT NULL"_s,
                       { Database::bindTime(now), step, Database::bindTime(now), userId });
}

bool TwoFactorRepository::acceptStep(qint64 userId, qint64 step) const
{
    return m_database.execute(u"UPDATE users SET totp_last_step = ? WHERE id = ? "
                              "AND totp_enabled_at IS NOT NULL "
                              "AND (totp_last_step IS NULL OR totp_last_step < ?)"_s,
                              { step, userId, step })
            == 1;
}

void TwoFactorRepository::clear(qint64 userId) const
{
    m_database.execute(u"UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, "
                       "totp_last_step = NULL, updated_at = ? WHERE id = ?"_s,
                       { Database::bindTime(QDateTime::currentDateTimeUtc()), userId });
    m_database.execute(u"DELETE FROM recovery_codes WHERE user_id = ?"_s, { userId });
}

void TwoFactorRepository::replaceRecoveryCodes(qint64 userId,
                                               const QList<StoredRecoveryCode> &codes,
                                               const QDateTime &now) const
{
    m_database.execute(u"DELETE FROM recovery_codes WHERE user_id = ?"_s, { userId });
    for (const StoredRecoveryCode &code : codes)
        m_database.execute(u"INSERT INTO recovery_codes (user_id, salt, code_hash, created_at) "
                           "VALUES (?, ?, ?, ?)"_s,
                           { userId, QString::fromLatin1(code.salt.toHex()), code.codeHash,
                             Database::bindTime(now) });
}

QList<StoredRecoveryCode> TwoFactorRepository::unusedRecoveryCodes(qint64 userId) const
{
    QList<StoredRecoveryCode> codes;
    const auto rows = m_database.fetchAll(u"SELECT id, salt, code_hash FROM recovery_codes "
                                          "WHERE user_id = ? AND used_at IS NULL ORDER BY id"_s,
                                          { userId });
    for (const QSqlRecord &row : rows)
        codes.append({ row.value(0).toLongLong(),
                       QByteArray::fromHex(row.value(1).toString().toLatin1()),
                       row.value(2).toString() });
    return codes;
}

bool TwoFactorRepository::spendRecoveryCode(qint64 id, const QDateTime &now) const
{
    return m_database.execute(u"UPDATE recovery_codes SET used_at = ? WHERE id = ? "
                              "AND used_at IS NULL"_s,
                              { Database::bindTime(now), id })
            == 1;
}

} // namespace Tasklane
