#pragma once

#include "delivery.h"
#include "notificationsettings.h"
#include "task.h"
#include "user.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace Tasklane {

class Database;
class JobQueue;
class NotificationSettingsCache;

// Tells users what happens to their tasks, on the channels each chose (NotificationSettings),
// in the caller's transaction: so that a notification exists exactly when what it tells of
// committed. Per user and event: the in-app notification written; an email delivery recorded
// and its job queued (kind "email"), after the user's quiet hours, or held for their digest.
// Every delivery is a row of `deliveries`, unique per (event, task, occurrence, key, user,
// channel): what a retried job tells again is not delivered again.
class Notifier
{
public:
    // With `settings`, users' settings are read through it (kept between changes).
    explicit Notifier(const JobQueue &queue, NotificationSettingsCache *settings = nullptr);

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

    // One user's side of one event, read ahead of the transaction that records it (by a job,
    // in its run, which holds no transaction): their settings and when email, push and SMS may
    // go out. A job that sent the email itself (NoticeMailer::sendsAtOnce) sets `emailSentTo`:
    // the email delivery is then recorded as sent, with its attempt, instead of queued.
    struct Recipient
    {
        qint64 userId = 0;
        NotificationSettings settings;
        std::optional<User> account; // read when quiet hours need its zone, or when asked for
        QDateTime sendAt; // email, push, SMS: now, or the end of the user's quiet hours
        bool hasPush = false; // a browser subscribed
        bool hasPhone = false; // a verified number
        QString emailSentTo;

        // An email of `type` goes out at once (not held for a digest, no quiet hours now).
        bool emailsNow(const QString &type, const QDateTime &now) const;
    };
    // Reads `userId`'s side of an event of `type` (`withAccount`: their account too).
    Recipient recipient(qint64 userId, const QString &type, const QDateTime &now,
                        bool withAccount = false) const;
    // The same for several users, with a few statements for all of them (a batch of jobs).
    QHash<qint64, Recipient> recipients(const QList<qint64> &userIds, const QString &type,
                                        const QDateTime &now, bool withAccount = false) const;
    // The delivery (channel unset) that tells `type` of `task` to `userId` on `occasion`.
    static Delivery deliveryOf(qint64 userId, const Task &task, const QString &type,
                               const QJsonObject &details, const Occasion &occasion,
                               const QDateTime &now);

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
    // The same for a recipient read ahead (a job that may have sent the email itself).
    void reminder(const Task &task, const Recipient &recipient, const Occasion &occasion) const;
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
    void deliver(const Recipient &recipient, const Task &task, const QString &type,
                 const QJsonObject &data, const QJsonObject &details,
                 const Occasion &occasion) const;
    void deliver(qint64 userId, const Task &task, const QString &type, const QJsonObject &data,
                 const QJsonObject &details, const Occasion &occasion) const;

    const Database &m_database;
    const JobQueue &m_queue;
    NotificationSettingsCache *m_settings = nullptr;
};

} // namespace Tasklane
