#include "pushjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "pendingdelivery.h"
#include "pushsender.h"
#include "pushsubscriptionrepository.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

const QString PushJob::Kind = u"push"_s;

namespace {

// A push service's origin: the JWT's audience.
QString originOf(const QString &endpoint)
{
    const QUrl url(endpoint);
    QString origin = url.scheme() + u"://"_s + url.host();
    if (url.port() > 0)
        origin += u':' + QString::number(url.port());
    return origin;
}

} // namespace

PushJob::PushJob(const Database &database, const PushSender &sender, P256Key vapidKey,
                 QString vapidSubject, QString publicUrl)
    : m_database(database), m_sender(sender), m_vapidKey(std::move(vapidKey)),
      m_vapidSubject(std::move(vapidSubject)), m_publicUrl(publicUrl), m_texts(std::move(publicUrl))
{ }

JobResult PushJob::run(const Job &job) const
{
    const auto pending = loadPendingDelivery(m_database, job);
    if (!pending)
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const DeliveryRepository deliveries(m_database);
    const auto [title, intro] = m_texts.wording(pending->delivery, pending->task->title,
                                                pending->actorName, pending->user.language);
    const QByteArray message
            = QJsonDocument(QJsonObject{
                                    { u"title"_s, title },
                                    { u"body"_s, QString(intro + u' ' + pending->task->title) },
                                    { u"event"_s, pending->delivery.event },
                                    { u"task_id"_s, pending->task->id },
                                    { u"url"_s,
                                      QString(m_publicUrl + u"/api/v1/tasks/"_s
                                              + QString::number(pending->task->id)) },
                                    { u"late"_s, pending->delivery.late },
                            })
                      .toJson(QJsonDocument::Compact);

    const PushSubscriptionRepository subscriptions(m_database);
    int sent = 0;
    QString temporary; // the last temporary failure
    QString permanent;
    for (const PushSubscription &subscription : subscriptions.forUser(pending->delivery.userId)) {
        DeliveryAttempt attempt;
        attempt.deliveryId = pending->delivery.id;
        attempt.jobId = job.id;
        attempt.channel = pending->delivery.channel;
        attempt.recipient = subscription.endpoint.left(200);
        bool gone = false;
        try {
            PushRequest request;
            request.endpoint = subscription.endpoint;
            request.body = WebPushCrypto::encrypt(message, subscription.p256dh, subscription.auth);
            request.authorization
                    = WebPushCrypto::vapidAuthorization(m_vapidKey, originOf(subscription.endpoint),
                                                        m_vapidSubject, now.addSecs(12 * 3600));
            request.ttlSeconds = TtlSeconds;
            request.topic = job.uid.left(32).toLatin1();
            const PushResponse response = m_sender.send(request);
            if (response.status >= 200 && response.status < 300) {
                attempt.outcome = u"sent"_s;
                ++sent;
            } else if (response.status == 404 || response.status == 410) {
                attempt.outcome = u"permanent_failure"_s;
                attempt.error = u"%1: the subscription is gone"_s.arg(response.status);
                gone = true;
            } else if (response.status == 429 || response.status >= 500) {
                attempt.outcome = u"temporary_failure"_s;
                attempt.error = u"the push service answered %1"_s.arg(response.status);
                temporary = attempt.error;
            } else {
                attempt.outcome = u"permanent_failure"_s;
                attempt.error = u"the push service refused it: %1"_s.arg(response.status);
                permanent = attempt.error;
            }
        } catch (const PushTransportError &error) {
            attempt.outcome = u"temporary_failure"_s;
            attempt.error = QString::fromUtf8(error.what());
            temporary = attempt.error;
        } catch (const WebPushError &error) { // keys that cannot be encrypted for
            attempt.outcome = u"permanent_failure"_s;
            attempt.error = QString::fromUtf8(error.what());
            permanent = attempt.error;
        }
        attempt.at = QDateTime::currentDateTimeUtc();
        Transaction transaction(m_database);
        deliveries.recordAttempt(attempt);
        if (gone)
            subscriptions.removeById(subscription.id);
        else if (attempt.outcome == u"sent")
            subscriptions.markSuccess(subscription.id, attempt.at);
        transaction.commit();
        if (gone)
            qCInfo(lcJobs, "push subscription %lld of user %lld is gone: removed", subscription.id,
                   pending->delivery.userId);
    }
    const QDateTime end = QDateTime::currentDateTimeUtc();
    if (sent > 0) {
        deliveries.markSent(pending->delivery.id, u"%1 browser(s)"_s.arg(sent), end);
        return std::nullopt;
    }
    if (!temporary.isEmpty()) {
        deliveries.noteError(pending->delivery.id, temporary, end);
        throw JobFailure(temporary, false);
    }
    deliveries.markFailed(pending->delivery.id, {},
                          permanent.isEmpty() ? u"no browser is subscribed"_s : permanent, end);
    return std::nullopt;
}

} // namespace Tasklane
