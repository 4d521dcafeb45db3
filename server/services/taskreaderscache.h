#pragma once

#include "cachelifetime.h"
#include "forgetlog.h"
#include "taskrecord.h"

#include <QCache>
#include <QMutex>

#include <optional>

namespace Tasklane {

// Who may read each recently read task, and at which version (TaskReaders), so that a read of a
// task whose JSON TaskJsonCache holds is answered without the database.
//
// Every write that changes a task notes it (Database::noteChanged), and the entry is forgotten
// once that write has committed and before it is acknowledged. Forgetting and remembering are
// ordered as in PrincipalCache: a reader takes a snapshot() before it reads the database, and
// remember() refuses what it read if the task was forgotten since.
//
// Only this process's writes are heard. On SQLite no other process writes (tasklaned owns its
// database), so an entry is kept until it is forgotten or evicted. On PostgreSQL, where other
// processes share the database, an entry is trusted for `sharedLifetimeMs` at most (the
// principal cache's lifetime), the time within which they see another process's change; each
// for a random share of it, half or more (spreadCacheLifetime), so that they expire apart.
// Thread-safe.
class TaskReadersCache
{
public:
    using Generation = ForgetLog<qint64>::Generation;

    // `lifetimeMs`: how long an entry is trusted, or -1 for as long as it is not forgotten; 0
    // keeps nothing. At most `capacity` entries (the least recently used go first).
    explicit TaskReadersCache(int lifetimeMs, qsizetype capacity = 200'000);
    Q_DISABLE_COPY_MOVE(TaskReadersCache)

    // With `refreshDue`: set when the entry is near the end of its trusted time and nobody was
    // told so yet (as PrincipalCache::find).
    std::optional<TaskReaders> find(qint64 taskId, bool *refreshDue = nullptr) const;
    // To be taken before reading what remember() will be given.
    Generation snapshot() const;
    // Keeps the readers unless the task was forgotten after `readAt` (or the record that would
    // tell was pruned since); true when they were kept.
    bool remember(qint64 taskId, const TaskReaders &readers, Generation readAt);
    // Call after the change to the task has committed.
    void forget(qint64 taskId);
    bool isEnabled() const { return m_lifetimeMs != 0; }
    qsizetype size() const;

    // How many forgets are recorded before the record is pruned (tests).
    static constexpr qsizetype MaxForgets = 65'536;

private:
    struct Entry
    {
        TaskReaders readers;
        CacheDeadlines deadlines;
    };

    const int m_lifetimeMs;
    mutable QMutex m_mutex;
    // QCache::object() reorders its list, hence mutable behind the mutex.
    mutable QCache<qint64, Entry> m_entries;
    ForgetLog<qint64> m_forgets{ MaxForgets }; // by task
};

} // namespace Tasklane
