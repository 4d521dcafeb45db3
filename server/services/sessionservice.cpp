#include "sessionservice.h"

#include "activitylog.h"

#include "apierror.h"
#include "database.h"
#include "principalcache.h"
#include "sessionending.h"
#include "sessionrepository.h"
#include "userrepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSessions, "tasklane.sessions")

namespace Tasklane {

SessionList SessionService::list(const Principal &principal) const
{
    SessionList list;
    const auto records = SessionRepository(m_database)
                                 .listLive(principal.user.id, QDateTime::currentDateTimeUtc());
    for (const SessionRecord &record : records) {
        Session session = record.session;
        session.current = session.id == principal.token.sessionId;
        list.items.append(session);
    }
    return list;
}

void SessionService::end(const Principal &principal, qint64 sessionId) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    // The user's row first, as every writer that ends sessions.
    if (!UserRepository(m_database).lockForWrite(userId)
        || SessionEnding::endOne(m_database, userId, sessionId).isEmpty())
        throw ApiError(ApiError::Kind::NotFound, u"You have no such session."_s);
    ActivityEntry entry = ActivityLog::entry(ActivityAction::SessionEnded, principal);
    entry.targetType = u"session"_s;
    entry.targetId = sessionId;
    ActivityLog::record(m_database, entry);
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcSessions, "user %lld ended session %lld", userId, sessionId);
}

int SessionService::endOthers(const Principal &principal) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    if (!UserRepository(m_database).lockForWrite(userId))
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);
    const QList<qint64> ended
            = SessionEnding::endOthers(m_database, userId, principal.token.sessionId);
    ActivityEntry entry = ActivityLog::entry(ActivityAction::OtherSessionsEnded, principal);
    entry.details = { { u"ended"_s, qint64(ended.size()) } };
    ActivityLog::record(m_database, entry);
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcSessions, "user %lld ended %lld other sessions", userId, qlonglong(ended.size()));
    return int(ended.size());
}

} // namespace Tasklane
