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

QList<JobOutcome> ReminderJob::runBatch(const QList<Job> &jobs) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    struct Fire
    {
        qint64 taskId = 0;
        qint64 ownerId = 0;
        QString occurrence;
        QString reminder;
        QDateTime fireAt;
        const Task *task = nullptr; // when it still stands
        bool toldBefore = false; // an earlier job of this reminder may have sent it
    };
    QList<Fire> fires;
    QList<qint64> taskIds;
    for (const Job &job : jobs) {
        Fire fire;
        fire.taskId = job.payload.value(u"task_id"_s).toInteger();
        fire.ownerId = job.payload.value(u"owner_id"_s).toInteger();
        fire.occurrence = job.payload.value(u"occurrence"_s).toString();
        fire.reminder = job.payload.value(u"reminder"_s).toString();
        fire.fireAt = fromApiTimestamp(job.payload.value(u"fire_at"_s).toString());
        // An earlier job of the same reminder ran at its time or later, and held its key until
        // it was done: this one, queued before that time, came first (give or take the clocks
        // of two servers).
        fire.toldBefore = !fire.fireAt.isValid() || !job.createdAt.isValid()
                || job.createdAt.addSecs(ClockSkewSeconds) >= fire.fireAt;
        fires.append(fire);
        taskIds.append(fire.taskId);
    }
    const TaskRepository taskRepository(m_database);
    QHash<qint64, TaskRecord> tasks;
    for (qsizetype start = 0; start < taskIds.size(); start += TaskRepository::MaxBulkRead)
        tasks.insert(taskRepository.findMany(taskIds.mid(start, TaskRepository::MaxBulkRead)));
    // Gone, done, trashed, moved to another occurrence, the reminder removed, or no longer the
    // owner's: it no longer stands (the write that did it cancelled this job, unless it was
    // already taken).
    QList<qint64> audience;
    QList<qint64> toldBefore; // tasks whose email may have gone out already
    for (Fire &fire : fires) {
        const auto record = tasks.constFind(fire.taskId);
        if (record == tasks.cend() || !stands(record->task, fire.occurrence, fire.reminder))
            continue;
        const QList<qint64> users = Notifier::audienceOf(record->task);
        if (!users.contains(fire.ownerId))
            continue;
        fire.task = &record->task;
        if (fire.toldBefore)
            toldBefore.append(fire.taskId);
        for (qint64 userId : users) {
            if (!audience.contains(userId))
                audience.append(userId);
        }
    }
    const bool sendsAtOnce = m_mail.sendsAtOnce();
    const Notifier notifier(m_queue);
    const QHash<qint64, Notifier::Recipient> recipients
            = notifier.recipients(audience, Type, now, sendsAtOnce);
    const QSet<QString> told = sendsAtOnce && !toldBefore.isEmpty()
            ? DeliveryRepository(m_database).existing(Type, u"email"_s, toldBefore)
            : QSet<QString>();

    // Each standing reminder's recipients, and the emails to write now (all of the batch's at
    // once: the outbox makes them durable together).
    struct Told
    {
        Notifier::Occasion occasion;
        QList<Notifier::Recipient> recipients;
    };
    std::vector<std::optional<Told>> planned(size_t(jobs.size()));
    QList<MailMessage> messages;
    QList<std::pair<qsizetype, qsizetype>> messageRecipients; // (job, recipient) of each
    for (qsizetype n = 0; n < jobs.size(); ++n) {
        const Job &job = jobs.at(n);
        const Fire &fire = fires.at(n);
        if (!fire.task) {
            qCInfo(lcJobs, "reminder of task %lld (%s, %s) no longer stands: not sent", fire.taskId,
                   qUtf8Printable(fire.occurrence), qUtf8Printable(fire.reminder));
            continue;
        }
        Told &plan = planned[size_t(n)].emplace();
        plan.occasion.occurrence = fire.occurrence;
        plan.occasion.key = fire.reminder;
        plan.occasion.late = fire.fireAt.isValid()
                && (fire.fireAt < m_startedAt || fire.fireAt.secsTo(now) > LateAfterSeconds);
        plan.occasion.dueAt = fire.fireAt.isValid() ? fire.fireAt : job.runAt;
        plan.occasion.jobId = job.id;
        for (qint64 userId : Notifier::audienceOf(*fire.task)) {
            const Notifier::Recipient recipient = recipients.value(userId);
            if (sendsAtOnce && recipient.emailsNow(Type, now)) {
                if (auto message = emailOf(job, *fire.task, plan.occasion, recipient, told, now)) {
                    messages.append(std::move(*message));
                    messageRecipients.append({ n, plan.recipients.size() });
                }
            }
            plan.recipients.append(recipient);
        }
    }
    for (const qsizetype sent : sendNow(messages)) {
        const auto [n, k] = messageRecipients.at(sent);
        planned[size_t(n)]->recipients[k].emailSentTo = messages.at(sent).to.address;
    }

    QList<JobOutcome> outcomes;
    for (qsizetype n = 0; n < jobs.size(); ++n) {
        JobOutcome outcome;
        if (const auto &plan = planned[size_t(n)]) {
            outcome.result = JobResult::recording([this, task = *fires.at(n).task,
                                                   occasion = plan->occasion,
                                                   recipientsOfJob = plan->recipients] {
                const Notifier writer(m_queue);
                for (const Notifier::Recipient &recipient : recipientsOfJob)
                    writer.reminder(task, recipient, occasion);
            });
        }
        outcomes.append(std::move(outcome));
    }
    return outcomes;
}

std::optional<MailMessage> ReminderJob::emailOf(const Job &job, const Task &task,
                                                const Notifier::Occasion &occasion,
                                                const Notifier::Recipient &recipient,
                                                const QSet<QString> &told,
                                                const QDateTime &now) const
{
    if (!recipient.account || recipient.account->status != AccountStatus::Active
        || !MailAddress::isValid(recipient.account->email))
        return std::nullopt; // no address, or a closed account
    Delivery delivery = Notifier::deliveryOf(recipient.userId, task, Type, {}, occasion, now);
    delivery.channel = u"email"_s;
    if (told.contains(DeliveryRepository::keyOf(delivery)))
        return std::nullopt; // told already, by an earlier job of this reminder
    const User &user = *recipient.account;
    return m_mail.message(m_mail.composer().taskNotice(delivery, task, user, {}), user,
                          job.uid + u'-' + QString::number(recipient.userId), delivery.late);
}

QList<qsizetype> ReminderJob::sendNow(const QList<MailMessage> &messages) const
{
    QList<qsizetype> sent;
    if (messages.isEmpty())
        return sent;
    try {
        m_mail.sendAll(messages);
        for (qsizetype n = 0; n < messages.size(); ++n)
            sent.append(n);
        return sent;
    } catch (const MailError &error) {
        qCWarning(lcJobs, "could not write %lld reminder emails together (%s): one by one",
                  qlonglong(messages.size()), error.what());
    }
    for (qsizetype n = 0; n < messages.size(); ++n) {
        try {
            m_mail.send(messages.at(n));
            sent.append(n);
        } catch (const MailError &error) {
            qCWarning(lcJobs, "could not write the email %s now, queued: %s",
                      qUtf8Printable(messages.at(n).messageId), error.what());
        }
    }
    return sent;
}

} // namespace Tasklane
