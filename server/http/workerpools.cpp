#include "workerpools.h"

#include "poolthreads.h"

#include <sys/resource.h>
#include <unistd.h>

namespace Tasklane {

namespace {
void lowerThisThreadsPriority()
{
    // On Linux a thread's nice value is its own; nice 5 gives it about a third of the CPU share
    // of a default thread when they compete.
    thread_local bool lowered = false;
    if (!lowered) {
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
        lowered = true;
    }
}
} // namespace

QString executorName(Executor executor)
{
    switch (executor) {
    case Executor::EventLoop: return QStringLiteral("event-loop");
    case Executor::Database: return QStringLiteral("database");
    case Executor::DatabaseWrite: return QStringLiteral("database-write");
    case Executor::Hashing: return QStringLiteral("hashing");
    }
    return {};
}

WorkerPools::WorkerPools(const Limits &limits) : m_limits(limits)
{
    m_database.setObjectName(QStringLiteral("tasklane-db"));
    m_database.setMaxThreadCount(limits.databaseThreads);
    m_database.setExpiryTimeout(-1); // threads keep their database connections
    m_databaseWrites.setObjectName(QStringLiteral("tasklane-db-write"));
    m_databaseWrites.setMaxThreadCount(limits.databaseWriteThreads);
    m_databaseWrites.setExpiryTimeout(-1);
    m_hashing.setObjectName(QStringLiteral("tasklane-hash"));
    m_hashing.setMaxThreadCount(limits.hashingThreads);
    m_hashing.setExpiryTimeout(-1);
}

WorkerPools::~WorkerPools()
{
    waitForDone();
}

bool WorkerPools::reserve(std::atomic<int> &queued, int limit, qint64 heldBytes)
{
    if (queued.fetch_add(1) >= limit) {
        queued.fetch_sub(1);
        return false;
    }
    const qint64 before = m_queuedBodyBytes.fetch_add(heldBytes);
    if (heldBytes > 0 && before > 0 && before + heldBytes > m_limits.queuedBodyBytes) {
        m_queuedBodyBytes.fetch_sub(heldBytes);
        queued.fetch_sub(1);
        return false;
    }
    return true;
}

bool WorkerPools::start(Executor executor, std::function<void()> task, qint64 heldBytes)
{
    if (executor == Executor::Hashing) {
        // Counted until the hash is done: the hashing queue bounds the work in hand.
        if (!reserve(m_hashingQueued, m_limits.hashingQueue, heldBytes))
            return false;
        m_hashing.start([this, heldBytes, task = std::move(task)] {
            m_queuedBodyBytes.fetch_sub(heldBytes);
            lowerThisThreadsPriority();
            task();
            m_hashingQueued.fetch_sub(1);
        });
        return true;
    }
    // Counted until a thread takes it: each database queue bounds what waits in it.
    const bool write = executor == Executor::DatabaseWrite;
    std::atomic<int> &queued = write ? m_databaseWritesQueued : m_databaseQueued;
    if (!reserve(queued, m_limits.databaseQueue, heldBytes))
        return false;
    (write ? m_databaseWrites : m_database)
            .start([this, heldBytes, &queued, task = std::move(task)] {
                m_queuedBodyBytes.fetch_sub(heldBytes);
                queued.fetch_sub(1);
                task();
            });
    return true;
}

void WorkerPools::waitForDone()
{
    m_database.waitForDone();
    m_databaseWrites.waitForDone();
    m_hashing.waitForDone();
}

void WorkerPools::runOnEachThread(const std::function<void()> &work)
{
    for (QThreadPool *pool : { &m_database, &m_databaseWrites, &m_hashing })
        Tasklane::runOnEachThread(*pool, work);
}

} // namespace Tasklane
