#include "cacherefresher.h"

#include <QLoggingCategory>

#include <exception>

Q_LOGGING_CATEGORY(lcCacheRefresh, "tasklane.cache")

namespace Tasklane {

CacheRefresher::CacheRefresher(int maxInFlight) : m_maxInFlight(std::max(1, maxInFlight)) { }

void CacheRefresher::setPost(Post post)
{
    m_post = std::move(post);
}

bool CacheRefresher::refresh(std::function<void()> read)
{
    if (!m_post || m_stopped.load())
        return false;
    if (m_inFlight.fetch_add(1) >= m_maxInFlight) {
        m_inFlight.fetch_sub(1);
        return false;
    }
    const bool queued = m_post([this, read = std::move(read)] {
        try {
            read();
        } catch (const std::exception &error) {
            // The entry expires as it would have; its next reader reads the database.
            qCDebug(lcCacheRefresh, "a cache entry could not be read again: %s", error.what());
        } catch (...) {
            qCDebug(lcCacheRefresh, "a cache entry could not be read again");
        }
        m_inFlight.fetch_sub(1);
    });
    if (!queued)
        m_inFlight.fetch_sub(1);
    return queued;
}

} // namespace Tasklane
