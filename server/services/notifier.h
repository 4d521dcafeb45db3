#pragma once

#include "notificationsettings.h"
#include "task.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace Tasklane {

class Database;
class JobQueue;

// Tells users what happens to their tasks, on the channels each chose (NotificationSettings),
// in the caller's transaction: so that a notification exists exactly when what it tells of
// committed. Per user and event: the in-app notification written; an email delivery recorded
// and its job queued (kind "email"), after the user's quiet hours, or held for their digest.
// Every delivery is a row of `deliveries`, unique per (event, task, occurrence, key, user,
// channel): what a retried job tells again is not delivered again.
class Notifier
{
public:
    explicit Notifier(const JobQueue &queue);

    // What makes one event of a task unique among those of its type, and when it was meant to
    // go out: a reminder's occurrence and reminder, a due alert's occurrence, a change's
    // version...
    struct Occasion
    {
        QString occurrence;
        QString key;
        bool late = false;
        QDateTime dueAt; // invalid: now
        qint64 jobId = 0; // the job telling it, if any (for the delivery log)
    };

    // `task` was shared with `userId` (or their permission changed) by `actorId`.
    void taskShared(const Task &task, qint64 userId, qint64 actorId,
                    SharePermission permission) const;
    // `actorId` changed `task`: its owner and everyone it is shared with hear of it, but the
    // actor. `action` as the history has it (updated, completed, trashed...).
    void taskChanged(const Task &task, qint64 actorId, const QString &action,
                     const QList<FieldChange> &changes) const;
    // `blocker` is done: the owners of the tasks it blocked hear of it (each task once).
    void blockerDone(const Task &blocker) const;
    // A reminder of `task` fell due for `userId` (ReminderJob); `occasion.key` is the reminder
    // (ReminderScheduler::reminderText).
    void reminder(const Task &task, qint64 userId, const Occasion &occasion) const;
    // `task` falls due soon, or is overdue (`type` due_soon or overdue; DueAlertJob).
    void dueAlert(const Task &task, qint64 userId, const QString &type,
                  const Occasion &occasion) const;

    // Who hears of what happens to `task` when it falls due: its owner and its assignees.
    static QList<qint64> audienceOf(const Task &task);

    // When an email to someone with `settings` in time zone `zone` may go out: `now`, or the
    // end of their quiet hours when `now` falls inside them.
    static QDateTime quietUntil(const NotificationSettings &settings, const QString &zone,
                                const QDateTime &now);

private:
    // One event to one user on each channel they chose for its type.
    void deliver(qint64 userId, const Task &task, const QString &type, const QJsonObject &data,
                 const QJsonObject &details, const Occasion &occasion) const;
    QString displayName(qint64 userId) const;

    const Database &m_database;
    const JobQueue &m_queue;
};

} // namespace Tasklane
