#include "reminderscheduler.h"

#include "database.h"
#include "jobqueue.h"
#include "jobrepository.h"
#include "taskrepository.h"
#include "timezones.h"
#include "user.h"

#include <stdexcept>
#include <vector>

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString ReminderScheduler::Kind = u"reminder"_s;

QString ReminderScheduler::reminderText(const Reminder &reminder)
{
    if (reminder.beforeMinutes)
        return u"before:"_s + QString::number(*reminder.beforeMinutes);
    return u"at:"_s + toApiTimestamp(reminder.at);
}

QList<ReminderScheduler::Fire> ReminderScheduler::firesOf(const Task &task,
                                                          const QString &ownerZone)
{
    QList<Fire> fires;
    if (task.status == TaskStatus::Done || task.trashedAt.isValid())
        return fires;
    const QString occurrence = TaskRepository::occurrenceText(task.dueAt, task.dueDate);
    const QDateTime due = task.dueAt.isValid()
            ? task.dueAt
            : (task.dueDate.isValid() ? TimeZones::startOfDay(task.dueDate, ownerZone)
                                      : QDateTime());
    for (const Reminder &reminder : task.reminders) {
        QDateTime at;
        if (reminder.beforeMinutes) {
            if (!due.isValid())
                continue;
            at = due.addSecs(-qint64(*reminder.beforeMinutes) * 60);
        } else {
            at = reminder.at;
        }
        if (at.isValid())
            fires.append({ reminderText(reminder), occurrence, at.toUTC() });
    }
    return fires;
}

ReminderScheduler::ReminderScheduler(const JobQueue &queue) : m_queue(queue) { }

// New tasks whose rows wait in the transaction's TaskInsertBatch: their reminder jobs, queued
// once the batch has given them their ids (flushed after it: pending writes flush in the order
// each kind was first used, and the batch was used first).
class ReminderScheduler::PendingNewTasks final : public Database::PendingWrites
{
public:
    struct Entry
    {
        const ReminderScheduler *scheduler;
        Task task;
        const qint64 *id;
        QString ownerZone;
        QDateTime now;
    };
    std::vector<Entry> entries;

    void flush(const Database &) override
    {
        for (Entry &entry : entries) {
            entry.task.id = *entry.id;
            entry.scheduler->enqueueFires(entry.task, entry.ownerZone, entry.now);
        }
        entries.clear();
    }
};

void ReminderScheduler::scheduleNew(const Task &task, const qint64 *id, const QString &ownerZone,
                                    const QDateTime &now) const
{
    if (*id != 0) {
        Task made = task;
        made.id = *id;
        enqueueFires(made, ownerZone, now);
        return;
    }
    auto *pending = m_queue.database().pendingWrites<PendingNewTasks>();
    if (!pending) // not batching, so the row was written and has its id: not reached
        throw std::logic_error("a new task without an id outside a batched insert");
    pending->entries.push_back({ this, task, id, ownerZone, now });
}

void ReminderScheduler::reschedule(const Task &task, const QString &ownerZone,
                                   const QDateTime &now) const
{
    cancel(task.id);
    enqueueFires(task, ownerZone, now);
}

void ReminderScheduler::enqueueFires(const Task &task, const QString &ownerZone,
                                     const QDateTime &now) const
{
    const QDateTime earliest = now.addSecs(-60);
    for (const Fire &fire : firesOf(task, ownerZone)) {
        if (fire.at < earliest)
            continue;
        // The key makes the job one of its kind: a reminder being sent right now (running)
        // is not queued a second time.
        const QString key = u"reminder:%1:%2:%3"_s.arg(task.id).arg(fire.occurrence, fire.reminder);
        m_queue.enqueue(Kind,
                        { { u"task_id"_s, task.id },
                          { u"owner_id"_s, task.ownerId },
                          { u"occurrence"_s, fire.occurrence },
                          { u"reminder"_s, fire.reminder },
                          { u"fire_at"_s, toApiTimestamp(fire.at) } },
                        fire.at, key, task.id);
    }
}

void ReminderScheduler::cancel(qint64 taskId) const
{
    JobRepository(m_queue.database()).cancelQueuedForTask(taskId, Kind);
}

} // namespace Tasklane
