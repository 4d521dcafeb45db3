#include "taskrequests.h"

#include "authrequests.h"
#include "jsonfieldreader.h"
#include "user.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

using Presence = JsonFieldReader::Presence;

bool hasControlCharacters(QStringView text, bool allowLineBreaks)
{
    return std::any_of(text.begin(), text.end(), [allowLineBreaks](QChar c) {
        if (allowLineBreaks && (c == u'\n' || c == u'\t' || c == u'\r'))
            return false;
        return c.category() == QChar::Other_Control;
    });
}

void wrongType(JsonFieldReader &reader, const QString &field, const QString &what)
{
    reader.addError(field, u"wrong_type"_s, u"This field must be %1."_s.arg(what));
}

// A trimmed, single-line string of 1..maxLength characters.
std::optional<QString> readLine(JsonFieldReader &reader, const QString &field, Presence presence,
                                qsizetype maxLength)
{
    const auto value = reader.value(field);
    if (!value || (value->isNull() && presence == Presence::Optional)) {
        if (presence == Presence::Required)
            reader.addError(field, u"required"_s, u"This field is required."_s);
        return std::nullopt;
    }
    if (!value->isString()) {
        wrongType(reader, field, u"a string"_s);
        return std::nullopt;
    }
    const QString text = value->toString().trimmed();
    if (text.isEmpty()) {
        reader.addError(field, u"required"_s, u"This field must not be empty."_s);
        return std::nullopt;
    }
    if (codePointLength(text) > maxLength) {
        reader.addError(field, u"too_long"_s,
                        u"This field must be at most %1 characters long."_s.arg(maxLength));
        return std::nullopt;
    }
    if (hasControlCharacters(text, false)) {
        reader.addError(field, u"invalid_format"_s,
                        u"This field must not contain control characters."_s);
        return std::nullopt;
    }
    return text;
}

template<typename Enum>
std::optional<Enum> readEnum(JsonFieldReader &reader, const QString &field,
                             std::optional<Enum> (*parse)(QStringView), const QString &choices)
{
    const auto value = reader.value(field);
    if (!value)
        return std::nullopt;
    const auto parsed = value->isString() ? parse(value->toString()) : std::nullopt;
    if (!parsed)
        reader.addError(field, u"invalid_value"_s, u"This field must be one of %1."_s.arg(choices));
    return parsed;
}

// Reads a field that null clears: nullopt (absent or invalid), {nullopt} (null) or {value}.
template<typename T, typename Read>
Clearable<T> readClearable(JsonFieldReader &reader, const QString &field, Read read)
{
    const auto value = reader.value(field);
    if (!value)
        return std::nullopt;
    if (value->isNull())
        return std::optional<T>();
    if (auto parsed = read(*value))
        return std::optional<T>(*parsed);
    return std::nullopt;
}

// A list field: its array when it is one of at most `maxItems` items; otherwise nullopt, with
// the error recorded. (null, which clears the list, is the caller's case.)
std::optional<QJsonArray> readList(JsonFieldReader &reader, const QJsonValue &value,
                                   const QString &field, const QString &what, qsizetype maxItems,
                                   const QString &noun)
{
    if (!value.isArray()) {
        wrongType(reader, field, what);
        return std::nullopt;
    }
    const QJsonArray list = value.toArray();
    if (list.size() > maxItems) {
        reader.addError(field, u"too_many"_s,
                        u"A task has at most %1 %2."_s.arg(maxItems).arg(noun));
        return std::nullopt;
    }
    return list;
}

std::optional<QStringList> readTags(JsonFieldReader &reader, const QJsonValue &value)
{
    const QString field = u"tags"_s;
    if (value.isNull())
        return QStringList();
    const auto read = readList(reader, value, field, u"an array of strings"_s, TaskLimits::MaxTags,
                               u"tags"_s);
    if (!read)
        return std::nullopt;
    const QJsonArray &list = *read;
    QStringList tags;
    QSet<QString> seen;
    bool ok = true;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString name = u"tags[%1]"_s.arg(i);
        const QString tag = list.at(i).toString().trimmed();
        if (!list.at(i).isString()) {
            wrongType(reader, name, u"a string"_s);
        } else if (tag.isEmpty() || codePointLength(tag) > TaskLimits::TagMaxLength) {
            reader.addError(name, u"invalid_length"_s,
                            u"A tag has 1 to %1 characters."_s.arg(TaskLimits::TagMaxLength));
        } else if (hasControlCharacters(tag, false)) {
            reader.addError(name, u"invalid_format"_s,
                            u"A tag must not contain control characters."_s);
        } else if (seen.contains(foldCase(tag))) {
            reader.addError(name, u"duplicate"_s,
                            u"This tag is already in the list (tags ignore case)."_s);
        } else {
            seen.insert(foldCase(tag));
            tags.append(tag);
            continue;
        }
        ok = false;
    }
    return ok ? std::optional<QStringList>(tags) : std::nullopt;
}

std::optional<QList<Reminder>> readReminders(JsonFieldReader &reader, const QJsonValue &value)
{
    const QString field = u"reminders"_s;
    if (value.isNull())
        return QList<Reminder>();
    const auto read = readList(reader, value, field, u"an array of reminders"_s,
                               TaskLimits::MaxReminders, u"reminders"_s);
    if (!read)
        return std::nullopt;
    const QJsonArray &list = *read;
    QList<Reminder> reminders;
    bool ok = true;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString name = u"reminders[%1]"_s.arg(i);
        const QJsonObject item = list.at(i).toObject();
        const bool hasAt = item.contains(u"at"_s);
        const bool hasBefore = item.contains(u"before_minutes"_s);
        if (!list.at(i).isObject() || item.size() != 1 || hasAt == hasBefore) {
            reader.addError(name, u"invalid_format"_s,
                            u"A reminder is {\"at\": instant} or {\"before_minutes\": N}."_s);
            ok = false;
            continue;
        }
        Reminder reminder;
        if (hasAt) {
            reminder.at = parseApiInstant(item.value(u"at"_s).toString());
            if (!reminder.at.isValid()) {
                reader.addError(name + u".at"_s, u"invalid_format"_s,
                                u"This must be an RFC 3339 instant with an offset."_s);
                ok = false;
                continue;
            }
        } else {
            const auto minutes = wholeNumber(item.value(u"before_minutes"_s));
            if (!minutes || *minutes < 0 || *minutes > TaskLimits::ReminderMaxBeforeMinutes) {
                reader.addError(name + u".before_minutes"_s, u"out_of_range"_s,
                                u"This must be a whole number of minutes from 0 to %1."_s.arg(
                                        TaskLimits::ReminderMaxBeforeMinutes));
                ok = false;
                continue;
            }
            reminder.beforeMinutes = int(*minutes);
        }
        reminders.append(reminder);
    }
    return ok ? std::optional<QList<Reminder>>(reminders) : std::nullopt;
}

std::optional<QList<qint64>> readBlockers(JsonFieldReader &reader, const QJsonValue &value)
{
    const QString field = u"blocked_by"_s;
    if (value.isNull())
        return QList<qint64>();
    const auto read = readList(reader, value, field, u"an array of task ids"_s,
                               TaskLimits::MaxBlockers, u"blockers"_s);
    if (!read)
        return std::nullopt;
    const QJsonArray &list = *read;
    QList<qint64> ids;
    bool ok = true;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const auto id = wholeNumber(list.at(i));
        if (!id || *id < 1) {
            reader.addError(u"blocked_by[%1]"_s.arg(i), u"wrong_type"_s,
                            u"A task id is a positive whole number."_s);
            ok = false;
        } else if (!ids.contains(*id)) {
            ids.append(*id);
        }
    }
    return ok ? std::optional<QList<qint64>>(ids) : std::nullopt;
}

// Fields of a task a client may read but never write.
const QStringList &readOnlyTaskFields()
{
    static const QStringList fields{ u"id"_s,           u"owner_id"_s,   u"assignees"_s,
                                     u"version"_s,      u"created_at"_s, u"updated_at"_s,
                                     u"completed_at"_s, u"trashed_at"_s };
    return fields;
}

std::optional<TaskChanges> readTaskChanges(const QJsonObject &json, bool creating,
                                           FieldErrors *errors)
{
    JsonFieldReader reader(json);
    TaskChanges changes;
    changes.title = readLine(reader, u"title"_s, creating ? Presence::Required : Presence::Optional,
                             TaskLimits::TitleMaxLength);
    if (!creating && json.value(u"title"_s).isNull())
        reader.addError(u"title"_s, u"required"_s, u"A task always has a title."_s);
    if (const auto value = reader.value(u"description"_s)) {
        if (value->isNull()) {
            changes.description = QString();
        } else if (!value->isString()) {
            wrongType(reader, u"description"_s, u"a string"_s);
        } else if (hasControlCharacters(value->toString(), true)) {
            reader.addError(u"description"_s, u"invalid_format"_s,
                            u"This field must not contain control characters other than line "
                            "breaks and tabs."_s);
        } else if (codePointLength(value->toString()) > TaskLimits::DescriptionMaxLength) {
            reader.addError(u"description"_s, u"too_long"_s,
                            u"This field must be at most %1 characters long."_s.arg(
                                    TaskLimits::DescriptionMaxLength));
        } else {
            changes.description = value->toString();
        }
    }
    changes.status = readEnum<TaskStatus>(reader, u"status"_s, &taskStatusFromString,
                                          u"todo, in_progress, done"_s);
    changes.priority = readEnum<TaskPriority>(reader, u"priority"_s, &taskPriorityFromString,
                                              u"high, medium, low"_s);
    changes.categoryId
            = readClearable<qint64>(reader, u"category_id"_s, [&reader](const QJsonValue &value) {
                  const auto id = wholeNumber(value);
                  if (!id || *id < 1)
                      reader.addError(u"category_id"_s, u"wrong_type"_s,
                                      u"A category id is a positive whole number, or null."_s);
                  return id && *id >= 1 ? id : std::nullopt;
              });
    if (const auto value = reader.value(u"tags"_s))
        changes.tags = readTags(reader, *value);
    changes.dueAt = readClearable<QDateTime>(
            reader, u"due_at"_s, [&reader](const QJsonValue &value) -> std::optional<QDateTime> {
                const QDateTime time = parseApiInstant(value.toString());
                if (!time.isValid()) {
                    reader.addError(u"due_at"_s, u"invalid_format"_s,
                                    u"This must be an RFC 3339 instant with an offset, such as "
                                    "2027-03-15T09:00:00+01:00."_s);
                    return std::nullopt;
                }
                return time;
            });
    changes.dueDate = readClearable<QDate>(
            reader, u"due_date"_s, [&reader](const QJsonValue &value) -> std::optional<QDate> {
                const QDate date = parseApiDate(value.toString());
                if (!date.isValid() || date.year() < 1900 || date.year() > 9999) {
                    reader.addError(u"due_date"_s, u"invalid_format"_s,
                                    u"This must be a date as YYYY-MM-DD."_s);
                    return std::nullopt;
                }
                return date;
            });
    if (changes.dueAt && *changes.dueAt && changes.dueDate && *changes.dueDate) {
        reader.addError(u"due_date"_s, u"conflict"_s,
                        u"A task has due_at (a time) or due_date (all day), never both."_s);
    }
    if (const auto value = reader.value(u"reminders"_s))
        changes.reminders = readReminders(reader, *value);
    changes.rrule = readClearable<QString>(
            reader, u"rrule"_s, [&reader](const QJsonValue &value) -> std::optional<QString> {
                const QString text = value.toString().trimmed();
                if (!value.isString() || text.isEmpty()
                    || text.size() > TaskLimits::RruleMaxLength) {
                    reader.addError(u"rrule"_s,
                                    value.isString() ? u"invalid_value"_s : u"wrong_type"_s,
                                    u"This must be an RFC 5545 recurrence rule such as "
                                    "FREQ=WEEKLY;BYDAY=MO, or null."_s);
                    return std::nullopt;
                }
                return text;
            });
    if (const auto value = reader.value(u"blocked_by"_s))
        changes.blockedBy = readBlockers(reader, *value);
    for (const QString &field : readOnlyTaskFields()) {
        if (json.contains(field)) {
            reader.markKnown(field);
            reader.addError(field, u"read_only"_s,
                            field == u"assignees" ? u"Share a task with POST /tasks/{id}/assign."_s
                                                  : u"This field is set by the server."_s);
        }
    }
    const FieldErrors &found = reader.finish();
    if (found.isEmpty() && !creating && changes.isEmpty()) {
        if (errors)
            errors->append({ QString(), u"required"_s, u"Name at least one field to change."_s });
        return std::nullopt;
    }
    if (found.isEmpty())
        return changes;
    if (errors)
        errors->append(found);
    return std::nullopt;
}

template<typename T>
QJsonValue clearableJson(const Clearable<T> &field, QJsonValue (*convert)(const T &))
{
    return *field ? convert(**field) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString foldCase(const QString &text)
{
    return text.toCaseFolded();
}

bool TaskChanges::isEmpty() const
{
    return !title && !description && !status && !priority && !categoryId && !tags && !dueAt
            && !dueDate && !reminders && !rrule && !blockedBy;
}

QJsonObject TaskChanges::toJson() const
{
    QJsonObject json;
    if (title)
        json.insert(u"title"_s, *title);
    if (description)
        json.insert(u"description"_s, *description);
    if (status)
        json.insert(u"status"_s, taskStatusToString(*status));
    if (priority)
        json.insert(u"priority"_s, taskPriorityToString(*priority));
    if (categoryId)
        json.insert(u"category_id"_s, clearableJson<qint64>(categoryId, [](const qint64 &id) {
                        return QJsonValue(id);
                    }));
    if (tags)
        json.insert(u"tags"_s, QJsonArray::fromStringList(*tags));
    if (dueAt)
        json.insert(u"due_at"_s, clearableJson<QDateTime>(dueAt, [](const QDateTime &time) {
                        return QJsonValue(toApiTimestamp(time));
                    }));
    if (dueDate)
        json.insert(u"due_date"_s, clearableJson<QDate>(dueDate, [](const QDate &date) {
                        return QJsonValue(toApiDate(date));
                    }));
    if (reminders) {
        QJsonArray list;
        for (const Reminder &reminder : *reminders)
            list.append(reminder.toJson());
        json.insert(u"reminders"_s, list);
    }
    if (rrule)
        json.insert(u"rrule"_s, clearableJson<QString>(rrule, [](const QString &text) {
                        return QJsonValue(text);
                    }));
    if (blockedBy) {
        QJsonArray list;
        for (qint64 id : *blockedBy)
            list.append(id);
        json.insert(u"blocked_by"_s, list);
    }
    return json;
}

std::optional<TaskChanges> TaskChanges::fromCreateJson(const QJsonObject &json, FieldErrors *errors)
{
    return readTaskChanges(json, true, errors);
}

std::optional<TaskChanges> TaskChanges::fromPatchJson(const QJsonObject &json, FieldErrors *errors)
{
    return readTaskChanges(json, false, errors);
}

QJsonObject AssignRequest::toJson() const
{
    QJsonObject json{ { u"permission"_s, sharePermissionToString(permission) } };
    if (userId)
        json.insert(u"user_id"_s, *userId);
    if (email)
        json.insert(u"email"_s, *email);
    return json;
}

std::optional<AssignRequest> AssignRequest::fromJson(const QJsonObject &json, FieldErrors *errors)
{
    JsonFieldReader reader(json);
    AssignRequest request;
    request.userId = reader.integer(u"user_id"_s, Presence::Optional, 1,
                                    std::numeric_limits<qint64>::max());
    if (const auto email
        = reader.string(u"email"_s, Presence::Optional, AccountLimits::EmailMaxLength, 1)) {
        request.email = normalizeEmail(*email);
        if (!request.email)
            reader.addError(u"email"_s, u"invalid_format"_s, u"This is not an email address."_s);
    }
    if (json.contains(u"user_id"_s) == json.contains(u"email"_s))
        reader.addError(u"user_id"_s, json.contains(u"user_id"_s) ? u"conflict"_s : u"required"_s,
                        u"Name the user by user_id or by email (one of them)."_s);
    const auto permission = reader.value(u"permission"_s);
    if (!permission) {
        reader.addError(u"permission"_s, u"required"_s, u"This field is required."_s);
    } else if (const auto parsed = sharePermissionFromString(permission->toString());
               permission->isString() && parsed) {
        request.permission = *parsed;
    } else {
        reader.addError(u"permission"_s, u"invalid_value"_s,
                        u"This field must be one of view, edit."_s);
    }
    const FieldErrors &found = reader.finish();
    if (found.isEmpty())
        return request;
    if (errors)
        errors->append(found);
    return std::nullopt;
}

QJsonObject CategoryChanges::toJson() const
{
    QJsonObject json;
    if (name)
        json.insert(u"name"_s, *name);
    if (color)
        json.insert(u"color"_s, *color ? QJsonValue(**color) : QJsonValue(QJsonValue::Null));
    return json;
}

std::optional<CategoryChanges> CategoryChanges::fromJson(const QJsonObject &json, bool creating,
                                                         FieldErrors *errors)
{
    JsonFieldReader reader(json);
    CategoryChanges changes;
    changes.name = readLine(reader, u"name"_s, creating ? Presence::Required : Presence::Optional,
                            TaskLimits::CategoryNameMaxLength);
    if (!creating && json.value(u"name"_s).isNull())
        reader.addError(u"name"_s, u"required"_s, u"A category always has a name."_s);
    changes.color = readClearable<QString>(
            reader, u"color"_s, [&reader](const QJsonValue &value) -> std::optional<QString> {
                static const QRegularExpression shape(u"^#[0-9a-fA-F]{6}$"_s);
                if (!value.isString() || !shape.match(value.toString()).hasMatch()) {
                    reader.addError(u"color"_s, u"invalid_format"_s,
                                    u"A color is #rrggbb (hexadecimal), or null."_s);
                    return std::nullopt;
                }
                return value.toString().toLower();
            });
    const FieldErrors &found = reader.finish();
    if (found.isEmpty() && !creating && !changes.name && !changes.color) {
        if (errors)
            errors->append({ QString(), u"required"_s, u"Name at least one field to change."_s });
        return std::nullopt;
    }
    if (found.isEmpty())
        return changes;
    if (errors)
        errors->append(found);
    return std::nullopt;
}

} // namespace Tasklane
