#pragma once

#include "principal.h"
#include "tasklistrepository.h"
#include "taskquery.h"

#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class CursorCodec;
class TaskJsonCache;
class TaskListCache;
class Database;

// One page of a task listing.
struct TaskListPage
{
    QList<QByteArray> items; // each task's JSON
    QString nextCursor; // empty on the last page
    std::optional<qint64> total; // when asked for

    // {"items": [...], "next_cursor": ..., "total": ...}, the items' JSON as they are.
    QByteArray toJson() const;
};

// One page of search hits, best first: each task's JSON with its "snippet".
using TaskSearchPage = TaskListPage;

// Whose tasks a listing walks: those the caller can see (their own and those shared with them),
// or everyone's (GET /admin/tasks; who may ask is the route's to decide).
enum class TaskScope { Visible, Everyone };

// Listing, filtering and searching the tasks a user can see: turns the API's parameters into
// filters in the caller's time zone, and pages with signed cursors. A listing's cursor holds
// the last task's sort key and id (keyset paging: a task inserted meanwhile never makes another
// appear twice or be skipped) and the moment of its first page, whose order later pages keep
// (a task whose sort key changed meanwhile is neither skipped nor listed twice; see
// TaskListRepository::list). A cursor is only valid for the same filters and order, and for
// `cursorTtlSeconds` from its listing's first page.
class TaskListService
{
public:
    TaskListService(const Database &database, const CursorCodec &cursors, TaskJsonCache &json,
                    TaskListCache &pages, qint64 cursorTtlSeconds);

    // Never from or into the page cache: listJson keeps what may be kept.
    TaskListPage list(const Principal &principal, const TaskQuery &query,
                      TaskScope scope = TaskScope::Visible) const;
    // The page's JSON, kept for the next read of the same page when the query allows it.
    QByteArray listJson(const Principal &principal, const TaskQuery &query) const;
    // The same from memory alone, when the page was listed since its user's tasks last changed.
    std::optional<QByteArray> cachedListJson(const Principal &principal,
                                             const TaskQuery &query) const;
    // Whether a listing's page may be kept: not when it moves with the clock (due windows, and
    // dates resolved in the caller's zone) or with tasks the caller cannot see (ready: a
    // blocker may be another's) or is a search.
    static bool isCacheable(const TaskQuery &query);
    // Requires query.text (q); BadRequest otherwise.
    TaskSearchPage search(const Principal &principal, const TaskQuery &query) const;

    // Forgets what cursors that have outlived their lifetime needed (the sort keys of old task
    // changes). Returns how many rows went.
    int pruneExpiredSnapshots(const QDateTime &now) const;
    // How long after its lifetime a cursor's moment is still kept: a change's time is taken
    // when its transaction starts, which may be before a snapshot that did not see it.
    static constexpr qint64 SnapshotMarginSeconds = 3600;

    // The filters of `query` for `principal` at `now` (exposed for tests).
    static TaskListFilter resolve(const Principal &principal, const TaskQuery &query,
                                  const QDateTime &now, TaskScope scope = TaskScope::Visible);

private:
    const Database &m_database;
    const CursorCodec &m_cursors;
    TaskJsonCache &m_json;
    TaskListCache &m_pages;
    const qint64 m_cursorTtlSeconds;
};

} // namespace Tasklane
