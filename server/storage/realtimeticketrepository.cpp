#include "realtimeticketrepository.h"

#include "database.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void RealtimeTicketRepository::insert(const QString &tokenHash, const RealtimeTicketRecord &record,
                                      const QDateTime &expiresAt) const
{
    m_database.execute(u"INSERT INTO realtime_tickets (token_hash, user_id, jti, token_issued_at, "
                       "token_expires_at, expires_at, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                       { tokenHash, record.userId, record.jti,
                         Database::bindTime(record.tokenIssuedAt),
                         Database::bindTime(record.tokenExpiresAt), Database::bindTime(expiresAt),
                         record.sessionId });
}

std::optional<RealtimeTicketRecord> RealtimeTicketRepository::redeem(const QString &tokenHash,
                                                                     const QDateTime &now) const
{
    const auto row = m_database.fetchOne(
            u"DELETE FROM realtime_tickets WHERE token_hash = ? AND expires_at > ? "
            "RETURNING user_id, jti, token_issued_at, token_expires_at, session_id"_s,
            { tokenHash, Database::bindTime(now) });
    if (!row)
        return std::nullopt;
    RealtimeTicketRecord record;
    record.userId = row->value(0).toLongLong();
    record.jti = row->value(1).toString();
    record.tokenIssuedAt = Database::readTime(row->value(2));
    record.tokenExpiresAt = Database::readTime(row->value(3));
    record.sessionId = row->value(4).toLongLong();
    return record;
}

int RealtimeTicketRepository::purgeExpired(const QDateTime &now) const
{
    return m_database.execute(u"DELETE FROM realtime_tickets WHERE expires_at <= ?"_s,
                              { Database::bindTime(now) });
}

} // namespace Tasklane
