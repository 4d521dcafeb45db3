#include "sessionrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QString Columns
        = u"id, user_id, family_id, created_at, last_used_at, client_address, user_agent"_s;

SessionRecord toRecord(const QSqlRecord &row)
{
    SessionRecord record;
    record.session.id = row.value(0).toLongLong();
    record.userId = row.value(1).toLongLong();
    record.familyId = row.value(2).toString();
    record.session.createdAt = Database::readTime(row.value(3));
    record.session.lastUsedAt = Database::readTime(row.value(4));
    record.session.clientAddress = row.value(5).toString();
    record.session.userAgent = row.value(6).toString();
    return record;
}

// Never NULL: a request without the header records an empty one.
QString cutUserAgent(const QString &agent)
{
    return agent.isNull() ? u""_s : agent.left(SessionRepository::UserAgentMaxLength);
}

QString addressOf(const RequestOrigin &origin)
{
    return origin.clientAddress.isNull() ? u""_s : origin.clientAddress;
}
} // namespace

qint64 SessionRepository::open(qint64 userId, const QString &familyId, const RequestOrigin &origin,
                               const QDateTime &now, const QDateTime &expiresAt) const
{
    const QVariant at = Database::bindTime(now);
    const auto row = m_database.fetchOne(
            u"INSERT INTO sessions (user_id, family_id, created_at, last_used_at, expires_at, "
            "client_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
            { userId, familyId, at, at, Database::bindTime(expiresAt), addressOf(origin),
              cutUserAgent(origin.userAgent) });
    return row ? row->value(0).toLongLong() : 0;
}

std::optional<qint64> SessionRepository::touch(qint64 userId, const QString &familyId,
                                               const RequestOrigin &origin, const QDateTime &now,
                                               const QDateTime &expiresAt) const
{
    const QVariant at = Database::bindTime(now);
    // One statement whether or not the row exists (a family older than the sessions table).
    const auto row = m_database.fetchOne(
            u"INSERT INTO sessions (user_id, family_id, created_at, last_used_at, expires_at, "
            "client_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (family_id) DO UPDATE SET last_used_at = excluded.last_used_at, "
            "expires_at = excluded.expires_at, client_address = excluded.client_address, "
            "user_agent = excluded.user_agent WHERE sessions.ended_at IS NULL RETURNING id"_s,
            { userId, familyId, at, at, Database::bindTime(expiresAt), addressOf(origin),
              cutUserAgent(origin.userAgent) });
    return row ? std::optional<qint64>(row->value(0).toLongLong()) : std::nullopt;
}

std::optional<SessionRecord> SessionRepository::find(qint64 sessionId) const
{
    const auto row = m_database.fetchOne(
            u"SELECT "_s + Columns + u" FROM sessions WHERE id = ? AND ended_at IS NULL"_s,
            { sessionId });
    return row ? std::optional(toRecord(*row)) : std::nullopt;
}

QList<SessionRecord> SessionRepository::listLive(qint64 userId, const QDateTime &now) const
{
    QList<SessionRecord> sessions;
    const auto rows
            = m_database.fetchAll(u"SELECT "_s + Columns
                                          + u" FROM sessions WHERE user_id = ? AND "
                                            "ended_at IS NULL AND expires_at > ? "
                                            "ORDER BY last_used_at DESC, id DESC"_s,
                                  { userId, Database::bindTime(now) }, Database::Retry::Safe);
    for (const QSqlRecord &row : rows)
        sessions.append(toRecord(row));
    return sessions;
}

std::optional<QString> SessionRepository::end(qint64 userId, qint64 sessionId,
                                              const QDateTime &now) const
{
    const auto row = m_database.fetchOne(
            u"UPDATE sessions SET ended_at = ? WHERE id = ? AND user_id = ? AND ended_at IS NULL "
            "AND expires_at > ? RETURNING family_id"_s,
            { Database::bindTime(now), sessionId, userId, Database::bindTime(now) });
    return row ? std::optional(row->value(0).toString()) : std::nullopt;
}

void SessionRepository::endFamily(const QString &familyId, const QDateTime &now) const
{
    m_database.execute(
            u"UPDATE sessions SET ended_at = ? WHERE family_id = ? AND ended_at IS NULL"_s,
            { Database::bindTime(now), familyId });
}

QList<qint64> SessionRepository::endAllBut(qint64 userId, qint64 keepSessionId,
                                           const QDateTime &now) const
{
    QList<qint64> ended;
    const auto rows = m_database.fetchAll(u"UPDATE sessions SET ended_at = ? WHERE user_id = ? "
                                          "AND id <> ? AND ended_at IS NULL RETURNING id"_s,
                                          { Database::bindTime(now), userId, keepSessionId });
    for (const QSqlRecord &row : rows)
        ended.append(row.value(0).toLongLong());
    return ended;
}

int SessionRepository::purge(const QDateTime &before) const
{
    const QVariant at = Database::bindTime(before);
    return m_database.execute(u"DELETE FROM sessions WHERE expires_at < ? OR ended_at < ?"_s,
                              { at, at });
}

} // namespace Tasklane
