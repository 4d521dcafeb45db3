#include "smsjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "phonerepository.h"
#include "smssender.h"
#include "taskrepository.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QString SmsJob::Kind = u"sms"_s;

SmsJob::SmsJob(const Database &database, const SmsSender &sms, QString publicUrl)
    : m_database(database), m_sms(sms), m_publicUrl(publicUrl), m_texts(std::move(publicUrl))
{ }

JobResult SmsJob::run(const Job &job) const
{
    const DeliveryRepository deliveries(m_database);
    const auto delivery = deliveries.find(job.payload.value(u"delivery_id"_s).toInteger());
    if (!delivery || delivery->status == u"sent")
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto user = UserRepository(m_database).findById(delivery->userId);
    const auto task = TaskRepository(m_database).findForUser(delivery->taskId, delivery->userId);
    const auto phone = PhoneRepository(m_database).verifiedPhone(delivery->userId);
    if (!user || !task || !phone) {
        deliveries.markFailed(delivery->id, {},
                              !user ? u"the account is gone"_s
                                      : !task
                                      ? u"the task is gone or no longer visible to its user"_s
                                      : u"the user has no phone number any more"_s,
                              now);
        return std::nullopt;
    }
    QString actorName;
    if (const qint64 actorId = delivery->details.value(u"actor_id"_s).toInteger()) {
        if (const auto actor = UserRepository(m_database).findById(actorId))
            actorName = actor->user.displayName;
    }
    const QString subject
            = m_texts.wording(*delivery, task->task.title, actorName, user->user.language).first;
    const QString text
            = subject + u' ' + m_publicUrl + u"/api/v1/tasks/"_s + QString::number(task->task.id);
    DeliveryAttempt attempt;
    attempt.deliveryId = delivery->id;
    attempt.jobId = job.id;
    attempt.channel = delivery->channel;
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
            deliveries.markFailed(delivery->id, *phone, message, attempt.at);
        else
            deliveries.noteError(delivery->id, message, attempt.at);
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
