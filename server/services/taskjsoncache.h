#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <deque>

namespace Tasklane {

struct TaskRecord;

// The serialised JSON of tasks, by id and version, shared by every thread of the process. A
// task's JSON is the same for every reader (nothing in it depends on who asks), and every write
// that changes it gives the task a new version, which readers get from the database with the
// task's id: an entry is only ever used for the version it was made from, so a write in another
// process can never be served stale. Bounded by bytes; the oldest entries go first.
class TaskJsonCache
{
public:
    explicit TaskJsonCache(qint64 budgetBytes);
    Q_DISABLE_COPY_MOVE(TaskJsonCache)

    // The JSON of this version of the task, or a null QByteArray.
    QByteArray find(qint64 taskId, qint64 version) const;
    void store(qint64 taskId, qint64 version, const QByteArray &json);
    // The task's JSON, serialised now and kept.
    QByteArray jsonOf(const TaskRecord &record);

    qint64 bytes() const;

private:
    struct Entry
    {
        qint64 version = 0;
        QByteArray json;
    };

    const qint64 m_budgetBytes;
    mutable QMutex m_mutex;
    QHash<qint64, Entry> m_entries;
    std::deque<qint64> m_order; // ids in the order they were stored (an id may repeat)
    qint64 m_bytes = 0;
};

} // namespace Tasklane
