#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// An in-app notification, as its user reads it at GET /api/v1/notifications.
struct Notification
{
    qint64 id = 0;
    // shared, changed, reminder, due_soon, overdue, blocker_done
    QString type;
    qint64 taskId = 0; // 0: about no task
    QString title; // the task's title when it was made
    // What happened: for "changed" {actor_id, changes: [{field, old, new}]}; for "shared"
    // {actor_id, permission}; for "reminder" {occurrence, reminder, late}; ...
    QJsonObject data;
    QDateTime createdAt;
    QDateTime readAt; // invalid while unread

    QJsonObject toJson() const;
    static std::optional<Notification> fromJson(const QJsonObject &json);
};

} // namespace Tasklane
