#include "taskjsoncache.h"

#include "taskrecord.h"

namespace Tasklane {

namespace {
// What an entry costs beyond its JSON: the hash node and the order queue's slot.
constexpr qint64 EntryOverhead = 64;
} // namespace

TaskJsonCache::TaskJsonCache(qint64 budgetBytes) : m_budgetBytes(budgetBytes) { }

QByteArray TaskJsonCache::find(qint64 taskId, qint64 version) const
{
    const QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(taskId);
    if (it == m_entries.constEnd() || it->version != version)
        return {};
    return it->json;
}

void TaskJsonCache::store(qint64 taskId, qint64 version, const QByteArray &json)
{
    if (m_budgetBytes <= 0 || json.size() + EntryOverhead > m_budgetBytes)
        return;
    const QMutexLocker lock(&m_mutex);
    auto it = m_entries.find(taskId);
    if (it != m_entries.end()) {
        if (it->version > version)
            return; // a reader that was slower than a writer: keep the newer one
        m_bytes -= it->json.size();
        it->version = version;
        it->json = json;
        m_bytes += json.size();
    } else {
        m_entries.insert(taskId, { version, json });
        m_order.push_back(taskId);
        m_bytes += json.size() + EntryOverhead;
    }
    while (m_bytes > m_budgetBytes && !m_order.empty()) {
        const qint64 oldest = m_order.front();
        m_order.pop_front();
        const auto victim = m_entries.find(oldest);
        if (victim == m_entries.end())
            continue;
        m_bytes -= victim->json.size() + EntryOverhead;
        m_entries.erase(victim);
    }
}

QByteArray TaskJsonCache::jsonOf(const TaskRecord &record)
{
    QByteArray json = record.task.toJsonBytes();
    store(record.task.id, record.task.version, json);
    return json;
}

qint64 TaskJsonCache::bytes() const
{
    const QMutexLocker lock(&m_mutex);
    return m_bytes;
}

} // namespace Tasklane
