#pragma once

#include "requestorigin.h"
#include "session.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;

// A session as stored.
struct SessionRecord
{
    Session session; // `current` left false
    qint64 userId = 0;
    QString familyId;
};

// All SQL of the sessions table. Writers run in the caller's transaction, after the user's
// row is locked where a user's sessions are ended (the order every writer keeps).
class SessionRepository
{
public:
    static constexpr qsizetype UserAgentMaxLength = 256;

    explicit SessionRepository(const Database &database) : m_database(database) { }

    // A new session for a new refresh-token family; its id.
    qint64 open(qint64 userId, const QString &familyId, const RequestOrigin &origin,
                const QDateTime &now, const QDateTime &expiresAt) const;
    // The family was refreshed: the session's last use, origin and expiry move on (a family
    // from before sessions existed gets its row now). Its id; nullopt when it has ended.
    std::optional<qint64> touch(qint64 userId, const QString &familyId, const RequestOrigin &origin,
                                const QDateTime &now, const QDateTime &expiresAt) const;
    std::optional<SessionRecord> find(qint64 sessionId) const;
    // The user's sessions that have not ended or expired, the most recently used first.
    QList<SessionRecord> listLive(qint64 userId, const QDateTime &now) const;
    // Ends one of the user's sessions; its family, or nullopt when the user has no such live
    // session.
    std::optional<QString> end(qint64 userId, qint64 sessionId, const QDateTime &now) const;
    // Ends the session of a family (a logout).
    void endFamily(const QString &familyId, const QDateTime &now) const;
    // Ends every live session of the user but `keepSessionId` (0: every one); the ids ended.
    QList<qint64> endAllBut(qint64 userId, qint64 keepSessionId, const QDateTime &now) const;
    // Deletes sessions that expired or ended before `before`; how many went.
    int purge(const QDateTime &before) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
