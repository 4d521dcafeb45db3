#include "loginthrottle.h"

#include "activitylog.h"

#include "accountmailjob.h"
#include "apierror.h"
#include "database.h"
#include "jobqueue.h"
#include "loginthrottlerepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLoginThrottle, "tasklane.auth.throttle")

namespace Tasklane {

qint64 LoginThrottle::delayAfter(int failures)
{
    if (failures < SlowAfter)
        return 0;
    const int doublings = std::min(failures - SlowAfter, 6); // 2^6 = 64 > the cap
    return std::min<qint64>(qint64(1) << doublings, MaxDelaySeconds);
}

QString LoginThrottle::normalized(const QString &identifier)
{
    return identifier.trimmed().toLower();
}

bool LoginThrottle::isLocked(const QString &identifier) const
{
    if (!enabled())
        return false;
    const auto found = LoginThrottleRepository(m_database).find(normalized(identifier));
    return found && found->lockedUntil.isValid()
            && found->lockedUntil > QDateTime::currentDateTimeUtc();
}

bool LoginThrottle::checkAllowed(const QString &identifier, Caller caller) const
{
    if (!enabled())
        return false;
    const auto found = LoginThrottleRepository(m_database).find(normalized(identifier));
    if (!found)
        return false;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (found->lockedUntil.isValid() && found->lockedUntil > now) {
        if (caller == Caller::SignedIn) {
            const qint64 wait = std::max<qint64>(1, now.secsTo(found->lockedUntil));
            throw ApiError(ApiError::Kind::TooManyRequests,
                           u"Too many failed attempts: the account is locked for %1 s."_s.arg(wait))
                    .withRetryAfter(wait);
        }
        // The answer of a wrong password: a lock tells nobody more than a failure does.
        throw ApiError(ApiError::Kind::InvalidCredentials, u"The email or password is wrong."_s);
    }
    // Failures older than a lock's time no longer count (recordFailure starts again at one).
    if (found->lastFailureAt.secsTo(now) >= m_lockSeconds)
        return true;
    const QDateTime nextTry = found->lastFailureAt.addSecs(delayAfter(found->failures));
    if (now < nextTry) {
        const qint64 wait = std::max<qint64>(1, (now.msecsTo(nextTry) + 999) / 1000);
        throw ApiError(ApiError::Kind::TooManyRequests,
                       u"Too many failed sign-ins; try again in %1 s."_s.arg(wait))
                .withRetryAfter(wait);
    }
    return true;
}

void LoginThrottle::recordFailure(const QString &identifier, qint64 userId) const
{
    if (!enabled())
        return;
    const QString key = normalized(identifier);
    const LoginThrottleRepository store(m_database);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const int failures = store.recordFailure(key, now, now.addSecs(-m_lockSeconds));
    if (failures < m_threshold)
        return;
    Transaction transaction(m_database);
    if (!store.lock(key, now, now.addSecs(m_lockSeconds)))
        return; // locked already: its owner has been told
    if (userId > 0) {
        m_jobs.enqueue(AccountMailJob::Kind,
                       AccountMailJob::accountLocked(userId, m_lockSeconds / 60), now);
        ActivityEntry entry = ActivityLog::entry(ActivityAction::AccountLocked, userId, {});
        entry.actorId = 0;
        entry.details = { { u"failures"_s, failures }, { u"minutes"_s, m_lockSeconds / 60 } };
        ActivityLog::record(m_database, entry);
    }
    transaction.commit();
    qCWarning(lcLoginThrottle, "sign-in locked for %lld s after %d failures (user %lld)",
              m_lockSeconds, failures, userId);
}

void LoginThrottle::recordSuccess(const QString &identifier) const
{
    if (enabled())
        LoginThrottleRepository(m_database).clear(normalized(identifier));
}

int LoginThrottle::purge(const QDateTime &now) const
{
    return LoginThrottleRepository(m_database).purge(now.addSecs(-m_lockSeconds), now);
}

} // namespace Tasklane
