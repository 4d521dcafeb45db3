#include "reminderjob.h"

#include "database.h"
#include "jobqueue.h"
#include "notifier.h"
#include "reminderscheduler.h"
#include "taskrepository.h"
#include "user.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

ReminderJob::ReminderJob(const Database &database, const JobQueue &queue)
    : m_database(database), m_queue(queue), m_startedAt(QDateTime::currentDateTimeUtc())
{ }

JobResult ReminderJob::run(const Job &job) const
{
    const qint64 taskId = job.payload.value(u"task_id"_s).toInteger();
    const qint64 ownerId = job.payload.value(u"owner_id"_s).toInteger();
    const QString occurrence = job.payload.value(u"occurrence"_s).toString();
    const QString reminder = job.payload.value(u"reminder"_s).toString();
    const QDateTime fireAt = fromApiTimestamp(job.payload.value(u"fire_at"_s).toString());
    const QDateTime now = QDateTime::currentDateTimeUtc();

    // All of it in the transaction that marks the job done: checked and delivered together.
    return JobResult::recording([=, this] {
        const auto record = TaskRepository(m_database).findForUser(taskId, ownerId);
        // Gone, done, trashed, moved to another occurrence, or the reminder removed: it no longer
        // stands (the write that did it cancelled this job; this one was already running).
        bool stands = record && !record->task.trashedAt.isValid()
                && record->task.status != TaskStatus::Done
                && TaskRepository::occurrenceText(record->task.dueAt, record->task.dueDate)
                        == occurrence;
        if (stands) {
            stands = false;
            for (const Reminder &each : record->task.reminders)
                stands = stands || ReminderScheduler::reminderText(each) == reminder;
        }
        if (!stands) {
            qCInfo(lcJobs, "reminder of task %lld (%s, %s) no longer stands: not sent", taskId,
                   qUtf8Printable(occurrence), qUtf8Printable(reminder));
            return;
        }
        Notifier::Occasion occasion;
        occasion.occurrence = occurrence;
        occasion.key = reminder;
        occasion.late = fireAt.isValid()
                && (fireAt < m_startedAt || fireAt.secsTo(now) > LateAfterSeconds);
        occasion.dueAt = fireAt.isValid() ? fireAt : job.runAt;
        occasion.jobId = job.id;
        const Notifier notifier(m_queue);
        for (qint64 userId : Notifier::audienceOf(record->task))
            notifier.reminder(record->task, userId, occasion);
    });
}

} // namespace Tasklane
