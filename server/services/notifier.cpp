#include "notifier.h"

#include "database.h"
#include "deliveryrepository.h"
#include "emailjob.h"
#include "jobqueue.h"
#include "notificationrepository.h"
#include "notificationsettingsrepository.h"
#include "phonerepository.h"
#include "pushjob.h"
#include "pushsubscriptionrepository.h"
#include "smsjob.h"
#include "taskrepository.h"
#include "timezones.h"
#include "user.h"
#include "userrepository.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QString InApp = u"in_app"_s;
const QString Email = u"email"_s;
const QString Push = u"push"_s;
const QString Sms = u"sms"_s;
} // namespace

QList<qint64> Notifier::audienceOf(const Task &task)
{
    QList<qint64> users{ task.ownerId };
    for (const Assignee &assignee : task.assignees)
        users.append(assignee.userId);
    return users;
}

Notifier::Notifier(const JobQueue &queue) : m_database(queue.database()), m_queue(queue) { }

QDateTime Notifier::quietUntil(const NotificationSettings &settings, const QString &zone,
                               const QDateTime &now)
{
    const QTime local = TimeZones::timeAt(now, zone);
    if (!settings.isQuietAt(local))
        return now;
    QDate endDate = TimeZones::dateAt(now, zone);
    if (local >= *settings.quietEnd) // inside quiet hours that span midnight, before it
        endDate = endDate.addDays(1);
    const QDateTime end = TimeZones::instantOf(endDate, *settings.quietEnd, zone);
    return end > now ? end : now;
}

void Notifier::deliver(qint64 userId, const Task &task, const QString &type,
                       const QJsonObject &data, const QJsonObject &details,
                       const Occasion &occasion) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const NotificationSettings settings = NotificationSettingsRepository(m_database).find(userId);
    const DeliveryRepository deliveries(m_database);
    Delivery delivery;
    delivery.event = type;
    delivery.taskId = task.id;
    delivery.occurrence = occasion.occurrence;
    delivery.reminder = occasion.key;
    delivery.userId = userId;
    delivery.late = occasion.late;
    delivery.dueAt = occasion.dueAt.isValid() ? occasion.dueAt : now;
    delivery.details = details;

    if (settings.wants(type, InApp)) {
        Delivery inApp = delivery;
        inApp.channel = InApp;
        inApp.status = u"sent"_s; // written here, in this transaction: delivered with it
        if (const auto id = deliveries.add(inApp, now)) {
            Notification notification;
            notification.type = type;
            notification.taskId = task.id;
            notification.title = task.title;
            notification.data = data;
            notification.createdAt = now;
            NotificationRepository(m_database).add(userId, notification);
            DeliveryAttempt attempt;
            attempt.deliveryId = *id;
            attempt.jobId = occasion.jobId;
            attempt.channel = InApp;
            attempt.outcome = u"sent"_s;
            attempt.at = now;
            deliveries.recordAttempt(attempt);
        }
    }
    // Email, push and SMS wait for the end of the user's quiet hours.
    std::optional<QDateTime> sendAt;
    const auto whenToSend = [&] {
        if (!sendAt) {
            sendAt = now;
            if (settings.hasQuietHours()) {
                const auto user = UserRepository(m_database).findById(userId);
                sendAt = quietUntil(settings, user ? user->user.timeZone : u"UTC"_s, now);
            }
        }
        return *sendAt;
    };
    if (settings.wants(type, Email)) {
        Delivery email = delivery;
        email.channel = Email;
        email.forDigest = settings.digest && settings.digestInsteadOfEmail;
        const auto id = deliveries.add(email, now);
        if (id && !email.forDigest)
            m_queue.enqueue(EmailJob::Kind, { { u"delivery_id"_s, *id } }, whenToSend());
    }
    // Push: one delivery for all the user's browsers, when they have any.
    if (settings.wants(type, Push) && PushSubscriptionRepository(m_database).userHasAny(userId)) {
        Delivery push = delivery;
        push.channel = Push;
        if (const auto id = deliveries.add(push, now))
            m_queue.enqueue(PushJob::Kind, { { u"delivery_id"_s, *id } }, whenToSend());
    }
    // SMS: to a verified number only.
    if (settings.wants(type, Sms) && PhoneRepository(m_database).verifiedPhone(userId)) {
        Delivery sms = delivery;
        sms.channel = Sms;
        if (const auto id = deliveries.add(sms, now))
            m_queue.enqueue(SmsJob::Kind, { { u"delivery_id"_s, *id } }, whenToSend());
    }
}

void Notifier::taskShared(const Task &task, qint64 userId, qint64 actorId,
                          SharePermission permission) const
{
    const QString permissionText = sharePermissionToString(permission);
    Occasion occasion;
    // Shared, unshared and shared again: each share is its own event.
    occasion.key = u"shared:"_s + QString::number(QDateTime::currentMSecsSinceEpoch());
    deliver(userId, task, u"shared"_s,
            { { u"actor_id"_s, actorId }, { u"permission"_s, permissionText } },
            { { u"actor_id"_s, actorId }, { u"permission"_s, permissionText } }, occasion);
}

void Notifier::taskChanged(const Task &task, qint64 actorId, const QString &action,
                           const QList<FieldChange> &changes) const
{
    QList<qint64> users = audienceOf(task);
    users.removeAll(actorId);
    if (users.isEmpty())
        return; // the common case: one's own task
    QJsonArray changed;
    QJsonArray fields;
    for (const FieldChange &change : changes) {
        changed.append(change.toJson());
        fields.append(change.field);
    }
    Occasion occasion;
    occasion.key = u"v"_s + QString::number(task.version); // every change has its own version
    for (qint64 userId : std::as_const(users))
        deliver(userId, task, u"changed"_s,
                { { u"actor_id"_s, actorId }, { u"action"_s, action }, { u"changes"_s, changed } },
                { { u"actor_id"_s, actorId }, { u"action"_s, action }, { u"fields"_s, fields } },
                occasion);
}

void Notifier::blockerDone(const Task &blocker) const
{
    const QList<TaskRepository::BlockedTask> blocked
            = TaskRepository(m_database).openTasksBlockedBy(blocker.id);
    Occasion occasion;
    // Done, reopened and done again: told again.
    occasion.key = u"blocker:%1:v%2"_s.arg(blocker.id).arg(blocker.version);
    for (const TaskRepository::BlockedTask &each : blocked) {
        Task task;
        task.id = each.id;
        task.title = each.title;
        deliver(each.ownerId, task, u"blocker_done"_s,
                { { u"blocker_id"_s, blocker.id }, { u"blocker_title"_s, blocker.title } },
                { { u"blocker_title"_s, blocker.title } }, occasion);
    }
}

void Notifier::reminder(const Task &task, qint64 userId, const Occasion &occasion) const
{
    deliver(userId, task, u"reminder"_s,
            { { u"occurrence"_s, occasion.occurrence },
              { u"reminder"_s, occasion.key },
              { u"late"_s, occasion.late } },
            {}, occasion);
}

void Notifier::dueAlert(const Task &task, qint64 userId, const QString &type,
                        const Occasion &occasion) const
{
    deliver(userId, task, type,
            { { u"occurrence"_s, occasion.occurrence }, { u"late"_s, occasion.late } }, {},
            occasion);
}

} // namespace Tasklane
