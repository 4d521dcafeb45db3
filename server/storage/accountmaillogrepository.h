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
    // unless `maxPerHour` were sent within the hour before; its id, or nullopt. Concurrent
    // callers for one user are serialised (the user's row is locked on PostgreSQL; SQLite's
    // transactions are serial), so the count holds.
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
