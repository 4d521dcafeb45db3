#pragma once

#include <QDeadlineTimer>
#include <QRandomGenerator>

#include <algorithm>

namespace Tasklane {

// How long a new cache entry is trusted when other processes may change what it holds (the
// principal cache, the task readers on PostgreSQL): never longer than `lifetimeMs`, at least
// half of it, drawn at random. Entries read together (at start, or by every reader right after
// the previous expiry) would otherwise all expire together, for good: every `lifetimeMs` the
// readers of all of them would go to the database at the same instant. Measured during the
// reminder burst on PostgreSQL: 100-200 reads of tasks over 20 ms in every other second, none
// in between (docs/performance.md). A lifetime of 0 or below is returned as it is (nothing
// kept; forever).
inline QDeadlineTimer spreadCacheLifetime(int lifetimeMs)
{
    if (lifetimeMs <= 0)
        return lifetimeMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(0);
    const int half = lifetimeMs / 2;
    return QDeadlineTimer(qint64(lifetimeMs - half)
                          + QRandomGenerator::global()->bounded(qint64(half) + 1));
}

// A new entry's deadlines: until when it is trusted (spreadCacheLifetime), and from when a hit
// on it asks for it to be read again ahead of that, so that a key read often is renewed in the
// background and its readers never wait for the database (CacheRefresher): when a quarter of the
// lifetime is left. Never for an entry kept until it is forgotten.
struct CacheDeadlines
{
    QDeadlineTimer trusted;
    QDeadlineTimer refreshFrom;
    bool refreshAsked = false;

    bool expired() const { return trusted.hasExpired(); }
    // True once, on the first call after refreshFrom: the caller reads the entry again.
    bool takeRefresh()
    {
        if (refreshAsked || !refreshFrom.hasExpired())
            return false;
        refreshAsked = true;
        return true;
    }
};

inline CacheDeadlines spreadCacheDeadlines(int lifetimeMs)
{
    const QDeadlineTimer trusted = spreadCacheLifetime(lifetimeMs);
    if (lifetimeMs < 0)
        return { trusted, QDeadlineTimer(QDeadlineTimer::Forever) };
    return { trusted,
             QDeadlineTimer(std::max<qint64>(0, trusted.remainingTime() - lifetimeMs / 4)) };
}

} // namespace Tasklane
