#include "taskquery.h"

#include "user.h"

#include <QCryptographicHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

std::optional<TaskSortField> sortFieldFromString(QStringView text)
{
    if (text == u"due")
        return TaskSortField::Due;
    if (text == u"priority")
        return TaskSortField::Priority;
    if (text == u"created")
        return TaskSortField::Created;
    if (text == u"updated")
        return TaskSortField::Updated;
    if (text == u"title")
        return TaskSortField::Title;
    return std::nullopt;
}

std::optional<DueWindow> dueWindowFromString(QStringView text)
{
    if (text == u"today")
        return DueWindow::Today;
    if (text == u"tomorrow")
        return DueWindow::Tomorrow;
    if (text == u"overdue")
        return DueWindow::Overdue;
    if (text == u"upcoming")
        return DueWindow::Upcoming;
    if (text == u"none")
        return DueWindow::None;
    return std::nullopt;
}

std::optional<bool> boolFromString(QStringView text)
{
    if (text == u"true" || text == u"1")
        return true;
    if (text == u"false" || text == u"0")
        return false;
    return std::nullopt;
}

std::optional<qint64> positiveId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    // Digits only: toLongLong() also takes "+5" and " 5".
    if (!ok || id < 1 || text.isEmpty()
        || !std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; }))
        return std::nullopt;
    return id;
}

// Control characters other than white space: no task text has them (they are refused on the
// way in), so no filter with one can match; and a NUL would cut PostgreSQL's statement short and
// end an FTS5 query mid-string.
bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.category() == QChar::Other_Control && c != u'\t' && c != u'\n' && c != u'\r';
    });
}

std::optional<DueBound> dueBoundFromString(const QString &text)
{
    DueBound bound;
    bound.date = parseApiDate(text);
    if (!bound.date.isValid())
        bound.instant = parseApiInstant(text);
    if (!bound.isSet())
        return std::nullopt;
    return bound;
}

QString dueBoundToString(const DueBound &bound)
{
    return bound.date.isValid() ? toApiDate(bound.date) : toApiTimestamp(bound.instant);
}

const QSet<QString> &knownParameters()
{
    static const QSet<QString> names{ u"status"_s,    u"priority"_s,    u"category_id"_s,
                                      u"tag"_s,       u"assignee_id"_s, u"due_before"_s,
                                      u"due_after"_s, u"due"_s,         u"ready"_s,
                                      u"q"_s,         u"trashed"_s,     u"sort"_s,
                                      u"limit"_s,     u"cursor"_s,      u"include_total"_s,
                                      u"owner_id"_s };
    return names;
}

} // namespace

QString sortFieldToString(TaskSortField field)
{
    switch (field) {
    case TaskSortField::Due: return u"due"_s;
    case TaskSortField::Priority: return u"priority"_s;
    case TaskSortField::Updated: return u"updated"_s;
    case TaskSortField::Title: return u"title"_s;
    case TaskSortField::Created: break;
    }
    return u"created"_s;
}

QString dueWindowToString(DueWindow window)
{
    switch (window) {
    case DueWindow::Today: return u"today"_s;
    case DueWindow::Tomorrow: return u"tomorrow"_s;
    case DueWindow::Overdue: return u"overdue"_s;
    case DueWindow::Upcoming: return u"upcoming"_s;
    case DueWindow::None: break;
    }
    return u"none"_s;
}

QUrlQuery TaskQuery::toUrlQuery() const
{
    QUrlQuery query;
    const auto add = [&query](const QString &name, const QString &value) {
        // Percent-encode what QUrlQuery would leave as is but a server reads differently.
        query.addQueryItem(name, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    };
    if (!statuses.isEmpty()) {
        QStringList names;
        for (TaskStatus status : statuses)
            names.append(taskStatusToString(status));
        add(u"status"_s, names.join(u','));
    }
    if (!priorities.isEmpty()) {
        QStringList names;
        for (TaskPriority priority : priorities)
            names.append(taskPriorityToString(priority));
        add(u"priority"_s, names.join(u','));
    }
    if (categoryId)
        add(u"category_id"_s, QString::number(*categoryId));
    if (!tag.isEmpty())
        add(u"tag"_s, tag);
    if (assigneeId)
        add(u"assignee_id"_s, QString::number(*assigneeId));
    if (ownerId)
        add(u"owner_id"_s, QString::number(*ownerId));
    if (dueBefore.isSet())
        add(u"due_before"_s, dueBoundToString(dueBefore));
    if (dueAfter.isSet())
        add(u"due_after"_s, dueBoundToString(dueAfter));
    if (due)
        add(u"due"_s, dueWindowToString(*due));
    if (ready)
        add(u"ready"_s, *ready ? u"true"_s : u"false"_s);
    if (!text.isEmpty())
        add(u"q"_s, text);
    if (trashed)
        add(u"trashed"_s, u"true"_s);
    if (sort != TaskSortField::Created || descending)
        add(u"sort"_s, (descending ? u"-"_s : QString()) + sortFieldToString(sort));
    if (limit != DefaultLimit)
        add(u"limit"_s, QString::number(limit));
    if (!cursor.isEmpty())
        add(u"cursor"_s, cursor);
    if (includeTotal)
        add(u"include_total"_s, u"true"_s);
    return query;
}

std::optional<TaskQuery> TaskQuery::fromUrlQuery(const QUrlQuery &query, FieldErrors *errors)
{
    TaskQuery parsed;
    FieldErrors found;
    const auto bad = [&found](const QString &name, const QString &message) {
        if (found.size() < 20)
            found.append({ name, u"invalid_value"_s, message });
    };
    QSet<QString> seen;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items) {
        if (!knownParameters().contains(name)) {
            bad(name.left(MaxTextLength), u"This is not a parameter of this listing."_s);
            continue;
        }
        if (seen.contains(name)) {
            bad(name, u"This parameter is given more than once."_s);
            continue;
        }
        seen.insert(name);
        if (value.size() > MaxTextLength && name != u"cursor") {
            bad(name, u"This value is too long (at most %1 characters)."_s.arg(MaxTextLength));
            continue;
        }
        if (name == u"status" || name == u"priority") {
            const QStringList names = value.split(u',');
            for (const QString &item : names) {
                if (name == u"status") {
                    if (const auto status = taskStatusFromString(item))
                        parsed.statuses.append(*status);
                    else
                        bad(name, u"A comma-separated list of todo, in_progress, done."_s);
                } else if (const auto priority = taskPriorityFromString(item)) {
                    parsed.priorities.append(*priority);
                } else {
                    bad(name, u"A comma-separated list of high, medium, low."_s);
                }
            }
        } else if (name == u"category_id" || name == u"assignee_id" || name == u"owner_id") {
            const auto id = positiveId(value);
            if (!id)
                bad(name, u"This must be a positive whole number."_s);
            else if (name == u"category_id")
                parsed.categoryId = id;
            else if (name == u"assignee_id")
                parsed.assigneeId = id;
            else
                parsed.ownerId = id;
        } else if (name == u"tag") {
            parsed.tag = value.trimmed();
            if (parsed.tag.isEmpty())
                bad(name, u"This must not be empty."_s);
            else if (hasControlCharacters(parsed.tag))
                bad(name, u"This must not contain control characters."_s);
        } else if (name == u"due_before" || name == u"due_after") {
            const auto bound = dueBoundFromString(value);
            if (!bound)
                bad(name,
                    u"This must be an RFC 3339 instant with an offset or a YYYY-MM-DD date."_s);
            else if (name == u"due_before")
                parsed.dueBefore = *bound;
            else
                parsed.dueAfter = *bound;
        } else if (name == u"due") {
            parsed.due = dueWindowFromString(value);
            if (!parsed.due)
                bad(name, u"This must be one of today, tomorrow, overdue, upcoming, none."_s);
        } else if (name == u"ready" || name == u"trashed" || name == u"include_total") {
            const auto flag = boolFromString(value);
            if (!flag)
                bad(name, u"This must be true or false."_s);
            else if (name == u"ready")
                parsed.ready = flag;
            else if (name == u"trashed")
                parsed.trashed = *flag;
            else
                parsed.includeTotal = *flag;
        } else if (name == u"q") {
            parsed.text = value.trimmed();
            if (hasControlCharacters(parsed.text))
                bad(name, u"This must not contain control characters."_s);
        } else if (name == u"sort") {
            const bool descending = value.startsWith(u'-');
            const auto field = sortFieldFromString(descending ? QStringView(value).sliced(1)
                                                              : QStringView(value));
            if (!field) {
                bad(name,
                    u"This must be due, priority, created, updated or title, with - for "
                    "descending."_s);
            } else {
                parsed.sort = *field;
                parsed.descending = descending;
            }
        } else if (name == u"limit") {
            bool ok = false;
            const qint64 limit = value.toLongLong(&ok);
            const bool digits = !value.isEmpty()
                    && std::all_of(value.begin(), value.end(),
                                   [](QChar c) { return c >= u'0' && c <= u'9'; });
            if (!ok && digits) // too large for 64 bits: capped like any larger limit
                parsed.limit = MaxLimit;
            else if (!ok || limit < 1)
                bad(name, u"This must be a whole number from 1 to %1."_s.arg(MaxLimit));
            else
                parsed.limit = int(std::min<qint64>(limit, MaxLimit));
        } else if (name == u"cursor") {
            if (value.isEmpty() || value.size() > MaxCursorLength)
                bad(name, u"This is not a cursor of this listing."_s);
            parsed.cursor = value;
        }
    }
    if (found.isEmpty())
        return parsed;
    if (errors)
        errors->append(found);
    return std::nullopt;
}

QByteArray TaskQuery::fingerprint() const
{
    TaskQuery selection = *this;
    selection.limit = DefaultLimit;
    selection.cursor.clear();
    selection.includeTotal = false;
    return QCryptographicHash::hash(selection.toUrlQuery().toString(QUrl::FullyEncoded).toUtf8(),
                                    QCryptographicHash::Sha256)
            .left(8);
}

} // namespace Tasklane
