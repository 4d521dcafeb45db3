#include "sessionending.h"

#include "mfachallengerepository.h"
#include "refreshtokenrepository.h"
#include "sessionevents.h"
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
    RefreshTokenRepository(database).revokeAllOfUser(userId);
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

} // namespace Tasklane::SessionEnding
