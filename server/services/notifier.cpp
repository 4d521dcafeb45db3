#include "notifier.h"

#include "database.h"
#include "deliveryrepository.h"
#include "emailjob.h"
#include "jobqueue.h"
#include "notificationrepository.h"
#include "notificationsettingscache.h"
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

Notifier::Notifier(const JobQueue &queue, NotificationSettingsCache *settings)
    : m_database(queue.database()), m_queue(queue), m_settings(settings)
{ }

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

bool Notifier::Recipient::emailsNow(const QString &type, const QDateTime &now) const
{
    return settings.wants(type, Email) && !(settings.digest && settings.digestInsteadOfEmail)
            && sendAt <= now;
}

Notifier::Recipient Notifier::recipient(qint64 userId, const QString &type, const QDateTime &now,
                                        bool withAccount) const
{
    return recipients({ userId }, type, now, withAccount).value(userId);
}

QHash<qint64, Notifier::Recipient> Notifier::recipients(const QList<qint64> &userIds,
                                                        const QString &type, const QDateTime &now,
                                                        bool withAccount) const
{
    const QHash<qint64, NotificationSettings> settings = m_settings
            ? m_settings->settingsOf(m_database, userIds)
            : NotificationSettingsRepository(m_database).findMany(userIds);
    const auto sends = [&type](const NotificationSettings &chosen) {
        return chosen.wants(type, Email) || chosen.wants(type, Push) || chosen.wants(type, Sms);
    };
    // Accounts: asked for, or for the time zone of quiet hours.
    QList<qint64> accountsWanted;
    for (qint64 userId : userIds) {
        const NotificationSettings chosen = settings.value(userId);
        if (withAccount || (sends(chosen) && chosen.hasQuietHours()))
            accountsWanted.append(userId);
    }
    const QHash<qint64, User> accounts = accountsWanted.isEmpty()
            ? QHash<qint64, User>()
            : UserRepository(m_database).findMany(accountsWanted);
    QHash<qint64, Recipient> found;
    for (qint64 userId : userIds) {
        Recipient recipient;
        recipient.userId = userId;
        recipient.settings = settings.value(userId);
        const NotificationSettings &chosen = recipient.settings;
        if (const auto account = accounts.constFind(userId); account != accounts.cend())
            recipient.account = *account;
        // Email, push and SMS wait for the end of the user's quiet hours.
        recipient.sendAt = now;
        if (sends(chosen) && chosen.hasQuietHours())
            recipient.sendAt = quietUntil(
                    chosen, recipient.account ? recipient.account->timeZone : u"UTC"_s, now);
        recipient.hasPush = chosen.wants(type, Push)
                && PushSubscriptionRepository(m_database).userHasAny(userId);
        recipient.hasPhone = chosen.wants(type, Sms)
                && PhoneRepository(m_database).verifiedPhone(userId).has_value();
        found.insert(userId, recipient);
    }
    return found;
}

Delivery Notifier::deliveryOf(qint64 userId, const Task &task, const QString &type,
                              const QJsonObject &details, const Occasion &occasion,
                              const QDateTime &now)
{
    Delivery delivery;
    delivery.event = type;
    delivery.taskId = task.id;
    delivery.occurrence = occasion.occurrence;
    delivery.reminder = occasion.key;
    delivery.userId = userId;
    delivery.late = occasion.late;
    delivery.dueAt = occasion.dueAt.isValid() ? occasion.dueAt : now;
    delivery.details = details;
    return delivery;
}

void Notifier::deliver(qint64 userId, const Task &task, const QString &type,
                       const QJsonObject &data, const QJsonObject &details,
                       const Occasion &occasion) const
{
    deliver(recipient(userId, type, QDateTime::currentDateTimeUtc()), task, type, data, details,
            occasion);
}

void Notifier::deliver(const Recipient &recipient, const Task &task, const QString &type,
                       const QJsonObject &data, const QJsonObject &details,
                       const Occasion &occasion) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 userId = recipient.userId;
    const NotificationSettings &settings = recipient.settings;
    const DeliveryRepository deliveries(m_database);
    const Delivery delivery = deliveryOf(userId, task, type, details, occasion, now);
    // What follows a delivery's insert may run later, just before COMMIT (when the transaction
    // holds writes back: DeliveryRepository::addThen), after this Notifier is gone: each
    // follow-up keeps copies, and pointers to what outlives the transaction.
    const Database *database = &m_database;
    const JobQueue *queue = &m_queue;
    const auto recordSent
            = [database, jobId = occasion.jobId, now](qint64 deliveryId, const QString &channel,
                                                      const QString &address) {
                  DeliveryAttempt attempt;
                  attempt.deliveryId = deliveryId;
                  attempt.jobId = jobId;
                  attempt.channel = channel;
                  attempt.recipient = address;
                  attempt.outcome = u"sent"_s;
                  attempt.at = now;
                  DeliveryRepository(*database).recordAttempt(attempt);
              };
    const auto queueJob = [queue](const QString &kind, const QDateTime &at) {
        return [queue, kind, at](qint64 deliveryId) {
            queue->enqueue(kind, { { u"delivery_id"_s, deliveryId } }, at);
        };
    };

    if (settings.wants(type, InApp)) {
        Delivery inApp = delivery;
        inApp.channel = InApp;
        inApp.status = u"sent"_s; // written here, in this transaction: delivered with it
        Notification notification;
        notification.type = type;
        notification.taskId = task.id;
        notification.title = task.title;
        notification.data = data;
        notification.createdAt = now;
        deliveries.addThen(inApp, now, [database, userId, notification, recordSent](qint64 id) {
            NotificationRepository(*database).add(userId, notification);
            recordSent(id, InApp, {});
        });
    }
    if (settings.wants(type, Email)) {
        Delivery email = delivery;
        email.channel = Email;
        email.forDigest = settings.digest && settings.digestInsteadOfEmail;
        if (!recipient.emailSentTo.isEmpty() && !email.forDigest) {
            email.status = u"sent"_s; // the job that tells it sent it (the outbox)
            email.recipient = recipient.emailSentTo;
            deliveries.addThen(email, now, [recordSent, address = email.recipient](qint64 id) {
                recordSent(id, Email, address);
            });
        } else if (email.forDigest) {
            deliveries.addThen(email, now, {}); // the digest job takes it
        } else {
            deliveries.addThen(email, now, queueJob(EmailJob::Kind, recipient.sendAt));
        }
    }
    // Push: one delivery for all the user's browsers, when they have any.
    if (recipient.hasPush) {
        Delivery push = delivery;
        push.channel = Push;
        deliveries.addThen(push, now, queueJob(PushJob::Kind, recipient.sendAt));
    }
    // SMS: to a verified number only.
    if (recipient.hasPhone) {
        Delivery sms = delivery;
        sms.channel = Sms;
        deliveries.addThen(sms, now, queueJob(SmsJob::Kind, recipient.sendAt));
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
    // Everyone's preferences in one read: a task with a hundred watchers changes often.
    const QHash<qint64, Recipient> recipients
            = this->recipients(users, u"changed"_s, QDateTime::currentDateTimeUtc(), false);
    const QJsonObject data{ { u"actor_id"_s, actorId },
                            { u"action"_s, action },
                            { u"changes"_s, changed } };
    const QJsonObject details{ { u"actor_id"_s, actorId },
                               { u"action"_s, action },
                               { u"fields"_s, fields } };
    for (qint64 userId : std::as_const(users))
        deliver(recipients.value(userId), task, u"changed"_s, data, details, occasion);
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
    reminder(task, recipient(userId, u"reminder"_s, QDateTime::currentDateTimeUtc()), occasion);
}

void Notifier::reminder(const Task &task, const Recipient &recipient,
                        const Occasion &occasion) const
{
    deliver(recipient, task, u"reminder"_s,
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
