#include "notifier.h"

#include "database.h"
#include "notificationrepository.h"
#include "taskrepository.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

Notification about(const Task &task, const QString &type, const QJsonObject &data)
{
    Notification notification;
    notification.type = type;
    notification.taskId = task.id;
    notification.title = task.title;
    notification.data = data;
    notification.createdAt = QDateTime::currentDateTimeUtc();
    return notification;
}

} // namespace

void Notifier::taskShared(const Task &task, qint64 userId, qint64 actorId,
                          SharePermission permission) const
{
    NotificationRepository(m_database)
            .add(userId,
                 about(task, u"shared"_s,
                       { { u"actor_id"_s, actorId },
                         { u"permission"_s, sharePermissionToString(permission) } }));
}

void Notifier::taskChanged(const Task &task, qint64 actorId, const QString &action,
                           const QList<FieldChange> &changes) const
{
    QList<qint64> users{ task.ownerId };
    for (const Assignee &assignee : task.assignees)
        users.append(assignee.userId);
    users.removeAll(actorId);
    if (users.isEmpty())
        return; // the common case: one's own task
    QJsonArray changed;
    for (const FieldChange &change : changes)
        changed.append(change.toJson());
    const Notification notification = about(
            task, u"changed"_s,
            { { u"actor_id"_s, actorId }, { u"action"_s, action }, { u"changes"_s, changed } });
    const NotificationRepository notifications(m_database);
    for (qint64 userId : std::as_const(users))
        notifications.add(userId, notification);
}

void Notifier::blockerDone(const Task &blocker) const
{
    const NotificationRepository notifications(m_database);
    const QList<TaskRepository::BlockedTask> blocked
            = TaskRepository(m_database).openTasksBlockedBy(blocker.id);
    for (const TaskRepository::BlockedTask &each : blocked) {
        Task task;
        task.id = each.id;
        task.title = each.title;
        notifications.add(
                each.ownerId,
                about(task, u"blocker_done"_s,
                      { { u"blocker_id"_s, blocker.id }, { u"blocker_title"_s, blocker.title } }));
    }
}

void Notifier::reminder(const Task &task, qint64 userId, const QString &occurrence,
                        const QString &reminder, bool late) const
{
    NotificationRepository(m_database)
            .add(userId,
                 about(task, u"reminder"_s,
                       { { u"occurrence"_s, occurrence },
                         { u"reminder"_s, reminder },
                         { u"late"_s, late } }));
}

} // namespace Tasklane
