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
    Database, // queries: one pool, each thread with its own connection
    Hashing, // password hashing (and the queries around it): a separate, bounded pool
};

// "event-loop", "database" or "hashing" (for `tasklaned routes`).
QString executorName(Executor executor);

// The two worker pools. Hashing threads run at a lower scheduling priority and their queue is
// bounded, so a login flood gets 503s instead of stalling everything else.
class WorkerPools
{
public:
    WorkerPools(int databaseThreads, int hashingThreads, int hashingQueueLimit);
    ~WorkerPools();
    Q_DISABLE_COPY_MOVE(WorkerPools)

    // False when the pool refuses more work (the hashing queue is full).
    bool start(Executor executor, std::function<void()> task);
    void waitForDone();

private:
    QThreadPool m_database;
    QThreadPool m_hashing;
    std::atomic<int> m_hashingQueued{ 0 };
    int m_hashingQueueLimit;
};

} // namespace Tasklane
