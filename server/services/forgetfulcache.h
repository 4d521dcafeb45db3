#pragma once

#include "cachelifetime.h"
#include "forgetlog.h"

#include <QCache>
#include <QMutex>
#include <QMutexLocker>

#include <optional>

namespace Tasklane {

// Values read from the database, kept by key until a write forgets them, with the ordering that
// keeps a cache from holding what a write changed: a reader takes snapshot() before it reads the
// database, and remember() refuses what it read if the key was forgotten since (ForgetLog). A
// write forgets its keys once it has committed, before it is acknowledged.
//
// `lifetimeMs`: how long an entry is trusted (for values other processes may change: each for a
// random share of it, half or more, so that entries expire apart; spreadCacheDeadlines), -1 for
// as long as it is not forgotten; 0 keeps nothing. At most `capacity` entries, the least recently
// used going first. Thread-safe.
template<class Key, class Value>
class ForgetfulCache
{
public:
    using Generation = typename ForgetLog<Key>::Generation;

    // How many forgets are recorded before the record is pruned.
    static constexpr qsizetype MaxForgets = 65'536;

    ForgetfulCache(int lifetimeMs, qsizetype capacity)
        : m_lifetimeMs(lifetimeMs), m_entries(capacity), m_forgets(MaxForgets)
    { }
    Q_DISABLE_COPY_MOVE(ForgetfulCache)

    // With `refreshDue`: set when the entry is near the end of its trusted time and nobody was
    // told so yet (CacheDeadlines::takeRefresh), for a CacheRefresher to read it again.
    std::optional<Value> find(const Key &key, bool *refreshDue = nullptr) const
    {
        const QMutexLocker lock(&m_mutex);
        Entry *entry = m_entries.object(key);
        if (!entry || entry->deadlines.expired())
            return std::nullopt;
        if (refreshDue && entry->deadlines.takeRefresh())
            *refreshDue = true;
        return entry->value;
    }
    // To be taken before reading what remember() will be given.
    Generation snapshot() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_forgets.current();
    }
    // Keeps the value unless the key was forgotten after `readAt` (or the record that would tell
    // was pruned since); true when it was kept.
    bool remember(const Key &key, const Value &value, Generation readAt)
    {
        if (m_lifetimeMs == 0)
            return false;
        const QMutexLocker lock(&m_mutex);
        if (m_forgets.forgottenSince(key, readAt))
            return false;
        return m_entries.insert(key, new Entry{ value, spreadCacheDeadlines(m_lifetimeMs) });
    }
    // Call after the change to what `key` holds has committed.
    void forget(const Key &key)
    {
        const QMutexLocker lock(&m_mutex);
        m_entries.remove(key);
        m_forgets.record(key);
    }
    bool isEnabled() const { return m_lifetimeMs != 0; }
    qsizetype size() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_entries.size();
    }

private:
    struct Entry
    {
        Value value;
        CacheDeadlines deadlines;
    };

    const int m_lifetimeMs;
    mutable QMutex m_mutex;
    // QCache::object() reorders its list, hence mutable behind the mutex.
    mutable QCache<Key, Entry> m_entries;
    ForgetLog<Key> m_forgets;
};

} // namespace Tasklane
