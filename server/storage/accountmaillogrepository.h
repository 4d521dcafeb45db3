#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of the account_mail_log table: which account mail each account was sent, and when.
class AccountMailLogRepository
{
public:
    explicit AccountMailLogRepository(const Database &database) : m_database(database) { }

    // In the caller's transaction: a place for one message of `mail` to the user at `now`,
    // unless `maxPerHour` were sent within the hour before; its id, or nullopt. The caller holds
    // the user's row (UserRepository::lockForWrite), so that concurrent callers for one user
    // count one after the other.
    std::optional<qint64> reserve(qint64 userId, const QString &mail, const QDateTime &now,
                                  int maxPerHour) const;
    // Gives a place back (the message was not sent after all).
    void release(qint64 id) const;
    // Forgets what was sent before `before`; how many rows went.
    int purgeBefore(const QDateTime &before) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
