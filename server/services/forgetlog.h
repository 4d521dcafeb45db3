#pragma once

#include <QHash>

namespace Tasklane {

// The order of a cache's forgets, so that a reader that filled it from the database cannot put
// back what a write forgot meanwhile: the reader takes current() before it reads, and the cache
// refuses its answer when forgottenSince(key, thatGeneration). At most `maxRecords` forgets are
// kept per key; beyond that the record is dropped at once and every read begun before is
// refused (a miss, never a stale entry). Not thread-safe: used under its cache's mutex.
template<class Key>
class ForgetLog
{
public:
    // A point in the sequence of forgets (a counter that only grows).
    using Generation = quint64;

    explicit ForgetLog(qsizetype maxRecords) : m_maxRecords(maxRecords) { }

    Generation current() const { return m_generation; }

    void record(const Key &key)
    {
        ++m_generation;
        if (m_forgottenAt.size() >= m_maxRecords) {
            m_forgottenAt.clear();
            m_prunedThrough = m_generation;
        } else {
            m_forgottenAt.insert(key, m_generation);
        }
    }

    // Whether `key` was forgotten after `readAt`, or the record that would tell is gone.
    bool forgottenSince(const Key &key, Generation readAt) const
    {
        return readAt < m_prunedThrough || m_forgottenAt.value(key, 0) > readAt;
    }

private:
    const qsizetype m_maxRecords;
    Generation m_generation = 0;
    QHash<Key, Generation> m_forgottenAt;
    Generation m_prunedThrough = 0;
};

} // namespace Tasklane
