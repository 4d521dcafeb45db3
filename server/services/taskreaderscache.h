#pragma once

#include "forgetfulcache.h"
#include "taskrecord.h"

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
class TaskReadersCache : public ForgetfulCache<qint64, TaskReaders>
{
public:
    // `lifetimeMs`: how long an entry is trusted, or -1 for as long as it is not forgotten; 0
    // keeps nothing. At most `capacity` entries (the least recently used go first).
    explicit TaskReadersCache(int lifetimeMs, qsizetype capacity = 200'000)
        : ForgetfulCache(lifetimeMs, capacity)
    { }
};

} // namespace Tasklane
