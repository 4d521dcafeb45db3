#pragma once

#include <QDateTime>
#include <QList>

#include <optional>

namespace Tasklane {

class Database;

// Ending every session of a user (a password change or reset, deactivation, an administrator):
// its refresh tokens and the sign-ins waiting for a second factor are revoked, and every access
// token issued until now stops working at once in this process and within the principal cache's
// lifetime in others (a session.ended event closes its real-time connections too). A session
// started after it returned is not affected.
namespace SessionEnding {
// In the caller's transaction; the cutoff it set (nullopt: no such user), for waitPast() once
// the transaction has committed.
std::optional<QDateTime> write(const Database &database, qint64 userId);
// A token issued in the cutoff's own millisecond cannot be told from one issued just before
// the end, so it is refused with them: this waits that millisecond out (at most one), so that a
// session this process starts afterwards is never caught by the end.
void waitPast(const QDateTime &cutoff);

// Ending the other sessions of a user (a password change) or one session: the sessions' refresh
// tokens are revoked and their rows ended, so that their access tokens (which carry the session,
// sid) stop working at once in this process once the caller forgets the user's principals, and
// within the principal cache's lifetime in others; their real-time connections close.
// In the caller's transaction, the user's row locked first. Each returns the sessions ended.
QList<qint64> endOthers(const Database &database, qint64 userId, qint64 keepSessionId);
// Nothing when the user has no such live session.
QList<qint64> endOne(const Database &database, qint64 userId, qint64 sessionId);
} // namespace SessionEnding

} // namespace Tasklane
