#include "tasklistcache.h"

#include <QMutexLocker>

#include <memory>

namespace Tasklane {

namespace {
// What a page costs beyond its JSON (its key, the hash node): counted so that many tiny pages
// cannot exceed the budget unseen.
constexpr qint64 PageOverhead = 256;
} // namespace

TaskListCache::TaskListCache(int lifetimeMs, qint64 budgetBytes)
    : m_lifetimeMs(lifetimeMs), m_users(budgetBytes)
{ }

std::optional<QByteArray> TaskListCache::find(qint64 userId, const QString &key) const
{
    const QMutexLocker lock(&m_mutex);
    const UserPages *user = m_users.object(userId);
    if (!user)
        return std::nullopt;
    const auto page = user->pages.constFind(key);
    if (page == user->pages.cend() || page->trusted.hasExpired())
        return std::nullopt;
    return page->json;
}

TaskListCache::Generation TaskListCache::snapshot() const
{
    const QMutexLocker lock(&m_mutex);
    return m_forgets.current();
}

bool TaskListCache::remember(qint64 userId, const QString &key, const QByteArray &json,
                             Generation readAt)
{
    if (m_lifetimeMs == 0)
        return false;
    const QMutexLocker lock(&m_mutex);
    if (m_forgets.forgottenSince(userId, readAt))
        return false;
    std::unique_ptr<UserPages> user(m_users.take(userId));
    if (!user)
        user = std::make_unique<UserPages>();
    if (const auto old = user->pages.constFind(key); old != user->pages.cend()) {
        user->bytes -= old->json.size() + PageOverhead;
        user->pages.erase(old);
    }
    if (user->pages.size() >= PagesPerUser) { // any one: pages of a user come and go together
        user->bytes -= user->pages.cbegin()->json.size() + PageOverhead;
        user->pages.erase(user->pages.cbegin());
    }
    user->pages.insert(key,
                       Page{ json,
                             m_lifetimeMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever)
                                              : QDeadlineTimer(m_lifetimeMs) });
    user->bytes += json.size() + PageOverhead;
    const qint64 cost = user->bytes;
    return m_users.insert(userId, user.release(), cost);
}

void TaskListCache::forgetUser(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    m_users.remove(userId);
    m_forgets.record(userId);
}

qint64 TaskListCache::bytes() const
{
    const QMutexLocker lock(&m_mutex);
    return m_users.totalCost();
}

} // namespace Tasklane
