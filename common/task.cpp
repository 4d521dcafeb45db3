#include "task.h"

#include "jsontext.h"
#include "user.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
QJsonValue nullableTime(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(toApiTimestamp(time)) : QJsonValue(QJsonValue::Null);
}

QDateTime readTime(const QJsonObject &json, const QString &key)
{
    const QJsonValue value = json.value(key);
    return value.isString() ? fromApiTimestamp(value.toString()) : QDateTime();
}
} // namespace

QString taskStatusToString(TaskStatus status)
{
    switch (status) {
    case TaskStatus::InProgress: return u"in_progress"_s;
    case TaskStatus::Done: return u"done"_s;
    case TaskStatus::Todo: break;
    }
    return u"todo"_s;
}

std::optional<TaskStatus> taskStatusFromString(QStringView text)
{
    if (text == u"todo")
        return TaskStatus::Todo;
    if (text == u"in_progress")
        return TaskStatus::InProgress;
    if (text == u"done")
        return TaskStatus::Done;
    return std::nullopt;
}

QString taskPriorityToString(TaskPriority priority)
{
    switch (priority) {
    case TaskPriority::High: return u"high"_s;
    case TaskPriority::Low: return u"low"_s;
    case TaskPriority::Medium: break;
    }
    return u"medium"_s;
}

std::optional<TaskPriority> taskPriorityFromString(QStringView text)
{
    if (text == u"high")
        return TaskPriority::High;
    if (text == u"medium")
        return TaskPriority::Medium;
    if (text == u"low")
        return TaskPriority::Low;
    return std::nullopt;
}

QString sharePermissionToString(SharePermission permission)
{
    return permission == SharePermission::Edit ? u"edit"_s : u"view"_s;
}

std::optional<SharePermission> sharePermissionFromString(QStringView text)
{
    if (text == u"view")
        return SharePermission::View;
    if (text == u"edit")
        return SharePermission::Edit;
    return std::nullopt;
}

QString toApiDate(const QDate &date)
{
    return date.isValid() ? date.toString(Qt::ISODate) : QString();
}

QDateTime parseApiInstant(const QString &text)
{
    // RFC 3339 section 5.6: date "T" time, optional fraction, and an offset that is required
    // (Qt alone would read a time without one as local time).
    static const QRegularExpression shape(
            u"^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$"_s);
    if (text.size() > 40 || !shape.match(text).hasMatch())
        return {};
    QString normalized = text.toUpper();
    // Qt reads at most milliseconds: cut a longer fraction (RFC 3339 allows any length).
    static const QRegularExpression longFraction(u"(\\.\\d{3})\\d+"_s);
    normalized.replace(longFraction, u"\\1"_s);
    const QDateTime time = QDateTime::fromString(normalized, Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QDate parseApiDate(const QString &text)
{
    static const QRegularExpression shape(u"^\\d{4}-\\d{2}-\\d{2}$"_s);
    if (!shape.match(text).hasMatch())
        return {};
    return QDate::fromString(text, Qt::ISODate);
}

QJsonObject Reminder::toJson() const
{
    if (beforeMinutes)
        return { { u"before_minutes"_s, *beforeMinutes } };
    return { { u"at"_s, toApiTimestamp(at) } };
}

std::optional<Reminder> Reminder::fromJson(const QJsonObject &json)
{
    Reminder reminder;
    if (json.value(u"before_minutes"_s).isDouble())
        reminder.beforeMinutes = json.value(u"before_minutes"_s).toInt();
    else if (json.value(u"at"_s).isString())
        reminder.at = fromApiTimestamp(json.value(u"at"_s).toString());
    else
        return std::nullopt;
    return reminder;
}

QJsonObject Assignee::toJson() const
{
    return { { u"user_id"_s, userId }, { u"permission"_s, sharePermissionToString(permission) } };
}

std::optional<Assignee> Assignee::fromJson(const QJsonObject &json)
{
    const auto permission = sharePermissionFromString(json.value(u"permission"_s).toString());
    if (!json.value(u"user_id"_s).isDouble() || !permission)
        return std::nullopt;
    return Assignee{ json.value(u"user_id"_s).toInteger(), *permission };
}

namespace {
template<typename T, typename ToJson>
QJsonArray arrayOf(const QList<T> &items, ToJson toJson)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(toJson(item));
    return array;
}

QJsonValue nullableDate(const QDate &date)
{
    return date.isValid() ? QJsonValue(toApiDate(date)) : QJsonValue(QJsonValue::Null);
}

// Each field compared natively: a task with a hundred assignees changes often, and comparing
// their JSON would make both arrays for every change.
#define TASK_FIELD(name, tracked, member, json) \
    TaskField \
    { \
        name, tracked, [](const Task &t) -> QJsonValue { return json; }, \
                [](const Task &a, const Task &b) { return a.member == b.member; } \
    }
} // namespace

const QList<TaskField> &taskFields()
{
    static const QList<TaskField> fields{
        TASK_FIELD(u"id"_s, false, id, t.id),
        TASK_FIELD(u"owner_id"_s, false, ownerId, t.ownerId),
        TASK_FIELD(u"title"_s, true, title, t.title),
        TASK_FIELD(u"description"_s, true, description, t.description),
        TASK_FIELD(u"status"_s, true, status, taskStatusToString(t.status)),
        TASK_FIELD(u"priority"_s, true, priority, taskPriorityToString(t.priority)),
        TASK_FIELD(u"category_id"_s, true, categoryId,
                   t.categoryId ? QJsonValue(*t.categoryId) : QJsonValue(QJsonValue::Null)),
        TASK_FIELD(u"tags"_s, true, tags, QJsonArray::fromStringList(t.tags)),
        TASK_FIELD(u"due_at"_s, true, dueAt, nullableTime(t.dueAt)),
        TASK_FIELD(u"due_date"_s, true, dueDate, nullableDate(t.dueDate)),
        // Compared as the API shows them: a relative reminder's instant is not part of it.
        TaskField{ u"reminders"_s, true,
                   [](const Task &t) -> QJsonValue {
                       return arrayOf(t.reminders, [](const Reminder &r) { return r.toJson(); });
                   },
                   [](const Task &a, const Task &b) {
                       return std::equal(a.reminders.cbegin(), a.reminders.cend(),
                                         b.reminders.cbegin(), b.reminders.cend(),
                                         [](const Reminder &x, const Reminder &y) {
                                             return x.beforeMinutes == y.beforeMinutes
                                                     && (x.beforeMinutes || x.at == y.at);
                                         });
                   } },
        TASK_FIELD(u"rrule"_s, true, rrule,
                   t.rrule.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t.rrule)),
        TASK_FIELD(u"blocked_by"_s, true, blockedBy,
                   arrayOf(t.blockedBy, [](qint64 id) { return QJsonValue(id); })),
        TASK_FIELD(u"assignees"_s, true, assignees,
                   arrayOf(t.assignees, [](const Assignee &a) { return a.toJson(); })),
        TASK_FIELD(u"version"_s, false, version, t.version),
        TASK_FIELD(u"created_at"_s, false, createdAt, toApiTimestamp(t.createdAt)),
        TASK_FIELD(u"updated_at"_s, false, updatedAt, toApiTimestamp(t.updatedAt)),
        TASK_FIELD(u"completed_at"_s, true, completedAt, nullableTime(t.completedAt)),
        TASK_FIELD(u"trashed_at"_s, true, trashedAt, nullableTime(t.trashedAt)),
    };
    return fields;
}
#undef TASK_FIELD

QJsonObject Task::toJson() const
{
    QJsonObject json;
    for (const TaskField &field : taskFields())
        json.insert(field.name, field.value(*this));
    return json;
}

namespace {
void appendNullableTime(QByteArray &out, const QDateTime &time)
{
    if (time.isValid())
        JsonText::appendTime(out, time.toMSecsSinceEpoch());
    else
        out += "null";
}
} // namespace

QByteArray Task::toJsonBytes() const
{
    using namespace JsonText;
    // The keys in the order QJsonObject keeps them (sorted), as QJsonDocument writes them.
    QByteArray out;
    out.reserve(400 + 2 * (title.size() + description.size()));
    out += R"({"assignees":)";
    appendArray(out, assignees, [](QByteArray &to, const Assignee &assignee) {
        to += R"({"permission":)";
        appendString(to, sharePermissionToString(assignee.permission));
        to += R"(,"user_id":)";
        appendInteger(to, assignee.userId);
        to += '}';
    });
    out += R"(,"blocked_by":)";
    appendArray(out, blockedBy, appendInteger);
    out += R"(,"category_id":)";
    if (categoryId)
        appendInteger(out, *categoryId);
    else
        out += "null";
    out += R"(,"completed_at":)";
    appendNullableTime(out, completedAt);
    out += R"(,"created_at":)";
    appendString(out, toApiTimestamp(createdAt)); // "" when unset, as toJson() gives
    out += R"(,"description":)";
    appendString(out, description);
    out += R"(,"due_at":)";
    appendNullableTime(out, dueAt);
    out += R"(,"due_date":)";
    if (dueDate.isValid())
        appendString(out, toApiDate(dueDate));
    else
        out += "null";
    out += R"(,"id":)";
    appendInteger(out, id);
    out += R"(,"owner_id":)";
    appendInteger(out, ownerId);
    out += R"(,"priority":)";
    appendString(out, taskPriorityToString(priority));
    out += R"(,"reminders":)";
    appendArray(out, reminders, [](QByteArray &to, const Reminder &reminder) {
        if (reminder.beforeMinutes) {
            to += R"({"before_minutes":)";
            appendInteger(to, *reminder.beforeMinutes);
        } else {
            to += R"({"at":)";
            appendString(to, toApiTimestamp(reminder.at));
        }
        to += '}';
    });
    out += R"(,"rrule":)";
    if (rrule.isEmpty())
        out += "null";
    else
        appendString(out, rrule);
    out += R"(,"status":)";
    appendString(out, taskStatusToString(status));
    out += R"(,"tags":)";
    appendArray(out, tags, [](QByteArray &to, const QString &tag) { appendString(to, tag); });
    out += R"(,"title":)";
    appendString(out, title);
    out += R"(,"trashed_at":)";
    appendNullableTime(out, trashedAt);
    out += R"(,"updated_at":)";
    appendString(out, toApiTimestamp(updatedAt));
    out += R"(,"version":)";
    appendInteger(out, version);
    out += '}';
    return out;
}

std::optional<Task> Task::fromJson(const QJsonObject &json)
{
    const auto status = taskStatusFromString(json.value(u"status"_s).toString());
    const auto priority = taskPriorityFromString(json.value(u"priority"_s).toString());
    if (!json.value(u"id"_s).isDouble() || !json.value(u"title"_s).isString() || !status
        || !priority)
        return std::nullopt;
    Task task;
    task.id = json.value(u"id"_s).toInteger();
    task.ownerId = json.value(u"owner_id"_s).toInteger();
    task.title = json.value(u"title"_s).toString();
    task.description = json.value(u"description"_s).toString();
    task.status = *status;
    task.priority = *priority;
    if (json.value(u"category_id"_s).isDouble())
        task.categoryId = json.value(u"category_id"_s).toInteger();
    const QJsonArray tagList = json.value(u"tags"_s).toArray();
    for (const QJsonValue &tag : tagList)
        task.tags.append(tag.toString());
    task.dueAt = readTime(json, u"due_at"_s);
    task.dueDate = parseApiDate(json.value(u"due_date"_s).toString());
    const QJsonArray reminderList = json.value(u"reminders"_s).toArray();
    for (const QJsonValue &value : reminderList) {
        if (auto reminder = Reminder::fromJson(value.toObject()))
            task.reminders.append(*reminder);
    }
    task.rrule = json.value(u"rrule"_s).toString();
    const QJsonArray blockers = json.value(u"blocked_by"_s).toArray();
    for (const QJsonValue &blocker : blockers)
        task.blockedBy.append(blocker.toInteger());
    const QJsonArray shares = json.value(u"assignees"_s).toArray();
    for (const QJsonValue &value : shares) {
        if (auto assignee = Assignee::fromJson(value.toObject()))
            task.assignees.append(*assignee);
    }
    task.version = json.value(u"version"_s).toInteger();
    task.createdAt = readTime(json, u"created_at"_s);
    task.updatedAt = readTime(json, u"updated_at"_s);
    task.completedAt = readTime(json, u"completed_at"_s);
    task.trashedAt = readTime(json, u"trashed_at"_s);
    return task;
}

QJsonObject Category::toJson() const
{
    return { { u"id"_s, id },
             { u"owner_id"_s, ownerId },
             { u"name"_s, name },
             { u"color"_s, color.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(color) },
             { u"created_at"_s, toApiTimestamp(createdAt) },
             { u"updated_at"_s, toApiTimestamp(updatedAt) } };
}

std::optional<Category> Category::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"name"_s).isString())
        return std::nullopt;
    Category category;
    category.id = json.value(u"id"_s).toInteger();
    category.ownerId = json.value(u"owner_id"_s).toInteger();
    category.name = json.value(u"name"_s).toString();
    category.color = json.value(u"color"_s).toString();
    category.createdAt = readTime(json, u"created_at"_s);
    category.updatedAt = readTime(json, u"updated_at"_s);
    return category;
}

QJsonObject FieldChange::toJson() const
{
    return { { u"field"_s, field }, { u"old"_s, oldValue }, { u"new"_s, newValue } };
}

QJsonObject TaskHistoryRecord::toJson() const
{
    QJsonArray list;
    for (const FieldChange &change : changes)
        list.append(change.toJson());
    return { { u"id"_s, id },
             { u"task_id"_s, taskId },
             { u"actor_id"_s, actorId ? QJsonValue(actorId) : QJsonValue(QJsonValue::Null) },
             { u"at"_s, toApiTimestamp(at) },
             { u"action"_s, action },
             { u"changes"_s, list } };
}

std::optional<TaskHistoryRecord> TaskHistoryRecord::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"action"_s).isString())
        return std::nullopt;
    TaskHistoryRecord record;
    record.id = json.value(u"id"_s).toInteger();
    record.taskId = json.value(u"task_id"_s).toInteger();
    record.actorId = json.value(u"actor_id"_s).toInteger();
    record.at = readTime(json, u"at"_s);
    record.action = json.value(u"action"_s).toString();
    const QJsonArray list = json.value(u"changes"_s).toArray();
    for (const QJsonValue &value : list) {
        const QJsonObject change = value.toObject();
        record.changes.append({ change.value(u"field"_s).toString(), change.value(u"old"_s),
                                change.value(u"new"_s) });
    }
    return record;
}

QJsonObject Attachment::toJson() const
{
    return { { u"id"_s, id },
             { u"task_id"_s, taskId },
             { u"uploader_id"_s,
               uploaderId ? QJsonValue(uploaderId) : QJsonValue(QJsonValue::Null) },
             { u"file_name"_s, fileName },
             { u"content_type"_s, contentType },
             { u"size"_s, size },
             { u"sha256"_s, sha256 },
             { u"created_at"_s, toApiTimestamp(createdAt) } };
}

std::optional<Attachment> Attachment::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"file_name"_s).isString())
        return std::nullopt;
    Attachment attachment;
    attachment.id = json.value(u"id"_s).toInteger();
    attachment.taskId = json.value(u"task_id"_s).toInteger();
    attachment.uploaderId = json.value(u"uploader_id"_s).toInteger();
    attachment.fileName = json.value(u"file_name"_s).toString();
    attachment.contentType = json.value(u"content_type"_s).toString();
    attachment.size = json.value(u"size"_s).toInteger();
    attachment.sha256 = json.value(u"sha256"_s).toString();
    attachment.createdAt = readTime(json, u"created_at"_s);
    return attachment;
}

} // namespace Tasklane
