#include "emailjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "digestjob.h"
#include "mailer.h"
#include "taskrepository.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString EmailJob::Kind = u"email"_s;

EmailJob::EmailJob(const Database &database, const Mailer &mailer, MailSettings settings)
    : m_database(database), m_mailer(mailer), m_settings(std::move(settings)),
      m_composer(m_settings.publicUrl)
{ }

JobResult EmailJob::run(const Job &job) const
{
    const DeliveryRepository deliveries(m_database);
    const auto delivery = deliveries.find(job.payload.value(u"delivery_id"_s).toInteger());
    // Sent already (a retry after the send), or forgotten. A failed one is tried again: an
    // operator retried its dead job.
    if (!delivery || delivery->status == u"sent")
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto user = UserRepository(m_database).findById(delivery->userId);
    if (!user) {
        deliveries.markFailed(delivery->id, {}, u"the account is gone"_s, now);
        return std::nullopt;
    }
    MailMessage message;
    message.from = m_settings.from;
    message.to = { user->user.email, user->user.displayName };
    if (!MailAddress::isValid(message.to.address)) {
        deliveries.markFailed(delivery->id, message.to.address, u"not a deliverable address"_s,
                              now);
        throw JobFailure(u"not a deliverable address: %1"_s.arg(message.to.address), true);
    }
    MailComposer::Mail mail;
    QList<qint64> held; // emails the digest tells of, sent with it
    if (delivery->event == DigestJob::Event) {
        const QDate day = QDate::fromString(delivery->occurrence, Qt::ISODate);
        const DigestContent content
                = DigestJob::gather(m_database, user->user, day, delivery->dueAt);
        if (content.isEmpty()) {
            deliveries.markFailed(delivery->id, {}, u"nothing left to tell"_s, now);
            return std::nullopt;
        }
        mail = m_composer.digest(content, day, user->user);
        for (const DigestContent::Held &each : content.held)
            held.append(each.delivery.id);
    } else {
        const auto task
                = TaskRepository(m_database).findForUser(delivery->taskId, delivery->userId);
        if (!task) {
            deliveries.markFailed(delivery->id, {},
                                  u"the task is gone or no longer visible to its user"_s, now);
            return std::nullopt;
        }
        QString actorName;
        if (const qint64 actorId = delivery->details.value(u"actor_id"_s).toInteger()) {
            if (const auto actor = UserRepository(m_database).findById(actorId))
                actorName = actor->user.displayName;
        }
        mail = m_composer.taskNotice(*delivery, task->task, user->user, actorName);
    }
    const QString &language = user->user.language;
    message.subject = mail.subject;
    message.text = mail.text;
    message.html = mail.html;
    message.messageId = job.uid + u'@' + m_settings.from.domain();
    message.date = now;
    message.language = language;
    if (delivery->late)
        message.extraHeaders.append({ "X-Tasklane-Late", u"yes"_s });
    DeliveryAttempt attempt;
    attempt.deliveryId = delivery->id;
    attempt.jobId = job.id;
    attempt.channel = delivery->channel;
    attempt.recipient = message.to.address;
    try {
        m_mailer.send(message);
    } catch (const MailError &error) {
        const QString text = QString::fromUtf8(error.what());
        attempt.outcome = error.isPermanent() ? u"permanent_failure"_s : u"temporary_failure"_s;
        attempt.error = text;
        attempt.at = QDateTime::currentDateTimeUtc();
        Transaction transaction(m_database);
        deliveries.recordAttempt(attempt);
        if (error.isPermanent())
            deliveries.markFailed(delivery->id, message.to.address, text, attempt.at);
        else
            deliveries.noteError(delivery->id, text, attempt.at);
        transaction.commit();
        throw JobFailure(text, error.isPermanent());
    }
    attempt.outcome = u"sent"_s;
    attempt.at = QDateTime::currentDateTimeUtc();
    // Recorded with the job's done mark (a crash before it sends again: the same Message-ID).
    return JobResult::recording([this, attempt, held, address = message.to.address] {
        const DeliveryRepository log(m_database);
        log.recordAttempt(attempt);
        log.markSent(attempt.deliveryId, address, attempt.at);
        for (qint64 id : held)
            log.markSent(id, address, attempt.at);
    });
}

} // namespace Tasklane
