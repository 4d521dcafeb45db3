#include "reminderscheduler.h"

#include "jobqueue.h"
#include "jobrepository.h"
#include "taskrepository.h"
#include "timezones.h"
#include "user.h"

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

void ReminderScheduler::reschedule(const Task &task, const QString &ownerZone,
                                   const QDateTime &now) const
{
    cancel(task.id);
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
