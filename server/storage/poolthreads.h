#pragma once

#include <functional>

class QThreadPool;

namespace Tasklane {

// Runs `work` once on each thread of `pool` (creating those it has not started yet), and
// returns when every run is over. Each run waits on a barrier until all have begun, so no
// thread runs two of them. `pool` should not be busy: a task still running delays this.
//
// Why: a pool thread's database connection (Database keeps one per thread, in a thread_local)
// would otherwise close in that thread's thread_local destructors, which run after
// QThread::wait() and QThreadPool::waitForDone() have already returned, so possibly while the
// process exits and QtSql's connection registry is already gone (a crash at exit, seen under
// ASan). Closing each connection on its own thread first leaves nothing for those destructors.
void runOnEachThread(QThreadPool &pool, const std::function<void()> &work);

} // namespace Tasklane
