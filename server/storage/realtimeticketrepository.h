#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// What a real-time ticket stands for: the access token that asked for it.
struct RealtimeTicketRecord
{
    qint64 userId = 0;
    QString jti;
    QDateTime tokenIssuedAt;
    QDateTime tokenExpiresAt;
    qint64 sessionId = 0;
};

// All SQL of realtime_tickets (only the tickets' SHA-256 hashes are kept).
class RealtimeTicketRepository
{
public:
    explicit RealtimeTicketRepository(const Database &database) : m_database(database) { }

    void insert(const QString &tokenHash, const RealtimeTicketRecord &record,
                const QDateTime &expiresAt) const;
    // Takes a ticket that has not expired at `now`: it is deleted in the same statement, so that
    // two connections racing with one ticket cannot both have it.
    std::optional<RealtimeTicketRecord> redeem(const QString &tokenHash,
                                               const QDateTime &now) const;
    // Deletes tickets that expired before `now`; returns how many.
    int purgeExpired(const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
