#pragma once

#include "taskquery.h"
#include "taskrecord.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace Tasklane {

class Database;

// A listing's filters, resolved to what SQL compares: due windows and bounds already turned
// into instant and date ranges in the caller's time zone.
struct TaskListFilter
{
    qint64 userId = 0; // whose tasks: owned by or shared with them
    // Every user's tasks instead (GET /admin/tasks): userId plays no part.
    bool everyone = false;
    std::optional<qint64> ownerId; // owner_id=
    QList<TaskStatus> statuses;
    QList<TaskPriority> priorities;
    std::optional<qint64> categoryId;
    QString tagKey; // case-folded
    std::optional<qint64> assigneeId;
    // A task is within the due range when its due_at is in [dueAtFrom, dueAtUntil) or its
    // due_date in [dueDateFrom, dueDateUntil). Unset ends are open.
    bool dueRange = false;
    QDateTime dueAtFrom, dueAtUntil;
    QDate dueDateFrom, dueDateUntil;
    bool withoutDue = false; // due=none
    bool openOnly = false; // not done (due=overdue)
    std::optional<bool> ready;
    QString text; // full-text filter, as the user typed it
    bool trashed = false;
    TaskSortField sort = TaskSortField::Created;
    bool descending = false;
};

// Where the previous page ended: the last task's sort key and id, and the moment of the
// listing's first page (its snapshot, as list() gave it; empty for sort=created, whose key
// never changes).
struct TaskListPosition
{
    QVariant key;
    qint64 id = 0;
    QString snapshot;
};

// A listed task as the listing query reads it: enough to find its JSON in the cache (id and
// version) and to continue after it (its sort key, as the database holds it).
struct TaskStamp
{
    qint64 id = 0;
    qint64 version = 0;
    QVariant sortKey;
};

// One search hit: the task and the passage that matched, HTML-escaped with <mark> around
// matches.
struct TaskSearchHit
{
    qint64 id = 0;
    qint64 version = 0;
    // The task, when the search read it anyway (PostgreSQL); otherwise the caller reads it, or
    // its JSON from a cache, by id and version.
    std::optional<TaskRecord> record;
    QString snippet; // HTML: the passage, matches in <mark>
};

// The SQL of task listings, filters and search. Every statement is built from fixed
// fragments chosen by which filters are set; every value is bound.
class TaskListRepository
{
public:
    explicit TaskListRepository(const Database &database) : m_database(database) { }

    // At most `limit` tasks after `after`, in the filter's order. A first page (no `after`)
    // gives its moment in `snapshot` when asked for; later pages order every task by its sort
    // key as of that moment (after->snapshot), so that a task whose key changed meanwhile is
    // neither skipped nor listed twice: it stays where the first page's moment had it.
    QList<TaskStamp> list(const TaskListFilter &filter,
                          const std::optional<TaskListPosition> &after, int limit,
                          QString *snapshot = nullptr) const;
    // Whether `snapshot` is of the form list() gives (a cursor's is signed; this is a backstop).
    bool isSnapshot(const QString &snapshot) const;
    // Forgets the sort keys of task changes made before `before`: cursors older than that can
    // no longer be followed. Returns how many were deleted.
    int pruneSortMoves(const QDateTime &before) const;
    // The position after `stamp` under `sort`, as a cursor keeps it (text, or an integer).
    QVariant positionKey(const TaskStamp &stamp, TaskSortField sort) const;
    qint64 count(const TaskListFilter &filter) const;
    // How many of a user's matches a search ranks: the newest ones (see search, searchFts5).
    // bm25 costs about 3 us a match; 1,000 made a search as a 20,000-task user about 25% slower
    // (bench/tasks.sh: p99 55 ms against 34-37 ms at 16 connections).
    static constexpr int SearchWindow = 500;
    // How many of a user's newest tasks a PostgreSQL search walks for the window's matches before
    // it asks the GIN index for older ones (see search()): enough for a word in one task of ten.
    static constexpr int SearchWalk = 5000;
    // Full-text search ranked by relevance, best first, `offset` hits skipped; among the tasks
    // one user can see (not for filter.everyone).
    QList<TaskSearchHit> search(const TaskListFilter &filter, int offset, int limit) const;

    // The FTS5 MATCH expression for user text: every term quoted (so no operator, column
    // filter or syntax error can come from it), all of them required. Empty when the text has
    // no terms.
    static QString ftsQuery(const QString &text);
    // Turns a snippet with \x01/\x02 around matches into HTML: everything escaped, the
    // markers become <mark> and </mark>, and \x03 (a '<' hidden from ts_headline) &lt;.
    static QString snippetToHtml(const QString &marked);

private:
    // search() on SQLite: the ranked ids first, then snippets and tasks for those alone.
    QList<TaskSearchHit> searchFts5(const TaskListFilter &filter, const TaskListFilter &rest,
                                    const QString &visible, int offset, int limit) const;

    const Database &m_database;
};

} // namespace Tasklane
