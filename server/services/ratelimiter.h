#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QString>

namespace Tasklane {

class Database;

// Where a client stands against a limit after one more request, as the RateLimit-* headers
// say it: the limit per window, what is left of it, and the seconds until the window ends.
struct RateLimitState
{
    bool allowed = true;
    int limit = 0;
    int remaining = 0;
    qint64 resetSeconds = 0;
};

// Fixed windows of `windowSeconds`, aligned to the epoch: at most `limit` requests per window
// (0: no limit). The window's end is the same for every process, so their counts agree.
struct RateWindow
{
    int limit = 0;
    qint64 windowSeconds = 60;

    bool enabled() const { return limit > 0 && windowSeconds > 0; }
    qint64 startOf(qint64 unixTime) const { return unixTime - unixTime % windowSeconds; }
    RateLimitState stateAfter(int hits, qint64 unixTime) const;
};

// A limit counted in the database (rate_limit_counters): shared by every server on it, kept
// across restarts. One statement per counted request: for the sign-in routes, whose work
// (a password hash) costs far more.
class SharedRateLimiter
{
public:
    SharedRateLimiter(const Database &database, RateWindow window)
        : m_database(database), m_window(window)
    { }
    bool enabled() const { return m_window.enabled(); }
    // Counts one request of `bucket`; throws ApiError (TooManyRequests, with Retry-After and
    // the RateLimit-* values) when it is over the limit.
    void hit(const QString &bucket) const;
    // Forgets the counts of windows that have ended; how many rows went.
    int purgeEnded(qint64 unixTime) const;

private:
    const Database &m_database;
    RateWindow m_window;
};

// A limit counted in this process's memory: for the requests of signed-in users, where a
// database write per request would cost more than the request. Each server counts its own, so
// behind a load balancer a user gets the limit from each server. Thread-safe; memory holds
// the users seen in the current window only.
class MemoryRateLimiter
{
public:
    explicit MemoryRateLimiter(RateWindow window) : m_window(window) { }
    bool enabled() const { return m_window.enabled(); }
    RateLimitState hit(qint64 key, qint64 unixTime);

private:
    RateWindow m_window;
    QMutex m_mutex;
    qint64 m_windowStart = -1;
    QHash<qint64, int> m_hits; // of the current window only
};

// The bucket a client address counts in: an IPv4 address itself (IPv4-mapped IPv6 too), an
// IPv6 address's /64 network, which one subscriber usually holds whole.
QString addressBucket(const QHostAddress &address);

} // namespace Tasklane
