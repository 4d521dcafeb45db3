#pragma once

#include "fielderror.h"
#include "task.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// Limits of the task fields, the same for the server's checks and the console's forms.
namespace TaskLimits {
inline constexpr qsizetype TitleMaxLength = 500;
inline constexpr qsizetype DescriptionMaxLength = 100'000;
inline constexpr qsizetype MaxTags = 50;
inline constexpr qsizetype TagMaxLength = 50;
inline constexpr qsizetype MaxReminders = 20;
inline constexpr int ReminderMaxBeforeMinutes = 366 * 24 * 60;
inline constexpr qsizetype MaxBlockers = 100;
inline constexpr qsizetype RruleMaxLength = 1000;
inline constexpr qsizetype CategoryNameMaxLength = 100;
} // namespace TaskLimits

// A field a change may leave alone (nullopt), clear (an empty inner optional, from JSON null)
// or set.
template<typename T>
using Clearable = std::optional<std::optional<T>>;

// The fields of POST /tasks and PATCH /tasks/{id}, each parsed strictly. A field that is not
// set stays as it is (PATCH) or takes its default (POST). Clearing description, tags,
// reminders or blocked_by (null) empties them.
struct TaskChanges
{
    std::optional<QString> title; // trimmed
    std::optional<QString> description;
    std::optional<TaskStatus> status;
    std::optional<TaskPriority> priority;
    Clearable<qint64> categoryId;
    std::optional<QStringList> tags; // trimmed, case-insensitively unique
    Clearable<QDateTime> dueAt; // UTC
    Clearable<QDate> dueDate;
    std::optional<QList<Reminder>> reminders;
    Clearable<QString> rrule;
    std::optional<QList<qint64>> blockedBy; // unique

    bool isEmpty() const;
    QJsonObject toJson() const;
    // POST /tasks: title is required.
    static std::optional<TaskChanges> fromCreateJson(const QJsonObject &json, FieldErrors *errors);
    // PATCH /tasks/{id}: at least one field.
    static std::optional<TaskChanges> fromPatchJson(const QJsonObject &json, FieldErrors *errors);
};

// POST /tasks/{id}/assign: share with a user, named by id or email, to view or to edit.
struct AssignRequest
{
    std::optional<qint64> userId;
    std::optional<QString> email; // normalised
    SharePermission permission = SharePermission::View;

    QJsonObject toJson() const;
    static std::optional<AssignRequest> fromJson(const QJsonObject &json, FieldErrors *errors);
};

// POST /categories (name required) and PATCH /categories/{id}; color is "#rrggbb" or null.
struct CategoryChanges
{
    std::optional<QString> name; // trimmed
    Clearable<QString> color; // lower-case

    QJsonObject toJson() const;
    static std::optional<CategoryChanges> fromJson(const QJsonObject &json, bool creating,
                                                   FieldErrors *errors);
};

// Case-folds a tag or name for comparisons (what makes "Work" and "work" the same tag).
QString foldCase(const QString &text);

} // namespace Tasklane
