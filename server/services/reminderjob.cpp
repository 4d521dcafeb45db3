#include "reminderjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "jobqueue.h"
#include "mailer.h"
#include "noticemailer.h"
#include "reminderscheduler.h"
#include "taskrepository.h"
#include "user.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

namespace {
const QString Type = u"reminder"_s;

// Whether the reminder is still one `task` has: not done, not in the trash, at the same
// occurrence and with that reminder.
bool stands(const Task &task, const QString &occurrence, const QString &reminder)
{
    if (task.trashedAt.isValid() || task.status == TaskStatus::Done
        || TaskRepository::occurrenceText(task.dueAt, task.dueDate) != occurrence)
        return false;
    for (const Reminder &each : task.reminders) {
        if (ReminderScheduler::reminderText(each) == reminder)
            return true;
    }
    return false;
}
} // namespace

ReminderJob::ReminderJob(const Database &database, const JobQueue &queue, const NoticeMailer &mail)
    : m_database(database), m_queue(queue), m_mail(mail),
      m_startedAt(QDateTime::currentDateTimeUtc())
{ }

JobResult ReminderJob::run(const Job &job) const
{
    const qint64 taskId = job.payload.value(u"task_id"_s).toInteger();
    const qint64 ownerId = job.payload.value(u"owner_id"_s).toInteger();
    const QString occurrence = job.payload.value(u"occurrence"_s).toString();
    const QString reminder = job.payload.value(u"reminder"_s).toString();
    const QDateTime fireAt = fromApiTimestamp(job.payload.value(u"fire_at"_s).toString());
    const QDateTime now = QDateTime::currentDateTimeUtc();

    const auto record = TaskRepository(m_database).findForUser(taskId, ownerId);
    // Gone, done, trashed, moved to another occurrence, or the reminder removed: it no longer
    // stands (the write that did it cancelled this job, unless it was already taken).
    if (!record || !stands(record->task, occurrence, reminder)) {
        qCInfo(lcJobs, "reminder of task %lld (%s, %s) no longer stands: not sent", taskId,
               qUtf8Printable(occurrence), qUtf8Printable(reminder));
        return std::nullopt;
    }
    const Task &task = record->task;
    Notifier::Occasion occasion;
    occasion.occurrence = occurrence;
    occasion.key = reminder;
    occasion.late
            = fireAt.isValid() && (fireAt < m_startedAt || fireAt.secsTo(now) > LateAfterSeconds);
    occasion.dueAt = fireAt.isValid() ? fireAt : job.runAt;
    occasion.jobId = job.id;
    const bool sendsAtOnce = m_mail.sendsAtOnce();
    const Notifier notifier(m_queue);
    QList<Notifier::Recipient> recipients;
    for (qint64 userId : Notifier::audienceOf(task)) {
        Notifier::Recipient recipient = notifier.recipient(userId, Type, now, sendsAtOnce);
        if (sendsAtOnce && recipient.emailsNow(Type, now))
            sendEmailNow(job, task, occasion, recipient, now);
        recipients.append(std::move(recipient));
    }
    return JobResult::recording([this, task, occasion, recipients] {
        const Notifier writer(m_queue);
        for (const Notifier::Recipient &recipient : recipients)
            writer.reminder(task, recipient, occasion);
    });
}

void ReminderJob::sendEmailNow(const Job &job, const Task &task, const Notifier::Occasion &occasion,
                               Notifier::Recipient &recipient, const QDateTime &now) const
{
    if (!recipient.account || !MailAddress::isValid(recipient.account->email))
        return;
    Delivery delivery = Notifier::deliveryOf(recipient.userId, task, Type, {}, occasion, now);
    delivery.channel = u"email"_s;
    if (DeliveryRepository(m_database).exists(delivery))
        return; // told already, by an earlier job of this reminder (the task was changed since)
    const User &user = *recipient.account;
    const MailMessage message
            = m_mail.message(m_mail.composer().taskNotice(delivery, task, user, {}), user,
                             job.uid + u'-' + QString::number(recipient.userId), delivery.late);
    try {
        m_mail.send(message);
    } catch (const MailError &error) {
        qCWarning(lcJobs, "reminder of task %lld: could not write its email now, queued: %s",
                  task.id, error.what());
        return;
    }
    recipient.emailSentTo = user.email;
}

} // namespace Tasklane
