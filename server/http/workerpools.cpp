#include "workerpools.h"

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
    case Executor::Hashing: return QStringLiteral("hashing");
    }
    return {};
}

WorkerPools::WorkerPools(int databaseThreads, int hashingThreads, int hashingQueueLimit)
    : m_hashingQueueLimit(hashingQueueLimit)
{
    m_database.setObjectName(QStringLiteral("tasklane-db"));
    m_database.setMaxThreadCount(databaseThreads);
    m_database.setExpiryTimeout(-1); // threads keep their database connections
    m_hashing.setObjectName(QStringLiteral("tasklane-hash"));
    m_hashing.setMaxThreadCount(hashingThreads);
    m_hashing.setExpiryTimeout(-1);
}

WorkerPools::~WorkerPools()
{
    waitForDone();
}

bool WorkerPools::start(Executor executor, std::function<void()> task)
{
    if (executor == Executor::Hashing) {
        if (m_hashingQueued.fetch_add(1) >= m_hashingQueueLimit) {
            m_hashingQueued.fetch_sub(1);
            return false;
        }
        m_hashing.start([this, task = std::move(task)] {
            lowerThisThreadsPriority();
            task();
            m_hashingQueued.fetch_sub(1);
        });
        return true;
    }
    m_database.start(std::move(task));
    return true;
}

void WorkerPools::waitForDone()
{
    m_database.waitForDone();
    m_hashing.waitForDone();
}

} // namespace Tasklane
