#include "phonerepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<QString> PhoneRepository::verifiedPhone(qint64 userId) const
{
    const auto row = m_database.fetchOne(u"SELECT phone FROM users WHERE id = ?"_s, { userId },
                                         Database::Retry::Safe);
    if (!row || row->value(0).isNull() || row->value(0).toString().isEmpty())
        return std::nullopt;
    return row->value(0).toString();
}

void PhoneRepository::setVerifiedPhone(qint64 userId, const std::optional<QString> &phone) const
{
    m_database.execute(
            u"UPDATE users SET phone = ? WHERE id = ?"_s,
            { phone ? QVariant(*phone) : QVariant(QMetaType::fromType<QString>()), userId });
}

std::optional<PhoneRepository::Verification>
PhoneRepository::pendingVerification(qint64 userId) const
{
    const auto row = m_database.fetchOne(
            u"SELECT phone, code_hash, salt, expires_at, attempts, sent_at, window_started_at, "
            "sends_in_window FROM phone_verifications WHERE user_id = ?"_s,
            { userId });
    if (!row)
        return std::nullopt;
    Verification verification;
    verification.phone = row->value(0).toString();
    verification.codeHash = row->value(1).toString();
    verification.salt = row->value(2).toString();
    verification.expiresAt = Database::readTime(row->value(3));
    verification.attempts = row->value(4).toInt();
    verification.sentAt = Database::readTime(row->value(5));
    verification.windowStartedAt = Database::readTime(row->value(6));
    verification.sendsInWindow = row->value(7).toInt();
    return verification;
}

void PhoneRepository::saveVerification(qint64 userId, const Verification &verification) const
{
    m_database.execute(
            u"INSERT INTO phone_verifications (user_id, phone, code_hash, salt, expires_at, "
            "attempts, sent_at, window_started_at, sends_in_window) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "?, ?) ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, code_hash = "
            "excluded.code_hash, salt = excluded.salt, expires_at = excluded.expires_at, "
            "attempts = excluded.attempts, sent_at = excluded.sent_at, window_started_at = "
            "excluded.window_started_at, sends_in_window = excluded.sends_in_window"_s,
            { userId, verification.phone, verification.codeHash, verification.salt,
              Database::bindTime(verification.expiresAt), verification.attempts,
              Database::bindTime(verification.sentAt),
              Database::bindTime(verification.windowStartedAt), verification.sendsInWindow });
}

void PhoneRepository::setAttempts(qint64 userId, int attempts) const
{
    m_database.execute(u"UPDATE phone_verifications SET attempts = ? WHERE user_id = ?"_s,
                       { attempts, userId });
}

void PhoneRepository::deleteVerification(qint64 userId) const
{
    m_database.execute(u"DELETE FROM phone_verifications WHERE user_id = ?"_s, { userId });
}

} // namespace Tasklane
