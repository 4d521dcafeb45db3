#pragma once

#include <QDateTime>
#include <QString>

namespace Tasklane {

class Database;
class JobQueue;

// Repeated failed sign-ins for one account: wrong passwords at login, wrong codes at its
// second step or where a signed-in user proves the password and a code again. After
// SlowAfter failures each further try must wait longer (1 s, 2 s, 4 s ... up to a minute:
// 429 with Retry-After before that); at `threshold` failures the account is locked for
// `lockSeconds`: every sign-in is refused with the generic wrong-credentials answer, the
// password unchecked, and the owner is told by email. Counted by the address typed, whether
// or not an account has it, so that unknown addresses behave alike; stored in the database
// (login_throttle): a restart or another server changes nothing. A successful sign-in or a
// password reset forgets the failures. threshold 0: off.
class LoginThrottle
{
public:
    static constexpr int SlowAfter = 3;
    static constexpr qint64 MaxDelaySeconds = 60;

    LoginThrottle(const Database &database, const JobQueue &jobs, int threshold, qint64 lockSeconds)
        : m_database(database), m_jobs(jobs), m_threshold(threshold), m_lockSeconds(lockSeconds)
    { }

    bool enabled() const { return m_threshold > 0; }
    // How a refusal is told: to someone signing in, a lock looks like a wrong password; a
    // signed-in user proving their password again is told of the lock (429 until it ends),
    // since a 401 would read as an expired session.
    enum class Caller { SigningIn, SignedIn };
    // Before a password or code is checked: ApiError when this identifier must not try now
    // (429 while slowed down; while locked, see Caller); otherwise whether it has failures on
    // record (which a success then forgets).
    bool checkAllowed(const QString &identifier, Caller caller = Caller::SigningIn) const;
    // After a right password or code: whether a failure of a concurrent request locked the
    // identifier meanwhile (then the success must not count either).
    bool isLocked(const QString &identifier) const;
    // A wrong password or code for `identifier`; `userId` names its account (0: none), whose
    // owner is told when this failure locks it.
    void recordFailure(const QString &identifier, qint64 userId) const;
    // A sign-in completed, or the password was reset: the failures are forgotten.
    void recordSuccess(const QString &identifier) const;
    // Forgets failures older than a lock's time that hold no lock; how many rows went.
    int purge(const QDateTime &now) const;

    // The wait after `failures` failures before the next try (0: none).
    static qint64 delayAfter(int failures);

private:
    static QString normalized(const QString &identifier);

    const Database &m_database;
    const JobQueue &m_jobs;
    int m_threshold;
    qint64 m_lockSeconds;
};

} // namespace Tasklane
