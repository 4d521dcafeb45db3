#include "smsjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "pendingdelivery.h"
#include "phonerepository.h"
#include "smssender.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString SmsJob::Kind = u"sms"_s;

SmsJob::SmsJob(const Database &database, const SmsSender &sms, QString publicUrl)
    : m_database(database), m_sms(sms), m_publicUrl(publicUrl), m_texts(std::move(publicUrl))
{ }

JobResult SmsJob::run(const Job &job) const
{
    const auto pending = loadPendingDelivery(m_database, job);
    if (!pending)
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const DeliveryRepository deliveries(m_database);
    const auto phone = PhoneRepository(m_database).verifiedPhone(pending->delivery.userId);
    if (!phone) {
        deliveries.markFailed(pending->delivery.id, {}, u"the user has no phone number any more"_s,
                              now);
        return std::nullopt;
    }
    const QString subject = m_texts.wording(pending->delivery, pending->task->title,
                                            pending->actorName, pending->user.language)
                                    .first;
    const QString text = subject + u' ' + m_publicUrl + u"/api/v1/tasks/"_s
            + QString::number(pending->task->id);
    DeliveryAttempt attempt;
    attempt.deliveryId = pending->delivery.id;
    attempt.jobId = job.id;
    attempt.channel = pending->delivery.channel;
    attempt.recipient = *phone;
    try {
        m_sms.send(*phone, text);
    } catch (const SmsError &error) {
        const QString message = QString::fromUtf8(error.what());
        attempt.outcome = error.isPermanent() ? u"permanent_failure"_s : u"temporary_failure"_s;
        attempt.error = message;
        attempt.at = QDateTime::currentDateTimeUtc();
        Transaction transaction(m_database);
        deliveries.recordAttempt(attempt);
        if (error.isPermanent())
            deliveries.markFailed(pending->delivery.id, *phone, message, attempt.at);
        else
            deliveries.noteError(pending->delivery.id, message, attempt.at);
        transaction.commit();
        throw JobFailure(message, error.isPermanent());
    }
    attempt.outcome = u"sent"_s;
    attempt.at = QDateTime::currentDateTimeUtc();
    return JobResult::recording([this, attempt, number = *phone] {
        const DeliveryRepository log(m_database);
        log.recordAttempt(attempt);
        log.markSent(attempt.deliveryId, number, attempt.at);
    });
}

} // namespace Tasklane
