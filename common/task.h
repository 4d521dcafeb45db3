#pragma once

#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tasklane {

enum class TaskStatus { Todo, InProgress, Done };
// Ordered so that a higher value is more urgent: sort=-priority puts High first.
enum class TaskPriority { Low = 1, Medium = 2, High = 3 };
// What a task's owner lets another user do with it.
enum class SharePermission { View, Edit };

QString taskStatusToString(TaskStatus status);
std::optional<TaskStatus> taskStatusFromString(QStringView text);
QString taskPriorityToString(TaskPriority priority);
std::optional<TaskPriority> taskPriorityFromString(QStringView text);
QString sharePermissionToString(SharePermission permission);
std::optional<SharePermission> sharePermissionFromString(QStringView text);

// A reminder: at a fixed instant, or a number of minutes before the task's due time.
struct Reminder
{
    QDateTime at; // valid for a fixed reminder
    std::optional<int> beforeMinutes;

    QJsonObject toJson() const;
    static std::optional<Reminder> fromJson(const QJsonObject &json);
    friend bool operator==(const Reminder &, const Reminder &) = default;
};

// Another user a task is shared with.
struct Assignee
{
    qint64 userId = 0;
    SharePermission permission = SharePermission::View;

    QJsonObject toJson() const;
    static std::optional<Assignee> fromJson(const QJsonObject &json);
    friend bool operator==(const Assignee &, const Assignee &) = default;
};

// A task as the API shows it.
struct Task
{
    qint64 id = 0;
    qint64 ownerId = 0;
    QString title;
    QString description;
    TaskStatus status = TaskStatus::Todo;
    TaskPriority priority = TaskPriority::Medium;
    std::optional<qint64> categoryId;
    QStringList tags;
    QDateTime dueAt; // an instant, or
    QDate dueDate; // an all-day date (never both)
    QList<Reminder> reminders;
    QString rrule; // empty: not recurring
    QList<qint64> blockedBy;
    QList<Assignee> assignees;
    qint64 version = 0;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime completedAt;
    QDateTime trashedAt;

    bool hasDue() const { return dueAt.isValid() || dueDate.isValid(); }
    QJsonObject toJson() const;
    // toJson() as compact JSON text, the bytes QJsonDocument writes for it, written directly:
    // every task a response carries goes through here.
    QByteArray toJsonBytes() const;
    static std::optional<Task> fromJson(const QJsonObject &json);
    friend bool operator==(const Task &, const Task &) = default;
};

// One field of a task as the API shows it: a key of Task::toJson(), its value, and whether two
// tasks agree on it. `tracked`: compared by a task's history (all but ids, version and the
// creation and update times).
struct TaskField
{
    QString name;
    bool tracked = false;
    QJsonValue (*value)(const Task &) = nullptr;
    bool (*same)(const Task &, const Task &) = nullptr;
};
// In the order the API shows them.
const QList<TaskField> &taskFields();

// A user's own label for tasks.
struct Category
{
    qint64 id = 0;
    qint64 ownerId = 0;
    QString name;
    QString color; // "#rrggbb", or empty
    QDateTime createdAt;
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<Category> fromJson(const QJsonObject &json);
    friend bool operator==(const Category &, const Category &) = default;
};

// One field of a change recorded in a task's history.
struct FieldChange
{
    QString field;
    QJsonValue oldValue;
    QJsonValue newValue;

    QJsonObject toJson() const;
    friend bool operator==(const FieldChange &, const FieldChange &) = default;
};

// One record of the log of task changes. Ids grow with every change, across all tasks.
struct TaskHistoryRecord
{
    qint64 id = 0;
    qint64 taskId = 0;
    qint64 actorId = 0;
    QDateTime at;
    QString action; // created, updated, trashed, restored, completed, skipped, shared, ...
    QList<FieldChange> changes;

    QJsonObject toJson() const;
    static std::optional<TaskHistoryRecord> fromJson(const QJsonObject &json);
};

// A file attached to a task.
struct Attachment
{
    qint64 id = 0;
    qint64 taskId = 0;
    qint64 uploaderId = 0;
    QString fileName;
    QString contentType;
    qint64 size = 0;
    QString sha256; // lowercase hex
    QDateTime createdAt;

    QJsonObject toJson() const;
    static std::optional<Attachment> fromJson(const QJsonObject &json);
};

// "YYYY-MM-DD", the API's form of an all-day date.
QString toApiDate(const QDate &date);
// An RFC 3339 instant that names its offset ("Z" or "+hh:mm"); invalid otherwise.
QDateTime parseApiInstant(const QString &text);
// A strict YYYY-MM-DD date; invalid otherwise.
QDate parseApiDate(const QString &text);

} // namespace Tasklane
