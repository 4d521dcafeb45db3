#include "poolthreads.h"

#include <QSemaphore>
#include <QThreadPool>

namespace Tasklane {

void runOnEachThread(QThreadPool &pool, const std::function<void()> &work)
{
    const int threads = pool.maxThreadCount();
    QSemaphore begun;
    QSemaphore released;
    QSemaphore finished;
    for (int i = 0; i < threads; ++i) {
        pool.start([&] {
            begun.release();
            released.acquire(); // until every thread holds one of these tasks
            work();
            finished.release();
        });
    }
    begun.acquire(threads);
    released.release(threads);
    finished.acquire(threads);
}

} // namespace Tasklane
