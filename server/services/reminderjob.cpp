#include "reminderjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "emailjob.h"
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

std::optional<JobFollowUp> ReminderJob::run(const Job &job) const
{
    const qint64 taskId = job.payload.value(u"task_id"_s).toInteger();
    const qint64 ownerId = job.payload.value(u"owner_id"_s).toInteger();
    const QString occurrence = job.payload.value(u"occurrence"_s).toString();
    const QString reminder = job.payload.value(u"reminder"_s).toString();
    const QDateTime fireAt = fromApiTimestamp(job.payload.value(u"fire_at"_s).toString());
    const QDateTime now = QDateTime::currentDateTimeUtc();

    Transaction transaction(m_database);
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
        return std::nullopt;
    }
    QList<qint64> users{ record->task.ownerId };
    for (const Assignee &assignee : record->task.assignees)
        users.append(assignee.userId);
    const DeliveryRepository deliveries(m_database);
    const bool late
            = fireAt.isValid() && (fireAt < m_startedAt || fireAt.secsTo(now) > LateAfterSeconds);
    const Notifier notifier(m_database);
    for (qint64 userId : std::as_const(users)) {
        Delivery delivery;
        delivery.event = u"reminder"_s;
        delivery.taskId = taskId;
        delivery.occurrence = occurrence;
        delivery.reminder = reminder;
        delivery.userId = userId;
        delivery.late = late;
        delivery.dueAt = fireAt.isValid() ? fireAt : job.runAt;
        // In the app: written here, in this transaction, and so delivered with it.
        Delivery inApp = delivery;
        inApp.channel = u"in_app"_s;
        if (const auto id = deliveries.add(inApp, now)) {
            notifier.reminder(record->task, userId, occurrence, reminder, late);
            deliveries.markSent(*id, {}, now);
            DeliveryAttempt attempt;
            attempt.deliveryId = *id;
            attempt.jobId = job.id;
            attempt.channel = inApp.channel;
            attempt.outcome = u"sent"_s;
            attempt.at = now;
            deliveries.recordAttempt(attempt);
        }
        delivery.channel = u"email"_s;
        if (const auto id = deliveries.add(delivery, now))
            m_queue.enqueue(EmailJob::Kind, { { u"delivery_id"_s, *id } }, now);
    }
    transaction.commit();
    return std::nullopt;
}

} // namespace Tasklane
