#include "duealertjob.h"

#include "database.h"
#include "jobqueue.h"
#include "notifier.h"
#include "taskrepository.h"
#include "timezones.h"
#include "user.h"
#include "userrepository.h"

#include <QHash>
#include <QLoggingCategory>

#include <limits>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace Tasklane {

const QString DueAlertJob::Kind = u"due-alerts"_s;

namespace {

constexpr int Batch = 200; // tasks per transaction
// How far the start of a date on some wall clock can be from its midnight UTC: from UTC+14
// (earlier) to UTC-12 (later), with an hour to spare.
constexpr qint64 EarliestZoneSeconds = 15 * 3600;
constexpr qint64 LatestZoneSeconds = 13 * 3600;

} // namespace

DueAlertJob::DueAlertJob(const Database &database, const JobQueue &queue, qint64 leadSeconds)
    : m_database(database), m_queue(queue), m_leadSeconds(leadSeconds),
      m_startedAt(QDateTime::currentDateTimeUtc())
{ }

void DueAlertJob::schedule() const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // The first sweep ever starts from now: tasks that fell due before are not alerted.
    m_queue.enqueue(Kind, { { u"swept_to"_s, toApiTimestamp(now) } }, now, Kind);
}

void DueAlertJob::taskWritten(const Task &task) const
{
    if (!task.dueAt.isValid() || task.status == TaskStatus::Done || task.trashedAt.isValid())
        return; // all-day dates: the sweep a minute away is soon enough for them
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime horizon = now.addSecs(MaxSleepSeconds);
    for (const QDateTime &at : { task.dueAt.addSecs(-m_leadSeconds), task.dueAt }) {
        if (at > now && at < horizon) {
            m_queue.bringForward(Kind, at);
            return; // the earlier of the two
        }
    }
}

JobResult DueAlertJob::run(const Job &job) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime from = fromApiTimestamp(job.payload.value(u"swept_to"_s).toString());
    if (!from.isValid() || from > now)
        from = now;
    const int alerts = sweep(false, from, now, job.id) + sweep(true, from, now, job.id);
    if (alerts > 0)
        qCInfo(lcJobs, "due alerts: %d sent for %s to %s", alerts,
               qUtf8Printable(toApiTimestamp(from)), qUtf8Printable(toApiTimestamp(now)));

    QDateTime next = now.addSecs(MaxSleepSeconds);
    const TaskRepository tasks(m_database);
    if (const auto due = tasks.nextOpenDueTime(now); due && *due < next)
        next = *due; // an overdue alert
    if (const auto due = tasks.nextOpenDueTime(now.addSecs(m_leadSeconds));
        due && due->addSecs(-m_leadSeconds) < next)
        next = due->addSecs(-m_leadSeconds); // a due-soon alert
    return JobFollowUp{ Kind, { { u"swept_to"_s, toApiTimestamp(now) } }, next, Kind };
}

int DueAlertJob::sweep(bool allDay, const QDateTime &from, const QDateTime &to, qint64 jobId) const
{
    // The tasks whose alerts may fall in (from, to], by their sort instant: a due time is due
    // soon at due - lead; an all-day date somewhere between its midnight UTC less a zone's
    // offset, less the lead, and it is overdue a day after that.
    const QDateTime low
            = allDay ? from.addSecs(-EarliestZoneSeconds - 24 * 3600 - LatestZoneSeconds) : from;
    const QDateTime high
            = allDay ? to.addSecs(m_leadSeconds + EarliestZoneSeconds) : to.addSecs(m_leadSeconds);
    const TaskRepository tasks(m_database);
    const Notifier notifier(m_queue);
    QHash<qint64, QString> zones; // owners' time zones
    const auto zoneOf = [&](qint64 userId) {
        auto it = zones.find(userId);
        if (it == zones.end()) {
            const auto user = UserRepository(m_database).findById(userId);
            it = zones.insert(userId, user ? user->user.timeZone : u"UTC"_s);
        }
        return *it;
    };
    QDateTime afterSort = low;
    qint64 afterId = std::numeric_limits<qint64>::max();
    int alerts = 0;
    while (true) {
        const QList<TaskRepository::DueTask> batch
                = tasks.openDue(allDay, low, high, afterSort, afterId, Batch);
        if (batch.isEmpty())
            break;
        Transaction transaction(m_database);
        for (const TaskRepository::DueTask &due : batch) {
            const auto record = tasks.findForUser(due.id, due.ownerId);
            if (!record || record->task.status == TaskStatus::Done
                || record->task.trashedAt.isValid())
                continue; // changed since the listing
            const Task &task = record->task;
            QDateTime soonAt;
            QDateTime overdueAt;
            if (task.dueAt.isValid()) {
                overdueAt = task.dueAt;
            } else if (task.dueDate.isValid()) {
                const QString zone = zoneOf(task.ownerId);
                overdueAt = TimeZones::startOfDay(task.dueDate.addDays(1), zone);
                soonAt = TimeZones::startOfDay(task.dueDate, zone);
            } else {
                continue;
            }
            soonAt = (soonAt.isValid() ? soonAt : overdueAt).addSecs(-m_leadSeconds);
            QString type;
            QDateTime at;
            if (overdueAt > from && overdueAt <= to) {
                type = u"overdue"_s;
                at = overdueAt;
            } else if (soonAt > from && soonAt <= to && overdueAt > to) {
                type = u"due_soon"_s;
                at = soonAt;
            } else {
                continue;
            }
            Notifier::Occasion occasion;
            occasion.occurrence = TaskRepository::occurrenceText(task.dueAt, task.dueDate);
            occasion.late = at < m_startedAt || at.secsTo(to) > LateAfterSeconds;
            occasion.dueAt = at;
            occasion.jobId = jobId;
            for (qint64 userId : Notifier::audienceOf(task))
                notifier.dueAlert(task, userId, type, occasion);
            ++alerts;
        }
        transaction.commit();
        afterSort = batch.constLast().dueSort;
        afterId = batch.constLast().id;
        if (batch.size() < Batch)
            break;
    }
    return alerts;
}

} // namespace Tasklane
