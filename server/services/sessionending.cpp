#include "sessionending.h"

#include "mfachallengerepository.h"
#include "refreshtokenrepository.h"
#include "sessionevents.h"
#include "sessionrepository.h"
#include "userrepository.h"

#include <QThread>

namespace Tasklane::SessionEnding {

std::optional<QDateTime> write(const Database &database, qint64 userId)
{
    // Tokens carry their issue time to the millisecond (iat_ms), so one issued by a login in
    // the same second after this moment stays valid while every earlier one does not.
    const QDateTime cutoff = QDateTime::currentDateTimeUtc();
    if (!UserRepository(database).invalidateTokensIssuedUntil(userId, cutoff))
        return std::nullopt;
    // Refresh tokens before sessions, as a refresh takes them (no lock cycle on PostgreSQL).
    RefreshTokenRepository(database).revokeAllOfUser(userId);
    SessionRepository(database).endAllBut(userId, 0, cutoff);
    // A password that was right, waiting for its second factor, is a session about to start.
    MfaChallengeRepository(database).revokeAll(userId);
    SessionEvents::tokensInvalidated(database, userId, cutoff);
    return cutoff;
}

void waitPast(const QDateTime &cutoff)
{
    while (QDateTime::currentMSecsSinceEpoch() <= cutoff.toMSecsSinceEpoch())
        QThread::usleep(200);
}

QList<qint64> endOthers(const Database &database, qint64 userId, qint64 keepSessionId)
{
    const SessionRepository sessions(database);
    const auto kept = keepSessionId > 0 ? sessions.find(keepSessionId) : std::nullopt;
    // A family no session names (none is kept) matches no refresh token: all are revoked.
    const QString keptFamily = kept && kept->userId == userId ? kept->familyId : QString();
    RefreshTokenRepository(database).revokeAllOfUserBut(userId, keptFamily);
    const QList<qint64> ended = sessions.endAllBut(userId, keptFamily.isEmpty() ? 0 : keepSessionId,
                                                   QDateTime::currentDateTimeUtc());
    MfaChallengeRepository(database).revokeAll(userId);
    if (!ended.isEmpty())
        SessionEvents::sessionsEnded(database, userId, ended);
    return ended;
}

QList<qint64> endOne(const Database &database, qint64 userId, qint64 sessionId)
{
    const SessionRepository sessions(database);
    const auto found = sessions.find(sessionId);
    if (!found || found->userId != userId)
        return {};
    RefreshTokenRepository(database).revokeFamily(found->familyId);
    if (!sessions.end(userId, sessionId, QDateTime::currentDateTimeUtc()))
        return {};
    SessionEvents::sessionsEnded(database, userId, { sessionId });
    return { sessionId };
}

} // namespace Tasklane::SessionEnding
