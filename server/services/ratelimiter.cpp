#include "ratelimiter.h"

#include "apierror.h"
#include "ratelimitrepository.h"

#include <QDateTime>
#include <QMutexLocker>

using namespace Qt::StringLiterals;

namespace Tasklane {

RateLimitState RateWindow::stateAfter(int hits, qint64 unixTime) const
{
    RateLimitState state;
    state.limit = limit;
    state.allowed = hits <= limit;
    state.remaining = std::max(0, limit - hits);
    state.resetSeconds = startOf(unixTime) + windowSeconds - unixTime;
    return state;
}

void SharedRateLimiter::hit(const QString &bucket) const
{
    if (!enabled())
        return;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const int hits = RateLimitRepository(m_database).hit(bucket, m_window.startOf(now));
    const RateLimitState state = m_window.stateAfter(hits, now);
    if (!state.allowed)
        throw ApiError(ApiError::Kind::TooManyRequests,
                       u"Too many sign-in requests; try again in %1 s."_s.arg(state.resetSeconds))
                .withRateLimit(state.limit, state.remaining, state.resetSeconds)
                .withRetryAfter(state.resetSeconds);
}

int SharedRateLimiter::purgeEnded(qint64 unixTime) const
{
    return RateLimitRepository(m_database).purgeBefore(m_window.startOf(unixTime));
}

RateLimitState MemoryRateLimiter::hit(qint64 key, qint64 unixTime)
{
    const qint64 start = m_window.startOf(unixTime);
    int hits = 0;
    qint64 counted = unixTime; // the time of the window the hit is counted in
    {
        const QMutexLocker lock(&m_mutex);
        if (start > m_windowStart) { // a new window: the old counts are of no more use
            m_windowStart = start;
            m_hits.clear();
        }
        // A request whose clock read came before a newer one's counts in the newer window.
        hits = ++m_hits[key];
        counted = std::max(unixTime, m_windowStart);
    }
    return m_window.stateAfter(hits, counted);
}

QString addressBucket(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + u"/64"_s;
}

} // namespace Tasklane
