#include "digestjob.h"

#include "database.h"
#include "deliveryrepository.h"
#include "emailjob.h"
#include "jobqueue.h"
#include "notificationsettings.h"
#include "notificationsettingsrepository.h"
#include "taskrepository.h"
#include "timezones.h"
#include "user.h"
#include "userrepository.h"

#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

const QString DigestJob::Kind = u"digest"_s;
const QString DigestJob::Event = u"digest"_s;

DigestJob::DigestJob(const Database &database, const JobQueue &queue)
    : m_database(database), m_queue(queue), m_startedAt(QDateTime::currentDateTimeUtc())
{ }

QString DigestJob::keyFor(qint64 userId)
{
    return u"digest:"_s + QString::number(userId);
}

QDateTime DigestJob::nextRunAfter(const QDateTime &after, int hour, const QString &zone)
{
    const QDate today = TimeZones::dateAt(after, zone);
    for (int days = 0; days < 3; ++days) {
        const QDateTime at = TimeZones::instantOf(today.addDays(days), QTime(hour, 0), zone);
        if (at > after)
            return at;
    }
    return after.addDays(1); // not reached: some day of three has the hour after `after`
}

DigestContent DigestJob::gather(const Database &database, const User &user, QDate day,
                                const QDateTime &at)
{
    DigestContent content;
    const QDateTime end = TimeZones::startOfDay(day.addDays(1), user.timeZone);
    const TaskRepository tasks(database);
    // An all-day date sorts at its midnight UTC, up to 14 hours after its start somewhere.
    const QList<qint64> ids = tasks.openDueForUser(user.id, end.addSecs(14 * 3600), 4 * MaxTasks);
    for (qint64 id : ids) {
        const auto record = tasks.findForUser(id, user.id);
        if (!record)
            continue;
        const Task &task = record->task;
        const bool overdue = task.dueAt.isValid() ? task.dueAt < at : task.dueDate < day;
        const bool today = task.dueAt.isValid() ? task.dueAt < end : task.dueDate == day;
        if (overdue && content.overdue.size() < MaxTasks)
            content.overdue.append(task);
        else if (!overdue && today && content.dueToday.size() < MaxTasks)
            content.dueToday.append(task);
    }
    for (const Delivery &delivery : DeliveryRepository(database).heldForDigest(user.id, MaxHeld)) {
        const auto record = tasks.findForUser(delivery.taskId, user.id);
        content.held.append(
                { delivery,
                  record ? record->task.title : u"#"_s + QString::number(delivery.taskId) });
    }
    return content;
}

void DigestJob::settingsChanged(const User &user, const NotificationSettings &before,
                                const NotificationSettings &after) const
{
    if (before.digest != after.digest || before.digestHour != after.digestHour) {
        const QString key = keyFor(user.id);
        JobRepository(m_database).cancelQueued(key);
        // A run in progress holds the key: its next run follows the new settings.
        if (after.digest)
            m_queue.enqueue(
                    Kind, { { u"user_id"_s, user.id } },
                    nextRunAfter(QDateTime::currentDateTimeUtc(), after.digestHour, user.timeZone),
                    key);
    }
    if (!(after.digest && after.digestInsteadOfEmail)) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (qint64 id : DeliveryRepository(m_database).releaseHeld(user.id))
            m_queue.enqueue(EmailJob::Kind, { { u"delivery_id"_s, id } }, now);
    }
}

JobResult DigestJob::run(const Job &job) const
{
    const qint64 userId = job.payload.value(u"user_id"_s).toInteger();
    const auto user = UserRepository(m_database).findById(userId);
    const NotificationSettings settings = NotificationSettingsRepository(m_database).find(userId);
    if (!user || !settings.digest)
        return std::nullopt; // no next run either
    const QString &zone = user->user.timeZone;
    const QDate day = TimeZones::dateAt(job.runAt, zone);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    JobResult result
            = JobFollowUp{ Kind,
                           { { u"user_id"_s, userId } },
                           nextRunAfter(std::max(now, job.runAt), settings.digestHour, zone),
                           keyFor(userId) };
    if (!user->user.emailVerified) {
        qCInfo(lcJobs, "digest of user %lld: the address is not verified, nothing sent", userId);
        return result;
    }
    if (gather(m_database, user->user, day, job.runAt).isEmpty()) {
        qCInfo(lcJobs, "digest of user %lld for %s: nothing to tell", userId,
               qUtf8Printable(day.toString(Qt::ISODate)));
        return result;
    }
    Delivery delivery;
    delivery.event = Event;
    delivery.occurrence = day.toString(Qt::ISODate);
    delivery.userId = userId;
    delivery.channel = u"email"_s;
    delivery.late = job.runAt < m_startedAt;
    delivery.dueAt = job.runAt;
    result.record = [this, delivery, now] {
        if (const auto id = DeliveryRepository(m_database).add(delivery, now))
            m_queue.enqueue(EmailJob::Kind, { { u"delivery_id"_s, *id } }, now);
    };
    return result;
}

} // namespace Tasklane
