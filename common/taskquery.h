#pragma once

#include "fielderror.h"
#include "task.h"

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Tasklane {

enum class TaskSortField { Due, Priority, Created, Updated, Title };
// The due windows of ?due=, computed in the caller's time zone.
enum class DueWindow { Today, Tomorrow, Overdue, Upcoming, None };

// A bound of due_before/due_after: an instant, or a date (its start in the caller's zone).
struct DueBound
{
    QDateTime instant;
    QDate date;
    bool isSet() const { return instant.isValid() || date.isValid(); }
    friend bool operator==(const DueBound &, const DueBound &) = default;
};

// The parameters of GET /tasks and GET /tasks/filter (and, with q, GET /tasks/search): which
// tasks, in which order, which page.
struct TaskQuery
{
    static constexpr int DefaultLimit = 20;
    static constexpr int MaxLimit = 100;
    // A PostgreSQL listing's cursor holds the first page's snapshot, whose length grows with
    // the number of transactions then in progress: room for several hundred.
    static constexpr int MaxCursorLength = 4096;
    static constexpr qsizetype MaxTextLength = 200;

    QList<TaskStatus> statuses; // empty: every status
    QList<TaskPriority> priorities;
    std::optional<qint64> categoryId;
    QString tag;
    std::optional<qint64> assigneeId;
    std::optional<qint64> ownerId; // owner_id: tasks of this owner (shared ones, or any for staff)
    DueBound dueBefore; // due strictly before
    DueBound dueAfter; // due at or after
    std::optional<DueWindow> due;
    std::optional<bool> ready;
    QString text; // q
    bool trashed = false;
    TaskSortField sort = TaskSortField::Created;
    bool descending = false;
    int limit = DefaultLimit;
    QString cursor;
    bool includeTotal = false;

    QUrlQuery toUrlQuery() const;
    // Strict: an unknown parameter, a repeated one or a bad value is an error naming it. A
    // limit above MaxLimit is capped, not refused.
    static std::optional<TaskQuery> fromUrlQuery(const QUrlQuery &query, FieldErrors *errors);
    // Everything that chooses and orders the tasks (not the page): a cursor is only valid for
    // the listing whose fingerprint it carries.
    QByteArray fingerprint() const;
};

QString sortFieldToString(TaskSortField field);
QString dueWindowToString(DueWindow window);

} // namespace Tasklane
