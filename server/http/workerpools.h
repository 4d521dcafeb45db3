#pragma once

#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>

namespace Tasklane {

// Where a route's handler runs. Nothing that touches the database or hashes a password runs on
// the event loop.
enum class Executor {
    EventLoop, // trivial, no I/O (health, the OpenAPI document)
    Database, // reads: a pool of few threads (about one per core), each with its own connection
    DatabaseWrite, // writes: a larger pool, since a write waits for its commit on its thread
                   // and waiting writes share commits (CommitGroup)
    Hashing, // password hashing (and the queries around it): a separate, bounded pool
};

// "event-loop", "database" or "hashing" (for `tasklaned routes`).
QString executorName(Executor executor);

// The two worker pools. Hashing threads run at a lower scheduling priority. Both queues are
// bounded, in tasks and in the bytes of the request bodies that wait in them, so that a flood
// (or a database that has stalled) gets 503s instead of stalling everything else or filling
// the memory with waiting requests.
class WorkerPools
{
public:
    struct Limits
    {
        int databaseThreads = 4;
        int databaseWriteThreads = 16;
        int hashingThreads = 2;
        int databaseQueue = 1024; // tasks waiting for a database thread
        int hashingQueue = 256; // tasks waiting for (or running on) a hashing thread
        qint64 queuedBodyBytes = 64 * 1024 * 1024; // bodies waiting in either queue
    };

    explicit WorkerPools(const Limits &limits);
    ~WorkerPools();
    Q_DISABLE_COPY_MOVE(WorkerPools)

    // False when the pool refuses more work: its queue is full, or the bodies waiting would
    // exceed their cap. `heldBytes` is what the task keeps alive while it waits (its request's
    // body); a body larger than the whole cap is still taken when nothing else waits.
    bool start(Executor executor, std::function<void()> task, qint64 heldBytes = 0);
    void waitForDone();
    // Runs `work` once on each thread of each pool (see runOnEachThread), when they are idle.
    void runOnEachThread(const std::function<void()> &work);

private:
    // Takes a place in a queue; false when there is none.
    bool reserve(std::atomic<int> &queued, int limit, qint64 heldBytes);

    Limits m_limits;
    QThreadPool m_database;
    QThreadPool m_databaseWrites;
    QThreadPool m_hashing;
    std::atomic<int> m_databaseQueued{ 0 };
    std::atomic<int> m_databaseWritesQueued{ 0 };
    std::atomic<int> m_hashingQueued{ 0 };
    std::atomic<qint64> m_queuedBodyBytes{ 0 };
};

} // namespace Tasklane
