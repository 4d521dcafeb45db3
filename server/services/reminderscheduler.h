#pragma once

#include "task.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace Tasklane {

class JobQueue;

// Turns a task's reminders into jobs (kind "reminder"), one per reminder of its current
// occurrence, queued in the transaction of the write that set them. Every write to a task
// replaces its queued reminder jobs with those its new state calls for: a rescheduled task
// never fires its old reminder (and ReminderJob checks again when one runs).
class ReminderScheduler
{
public:
    static const QString Kind;

    struct Fire
    {
        QString reminder; // "at:<instant>" or "before:<minutes>"
        QString occurrence; // the due time it belongs to (TaskRepository::occurrenceText)
        QDateTime at;
    };

    // When each reminder of `task` fires: a fixed one at its instant; a relative one that many
    // minutes before the due time, an all-day task's due time being the start of its date in
    // the owner's zone. None for a task that is done or in the trash, nor relative ones for a
    // task without a due time.
    static QList<Fire> firesOf(const Task &task, const QString &ownerZone);
    static QString reminderText(const Reminder &reminder);

    explicit ReminderScheduler(const JobQueue &queue);
    // The queue it adds to, which tells of other events too (Notifier).
    const JobQueue &queue() const { return m_queue; }

    // In the write's transaction: the task's queued reminder jobs replaced by its fires from
    // `now` on (a minute's grace: a reminder set for right now still fires).
    void reschedule(const Task &task, const QString &ownerZone, const QDateTime &now) const;
    // In a new task's write: its reminder jobs queued. `id` is where its id is (or will be:
    // 0 while its row waits in a batched insert, TaskInsertBatch); then they are queued when
    // that batch is written, in the same transaction.
    void scheduleNew(const Task &task, const qint64 *id, const QString &ownerZone,
                     const QDateTime &now) const;
    // In the write's transaction: the task's queued reminder jobs cancelled (a purge).
    void cancel(qint64 taskId) const;

private:
    class PendingNewTasks;
    // The jobs of `task`'s fires from `now` on (a minute's grace).
    void enqueueFires(const Task &task, const QString &ownerZone, const QDateTime &now) const;

    const JobQueue &m_queue;
};

} // namespace Tasklane
