#include "emailjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "digestjob.h"
#include "mailer.h"
#include "noticemailer.h"
#include "pendingdelivery.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString EmailJob::Kind = u"email"_s;

EmailJob::EmailJob(const Database &database, const NoticeMailer &mail)
    : m_database(database), m_mail(mail)
{ }

JobResult EmailJob::run(const Job &job) const
{
    const auto pending = loadPendingDelivery(m_database, job);
    if (!pending)
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const DeliveryRepository deliveries(m_database);
    const QString &address = pending->user.email;
    if (!pending->user.emailVerified) { // planned before a change of address, say
        deliveries.markFailed(pending->delivery.id, address, u"the address is not verified"_s, now);
        return std::nullopt;
    }
    if (!MailAddress::isValid(address)) {
        deliveries.markFailed(pending->delivery.id, address, u"not a deliverable address"_s, now);
        throw JobFailure(u"not a deliverable address: %1"_s.arg(address), true);
    }
    MailComposer::Mail mail;
    QList<qint64> held; // emails the digest tells of, sent with it
    if (pending->delivery.event == DigestJob::Event) {
        const QDate day = QDate::fromString(pending->delivery.occurrence, Qt::ISODate);
        const DigestContent content
                = DigestJob::gather(m_database, pending->user, day, pending->delivery.dueAt);
        if (content.isEmpty()) {
            deliveries.markFailed(pending->delivery.id, {}, u"nothing left to tell"_s, now);
            return std::nullopt;
        }
        mail = m_mail.composer().digest(content, day, pending->user);
        for (const DigestContent::Held &each : content.held)
            held.append(each.delivery.id);
    } else {
        mail = m_mail.composer().taskNotice(pending->delivery, *pending->task, pending->user,
                                            pending->actorName);
    }
    const MailMessage message
            = m_mail.message(mail, pending->user, job.uid, pending->delivery.late);
    DeliveryAttempt attempt;
    attempt.deliveryId = pending->delivery.id;
    attempt.jobId = job.id;
    attempt.channel = pending->delivery.channel;
    attempt.recipient = message.to.address;
    try {
        m_mail.send(message);
    } catch (const MailError &error) {
        const QString text = QString::fromUtf8(error.what());
        attempt.outcome = error.isPermanent() ? u"permanent_failure"_s : u"temporary_failure"_s;
        attempt.error = text;
        attempt.at = QDateTime::currentDateTimeUtc();
        Transaction transaction(m_database);
        deliveries.recordAttempt(attempt);
        if (error.isPermanent())
            deliveries.markFailed(pending->delivery.id, message.to.address, text, attempt.at);
        else
            deliveries.noteError(pending->delivery.id, text, attempt.at);
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
