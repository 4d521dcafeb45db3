#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace Tasklane {

class Database;

// The real-time feed's word that sessions ended, written in the transaction that ends them, so
// that every process closes the connections they opened (4003) however it learns of it. They go
// to the user's connections alone and are never sent to clients (EventType::SessionEnded).
namespace SessionEvents {

// The access token `jti` was revoked (a logout).
void tokenRevoked(const Database &database, qint64 userId, const QString &jti);
// Every access token of the user issued until `cutoff` was invalidated.
void tokensInvalidated(const Database &database, qint64 userId, const QDateTime &cutoff);
// These sessions of the user ended (their access tokens carry their ids).
void sessionsEnded(const Database &database, qint64 userId, const QList<qint64> &sessionIds);

} // namespace SessionEvents

} // namespace Tasklane
