#include "taskreaderscache.h"

#include <QMutexLocker>

namespace Tasklane {

TaskReadersCache::TaskReadersCache(int lifetimeMs, qsizetype capacity)
    : m_lifetimeMs(lifetimeMs), m_entries(capacity)
{ }

std::optional<TaskReaders> TaskReadersCache::find(qint64 taskId, bool *refreshDue) const
{
    const QMutexLocker lock(&m_mutex);
    Entry *entry = m_entries.object(taskId);
    if (!entry || entry->deadlines.expired())
        return std::nullopt;
    if (refreshDue && entry->deadlines.takeRefresh())
        *refreshDue = true;
    return entry->readers;
}

TaskReadersCache::Generation TaskReadersCache::snapshot() const
{
    const QMutexLocker lock(&m_mutex);
    return m_forgets.current();
}

bool TaskReadersCache::remember(qint64 taskId, const TaskReaders &readers, Generation readAt)
{
    if (m_lifetimeMs == 0)
        return false;
    const QMutexLocker lock(&m_mutex);
    if (m_forgets.forgottenSince(taskId, readAt))
        return false;
    auto *entry = new Entry{ readers, spreadCacheDeadlines(m_lifetimeMs) };
    return m_entries.insert(taskId, entry);
}

void TaskReadersCache::forget(qint64 taskId)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.remove(taskId);
    m_forgets.record(taskId);
}

qsizetype TaskReadersCache::size() const
{
    const QMutexLocker lock(&m_mutex);
    return m_entries.size();
}

} // namespace Tasklane
