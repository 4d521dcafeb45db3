#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of users' phone numbers: the verified one (users.phone) and the code that verifies
// a new one (phone_verifications).
class PhoneRepository
{
public:
    struct Verification
    {
        QString phone;
        QString codeHash; // hex SHA-256 of salt and code
        QString salt;
        QDateTime expiresAt;
        int attempts = 0;
        QDateTime sentAt;
        QDateTime windowStartedAt;
        int sendsInWindow = 0;
    };

    explicit PhoneRepository(const Database &database) : m_database(database) { }

    // The user's verified number, if any.
    std::optional<QString> verifiedPhone(qint64 userId) const;
    void setVerifiedPhone(qint64 userId, const std::optional<QString> &phone) const;

    std::optional<Verification> pendingVerification(qint64 userId) const;
    void saveVerification(qint64 userId, const Verification &verification) const;
    void setAttempts(qint64 userId, int attempts) const;
    void deleteVerification(qint64 userId) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
