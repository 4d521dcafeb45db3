#pragma once

#include <QtGlobal>

#include <atomic>
#include <functional>

namespace Tasklane {

// Reads cache entries again ahead of their expiry, off the request path: a hit on an entry near
// the end of its trusted time (CacheDeadlines::refreshFrom) is answered from it and hands its
// re-read here, which runs on the database pool. At most `maxInFlight` re-reads wait or run at
// once; beyond that (or when the pool refuses) an entry simply expires and its next reader reads
// the database, as without this. Thread-safe once wired.
class CacheRefresher
{
public:
    // Queues a task on the database pool; false when the pool refuses it.
    using Post = std::function<bool(std::function<void()>)>;

    explicit CacheRefresher(int maxInFlight = 16);
    Q_DISABLE_COPY_MOVE(CacheRefresher)

    // Set while wiring, before any thread uses it; until then nothing is re-read.
    void setPost(Post post);
    // Runs `read` on the pool (its exceptions are logged and dropped); false when it was not
    // queued.
    bool refresh(std::function<void()> read);
    int inFlight() const { return m_inFlight.load(); }
    // Queues nothing more (the server stops: its pools are about to be drained).
    void stop() { m_stopped.store(true); }

private:
    const int m_maxInFlight;
    Post m_post;
    std::atomic<int> m_inFlight{ 0 };
    std::atomic<bool> m_stopped{ false };
};

} // namespace Tasklane
