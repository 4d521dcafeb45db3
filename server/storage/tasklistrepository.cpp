#include "tasklistrepository.h"

#include "database.h"
#include "taskrepository.h"
#include "taskrequests.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

// A statement under construction: fixed text and the values bound to its '?'s, in order.
struct Statement
{
    QString text;
    QVariantList values;

    void add(const QString &fragment, const QVariantList &bound = {})
    {
        text += fragment;
        values += bound;
    }
};

QString sortColumn(TaskSortField sort)
{
    switch (sort) {
    case TaskSortField::Due: return u"t.due_sort"_s;
    case TaskSortField::Priority: return u"t.priority"_s;
    case TaskSortField::Updated: return u"t.updated_at"_s;
    case TaskSortField::Title: return u"t.title_key"_s;
    case TaskSortField::Created: break;
    }
    return u"t.created_at"_s;
}

// `AND column IN (...)` with a fixed number of places (see Database::inList).
template<typename T, typename ToVariant>
void addInList(Statement &statement, const QString &column, const QList<T> &items, int slots,
               ToVariant toVariant)
{
    QVariantList converted;
    for (const T &item : items) {
        if (!converted.contains(toVariant(item)))
            converted.append(toVariant(item)); // status=todo,todo: a value once
    }
    QVariantList values;
    const QString places = Database::inList(converted, slots, &values);
    statement.add(u" AND "_s + column + u" IN ("_s + places + u")"_s, values);
}

// The FTS5 expression of the filter's text over the content columns, among the tasks its user
// can read (the index then gives one user's matches rather than every user's), or among all
// tasks for a listing of everyone's.
QString readableMatch(const TaskListFilter &filter)
{
    const QString terms = TaskListRepository::ftsQuery(filter.text);
    if (terms.isEmpty())
        return {};
    const QString content = u"{title tags_text description} : ("_s + terms + u")"_s;
    if (filter.everyone)
        return content;
    return u"readers : \""_s + TaskRepository::readerToken(filter.userId) + u"\" AND "_s + content;
}

void addFilters(const Database &database, const TaskListFilter &filter, Statement &statement)
{
    const bool postgres = database.dialect() == SqlDialect::Postgres;
    statement.add(filter.trashed ? u" AND t.trashed_at IS NOT NULL"_s
                                 : u" AND t.trashed_at IS NULL"_s);
    if (!filter.statuses.isEmpty())
        addInList(statement, u"t.status"_s, filter.statuses, 3,
                  [](TaskStatus status) { return QVariant(taskStatusToString(status)); });
    if (!filter.priorities.isEmpty())
        addInList(statement, u"t.priority"_s, filter.priorities, 3,
                  [](TaskPriority priority) { return QVariant(int(priority)); });
    if (filter.categoryId)
        statement.add(u" AND t.category_id = ?"_s, { *filter.categoryId });
    if (filter.ownerId)
        statement.add(u" AND t.owner_id = ?"_s, { *filter.ownerId });
    if (!filter.tagKey.isEmpty())
        statement.add(u" AND EXISTS (SELECT 1 FROM task_tags tg WHERE tg.task_id = t.id "
                      "AND tg.tag_key = ?)"_s,
                      { filter.tagKey });
    if (filter.assigneeId)
        statement.add(u" AND EXISTS (SELECT 1 FROM task_shares sa WHERE sa.task_id = t.id "
                      "AND sa.user_id = ?)"_s,
                      { *filter.assigneeId });
    if (filter.dueRange) {
        // Open ends become the far past and future, so that the statement keeps one shape.
        const QVariant earliest = postgres ? u"-infinity"_s : u"0000"_s;
        const QVariant latest = postgres ? u"infinity"_s : u"99999"_s;
        const auto time = [](const QDateTime &value, const QVariant &open) {
            return value.isValid() ? Database::bindTime(value) : open;
        };
        const auto date = [](const QDate &value, const QVariant &open) {
            return value.isValid() ? QVariant(toApiDate(value)) : open;
        };
        statement.add(u" AND ((t.due_at >= ? AND t.due_at < ?) OR "
                      "(t.due_date >= ? AND t.due_date < ?))"_s,
                      { time(filter.dueAtFrom, earliest), time(filter.dueAtUntil, latest),
                        date(filter.dueDateFrom, earliest), date(filter.dueDateUntil, latest) });
    }
    if (filter.withoutDue)
        statement.add(u" AND t.due_at IS NULL AND t.due_date IS NULL"_s);
    if (filter.openOnly)
        statement.add(u" AND t.status <> 'done'"_s);
    if (filter.ready) {
        const QString blocked
                = u"EXISTS (SELECT 1 FROM task_dependencies rd JOIN tasks rb ON "
                  "rb.id = rd.blocker_id WHERE rd.task_id = t.id AND rb.status <> 'done' "
                  "AND rb.trashed_at IS NULL)"_s;
        // ready=true: open and nothing open blocks it; ready=false: open but blocked.
        statement.add(u" AND t.status <> 'done' AND "_s + (*filter.ready ? u"NOT "_s : QString())
                      + blocked);
    }
    if (!filter.text.isEmpty()) {
        if (postgres) {
            statement.add(u" AND t.search @@ websearch_to_tsquery('simple', ?)"_s, { filter.text });
        } else {
            const QString match = readableMatch(filter);
            if (match.isEmpty())
                statement.add(u" AND 1 = 0"_s); // no searchable term: nothing matches
            else
                statement.add(u" AND t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts "
                              "MATCH ?)"_s,
                              { match });
        }
    }
}

// The column of task_sort_moves that holds a task's `sort` key before a change.
QString movedColumn(TaskSortField sort)
{
    return u"m."_s + sortColumn(sort).sliced(2);
}

void addAfter(const TaskListFilter &filter, const std::optional<TaskListPosition> &after,
              Statement &statement, const QString &key)
{
    if (!after)
        return;
    // A row value comparison: both databases walk the (owner, key, id) index from there.
    statement.add(u" AND ("_s + key + u", t.id) "_s + (filter.descending ? u"<"_s : u">"_s)
                          + u" (?, ?)"_s,
                  { after->key, after->id });
}

// A PostgreSQL snapshot ("xmin:xmax:xip,xip") as a cursor keeps it: xmax and the in-progress
// ids as offsets from xmin, which are short ("812345:4:1,3").
QString compactSnapshot(const QString &snapshot)
{
    const QStringList parts = snapshot.split(u':');
    if (parts.size() != 3)
        return {};
    bool ok = false;
    const quint64 xmin = parts.at(0).toULongLong(&ok);
    if (!ok)
        return {};
    const auto offset = [xmin](const QString &xid) {
        bool valid = false;
        const quint64 value = xid.toULongLong(&valid);
        return valid && value >= xmin ? QString::number(value - xmin) : QString();
    };
    QStringList running;
    for (const QString &xid : parts.at(2).split(u',', Qt::SkipEmptyParts))
        running.append(offset(xid));
    if (offset(parts.at(1)).isEmpty() || running.contains(QString()))
        return {};
    return parts.at(0) + u':' + offset(parts.at(1)) + u':' + running.join(u',');
}

// The snapshot text PostgreSQL reads back from compactSnapshot's form; empty when malformed.
QString expandSnapshot(const QString &compact)
{
    const QStringList parts = compact.split(u':');
    if (parts.size() != 3)
        return {};
    bool ok = false;
    const quint64 xmin = parts.at(0).toULongLong(&ok);
    if (!ok || xmin == 0)
        return {};
    const auto absolute = [xmin](const QString &offset) {
        bool valid = false;
        const quint64 value = offset.toULongLong(&valid);
        return valid && value < (quint64(1) << 62) ? QString::number(xmin + value) : QString();
    };
    QStringList running;
    for (const QString &offset : parts.at(2).split(u',', Qt::SkipEmptyParts))
        running.append(absolute(offset));
    const QString xmax = absolute(parts.at(1));
    if (xmax.isEmpty() || running.contains(QString()))
        return {};
    return parts.at(0) + u':' + xmax + u':' + running.join(u',');
}

// `AND` the move `m` was made after `snapshot`: SQLite's is the highest seq then (one writer,
// so seqs commit in order); PostgreSQL's is an MVCC snapshot, whose view of the move's
// transaction tells (sequence values do not commit in order there).
void addMovedAfter(SqlDialect dialect, const QString &snapshot, Statement &statement)
{
    if (dialect == SqlDialect::Postgres) {
        const QString full = expandSnapshot(snapshot);
        statement.add(u" AND m.xid >= pg_snapshot_xmin(CAST(? AS pg_snapshot)) AND NOT "
                      "pg_visible_in_snapshot(m.xid, CAST(? AS pg_snapshot))"_s,
                      { full, full });
    } else {
        statement.add(u" AND m.seq > ?"_s, { snapshot.toLongLong() });
    }
}

// WITH moved (task_id, sort_key): every task `filter.userId` can see (every task, for a listing
// of everyone's) whose sort key changed after `snapshot`, with its key as of then (the one its
// first change after it replaced).
void addMovedSince(const Database &database, const TaskListFilter &filter, const QString &snapshot,
                   Statement &statement)
{
    const QString key = movedColumn(filter.sort);
    if (filter.everyone) {
        statement.add(u"WITH moves AS (SELECT m.task_id, m.seq, "_s + key
                      + u" AS sort_key FROM task_sort_moves m WHERE 1 = 1"_s);
        addMovedAfter(database.dialect(), snapshot, statement);
    } else {
        statement.add(u"WITH moves AS (SELECT m.task_id, m.seq, "_s + key
                              + u" AS sort_key FROM task_sort_moves m WHERE m.owner_id = ?"_s,
                      { filter.userId });
        addMovedAfter(database.dialect(), snapshot, statement);
        statement.add(u" UNION ALL SELECT m.task_id, m.seq, "_s + key
                              + u" FROM task_shares ms JOIN task_sort_moves m ON m.task_id = "
                                "ms.task_id WHERE ms.user_id = ?"_s,
                      { filter.userId });
        addMovedAfter(database.dialect(), snapshot, statement);
    }
    statement.add(u"), moved AS (SELECT task_id, sort_key FROM (SELECT task_id, sort_key, "
                  "row_number() OVER (PARTITION BY task_id ORDER BY seq) AS n FROM moves) AS "
                  "firsts WHERE n = 1) "_s);
}

QString orderBy(const TaskListFilter &filter, const QString &key, const QString &id)
{
    const QString direction = filter.descending ? u" DESC"_s : u" ASC"_s;
    return u" ORDER BY "_s + key + direction + u", "_s + id + direction;
}

} // namespace

QString TaskListRepository::ftsQuery(const QString &text)
{
    QStringList terms;
    const QStringList words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    for (QString word : words) {
        // Quoted, an FTS5 string is only ever a phrase: no operator, column or NEAR group.
        word.replace(u'"', u"\"\""_s);
        terms.append(u'"' + word + u'"');
    }
    // Whole words, as PostgreSQL's websearch_to_tsquery matches them: a prefix query scans
    // every indexed word it starts (no prefix indexes: they tripled the cost of every write).
    return terms.join(u' ');
}

QString TaskListRepository::snippetToHtml(const QString &marked)
{
    QString html = marked.toHtmlEscaped();
    html.replace(u'\x01', u"<mark>"_s);
    html.replace(u'\x02', u"</mark>"_s);
    html.replace(u'\x03', u"&lt;"_s);
    return html;
}

QList<TaskStamp> TaskListRepository::list(const TaskListFilter &filter,
                                          const std::optional<TaskListPosition> &after, int limit,
                                          QString *snapshot) const
{
    const bool postgres = m_database.dialect() == SqlDialect::Postgres;
    const QString key = sortColumn(filter.sort);
    // Creation times never change: such a listing needs no snapshot.
    const bool keysMove = filter.sort != TaskSortField::Created;
    const bool sinceSnapshot = keysMove && after && !after->snapshot.isEmpty();
    const bool takeSnapshot = keysMove && !after && snapshot;
    // Owned and shared tasks are read apart, each along its own index in the listing's order,
    // then merged: a user's first page reads about `limit` rows however many tasks they have.
    // Only ids, versions and sort keys: the tasks' JSON mostly comes from TaskJsonCache.
    // The key is read back as text: QPSQL turns a timestamptz into a QDateTime through the
    // local time zone, a quarter of a PostgreSQL listing's time, and the cursor wants text anyway
    // (PostgreSQL reads its own text form back as a timestamptz).
    // A later page of a listing whose keys move reads the tasks moved since its first page
    // apart too (`moved`, few): at their keys as of then, and not from the indexes.
    Statement statement;
    if (sinceSnapshot)
        addMovedSince(m_database, filter, after->snapshot, statement);
    const QString notMoved
            = sinceSnapshot ? u" AND t.id NOT IN (SELECT task_id FROM moved)"_s : QString();
    QString columns = u"SELECT id, version, CAST(sort_key AS TEXT)"_s;
    if (takeSnapshot) {
        // Read by the listing's own statement: the moment its rows are of.
        columns += postgres ? u", CAST(pg_current_snapshot() AS TEXT)"_s
                            : u", (SELECT COALESCE(max(seq), 0) FROM task_sort_moves)"_s;
    }
    statement.add(columns + u" FROM ("_s);
    // Each branch along its index: the user's own tasks and those shared with them, or every
    // task (a listing of everyone's).
    const auto addBranch = [&](const QString &from, const QVariantList &bound, const QString &as) {
        statement.add(u"SELECT * FROM (SELECT t.id, t.version, "_s + key + u" AS sort_key "_s
                              + from,
                      bound);
        addFilters(m_database, filter, statement);
        addAfter(filter, after, statement, key);
        statement.add(notMoved + orderBy(filter, key, u"t.id"_s) + u" LIMIT ?) AS "_s + as,
                      { limit });
    };
    if (filter.everyone) {
        addBranch(u"FROM tasks t WHERE 1 = 1"_s, {}, u"listed"_s);
    } else {
        addBranch(u"FROM tasks t WHERE t.owner_id = ?"_s, { filter.userId }, u"owned"_s);
        statement.add(u" UNION ALL "_s);
        addBranch(u"FROM task_shares vs JOIN tasks t ON t.id = vs.task_id WHERE vs.user_id = ?"_s,
                  { filter.userId }, u"shared"_s);
    }
    if (sinceSnapshot) {
        statement.add(u" UNION ALL SELECT * FROM (SELECT t.id, t.version, moved.sort_key FROM "
                      "moved JOIN tasks t ON t.id = moved.task_id WHERE "_s);
        if (filter.everyone)
            statement.add(u"1 = 1"_s);
        else
            statement.add(u"(t.owner_id = ? OR EXISTS (SELECT 1 FROM task_shares vm WHERE "
                          "vm.task_id = t.id AND vm.user_id = ?))"_s,
                          { filter.userId, filter.userId });
        addFilters(m_database, filter, statement);
        addAfter(filter, after, statement, u"moved.sort_key"_s);
        statement.add(orderBy(filter, u"moved.sort_key"_s, u"t.id"_s)
                              + u" LIMIT ?) AS moved_page"_s,
                      { limit });
    }
    statement.add(orderBy(filter, u"sort_key"_s, u"id"_s) + u" LIMIT ?) AS page"_s, { limit });
    statement.add(orderBy(filter, u"sort_key"_s, u"id"_s));
    const QList<QSqlRecord> rows
            = m_database.fetchAll(statement.text, statement.values, Database::Retry::Safe);
    QList<TaskStamp> stamps;
    stamps.reserve(rows.size());
    for (const QSqlRecord &row : rows)
        stamps.append({ row.value(0).toLongLong(), row.value(1).toLongLong(), row.value(2) });
    if (takeSnapshot && !rows.isEmpty()) {
        *snapshot = postgres ? compactSnapshot(rows.first().value(3).toString())
                             : QString::number(rows.first().value(3).toLongLong());
    }
    return stamps;
}

bool TaskListRepository::isSnapshot(const QString &snapshot) const
{
    if (m_database.dialect() == SqlDialect::Postgres)
        return !expandSnapshot(snapshot).isEmpty();
    bool ok = false;
    return snapshot.toLongLong(&ok) >= 0 && ok;
}

int TaskListRepository::pruneSortMoves(const QDateTime &before) const
{
    return m_database.execute(u"DELETE FROM task_sort_moves WHERE moved_at < ?"_s,
                              { Database::bindTime(before) });
}

QVariant TaskListRepository::positionKey(const TaskStamp &stamp, TaskSortField sort) const
{
    if (sort == TaskSortField::Priority)
        return stamp.sortKey.toInt();
    // As the database wrote it out (list() reads the key as text: SQLite's stored text, or
    // PostgreSQL's own form of a time, 'infinity' included), which it reads back the same.
    return stamp.sortKey.toString();
}

qint64 TaskListRepository::count(const TaskListFilter &filter) const
{
    Statement statement;
    if (filter.everyone) {
        statement.add(u"SELECT count(*) FROM tasks t WHERE 1 = 1"_s);
        addFilters(m_database, filter, statement);
        const auto row
                = m_database.fetchOne(statement.text, statement.values, Database::Retry::Safe);
        return row ? row->value(0).toLongLong() : 0;
    }
    statement.add(u"SELECT (SELECT count(*) FROM tasks t WHERE t.owner_id = ?"_s,
                  { filter.userId });
    addFilters(m_database, filter, statement);
    statement.add(u") + (SELECT count(*) FROM task_shares vs JOIN tasks t ON t.id = vs.task_id "
                  "WHERE vs.user_id = ?"_s,
                  { filter.userId });
    addFilters(m_database, filter, statement);
    statement.add(u")"_s);
    const auto row = m_database.fetchOne(statement.text, statement.values, Database::Retry::Safe);
    return row ? row->value(0).toLongLong() : 0;
}

QList<TaskSearchHit> TaskListRepository::searchFts5(const TaskListFilter &filter,
                                                    const TaskListFilter &rest,
                                                    const QString &visible, int offset,
                                                    int limit) const
{
    const QString match = readableMatch(filter);
    if (match.isEmpty())
        return {};
    // Ranking costs about 3 us a match; a user with 20,000 tasks can have 8,000 matches of a
    // common word. So only the newest SearchWindow matches are ranked (FTS5 walks its matches
    // newest first without ranking them), and only their ids: nothing else is computed for
    // every ranked row (snippets and a task's lists cost far more than bm25).
    Statement ranked;
    // bm25: lower is better; a match in the title counts most, then tags, then description.
    ranked.add(u"WITH newest AS (SELECT rowid AS id, bm25(tasks_fts, 10.0, 5.0, 1.0, 0.0) AS "
               "score FROM tasks_fts WHERE tasks_fts MATCH ? ORDER BY rowid DESC LIMIT ?) "
               "SELECT t.id, t.version FROM newest JOIN tasks t ON t.id = newest.id WHERE 1 = 1"_s,
               { match, SearchWindow });
    ranked.add(visible, { filter.userId, filter.userId });
    addFilters(m_database, rest, ranked);
    ranked.add(u" ORDER BY newest.score, t.id LIMIT ? OFFSET ?"_s, { limit, offset });
    const QList<QSqlRecord> idRows
            = m_database.fetchAll(ranked.text, ranked.values, Database::Retry::Safe);
    QList<qint64> ids;
    QList<qint64> versions;
    for (const QSqlRecord &row : idRows) {
        ids.append(row.value(0).toLongLong());
        versions.append(row.value(1).toLongLong());
    }
    if (ids.isEmpty())
        return {};
    // Then the page's snippets and tasks, for its rows alone (a fixed number of places).
    Statement snippets;
    // Matched on the content columns only, so that the readers column is never the passage.
    // FTS5 walks the matches between the page's lowest and highest id in one pass; the IN list
    // only filters them ('+': not handed to FTS5, which would seek each id from the start of
    // every segment's doclist: 4-7 ms for a page, against about 1 ms so).
    const auto [lowest, highest] = std::minmax_element(ids.cbegin(), ids.cend());
    snippets.add(
            u"SELECT rowid, snippet(tasks_fts, -1, char(1), char(2), '…', 16) FROM "
            "tasks_fts WHERE tasks_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ("_s,
            { QVariant(u"{title tags_text description} : ("_s + ftsQuery(filter.text) + u")"_s),
              *lowest, *highest });
    QVariantList places;
    snippets.add(Database::inList(QVariantList(ids.cbegin(), ids.cend()),
                                  TaskRepository::MaxBulkRead, &places)
                         + u")"_s,
                 places);
    QHash<qint64, QString> snippetOf;
    const QList<QSqlRecord> snippetRows
            = m_database.fetchAll(snippets.text, snippets.values, Database::Retry::Safe);
    for (const QSqlRecord &row : snippetRows)
        snippetOf.insert(row.value(0).toLongLong(), row.value(1).toString());
    QList<TaskSearchHit> hits;
    for (qsizetype i = 0; i < ids.size(); ++i)
        hits.append({ ids.at(i), versions.at(i), std::nullopt,
                      snippetToHtml(snippetOf.value(ids.at(i))) });
    return hits;
}

QList<TaskSearchHit> TaskListRepository::search(const TaskListFilter &filter, int offset,
                                                int limit) const
{
    Q_ASSERT(!filter.everyone); // a listing of everyone's filters by text (list), unranked
    const TaskRepository tasks(m_database);
    const bool postgres = m_database.dialect() == SqlDialect::Postgres;
    const QString visible = u" AND (t.owner_id = ? OR EXISTS (SELECT 1 FROM task_shares sv "
                            "WHERE sv.task_id = t.id AND sv.user_id = ?))"_s;
    TaskListFilter rest = filter;
    rest.text.clear(); // the match itself is this query's core, not a filter
    Statement statement;
    if (postgres) {
        // As on SQLite, the newest SearchWindow matches are ranked: the caller's own and those
        // shared with them. The caller's own are found by walking their newest SearchWalk tasks
        // (tasks_owner_created, newest first) until SearchWindow match: a word in one task of
        // ten or more is found there, without reading the thousands of older matches a GIN
        // bitmap would fetch and sort (a word in 4,500 of 20,000 tasks: 5.3 -> 1.2 ms). Only
        // when the walk ends short are the older matches, below its last task, taken from the
        // GIN index. Headlines re-read each row's text: computed for the page alone.
        // ts_headline drops whatever its parser takes for an HTML tag; with '<' turned into
        // \x03 (no stored text has control characters) nothing looks like one, and
        // snippetToHtml turns it back.
        const QString rank = u"ts_rank_cd(t.search, (SELECT q FROM q)) AS rank"_s;
        const QString matches = u" AND t.search @@ (SELECT q FROM q)"_s;
        statement.add(u"WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('simple', ?) AS q), "
                      "own AS (SELECT t.id, t.created_at, "_s
                              + rank
                              + u" FROM (SELECT * FROM tasks WHERE owner_id = ? ORDER BY "
                                "created_at DESC, id DESC LIMIT ?) t WHERE (SELECT numnode(q) "
                                "FROM q) > 0"_s
                              + matches,
                      { filter.text, filter.userId, SearchWalk });
        addFilters(m_database, rest, statement);
        statement.add(u" LIMIT ?), older AS (SELECT t.id, t.created_at, "_s + rank
                              + u" FROM tasks t WHERE (SELECT count(*) FROM own) < ? AND "
                                "t.owner_id = ?"_s
                              + matches
                              + u" AND (t.created_at, t.id) < (SELECT b.created_at, b.id FROM "
                                "tasks b WHERE b.owner_id = ? ORDER BY b.created_at DESC, b.id "
                                "DESC OFFSET ? LIMIT 1)"_s,
                      { SearchWindow, SearchWindow, filter.userId, filter.userId, SearchWalk - 1 });
        addFilters(m_database, rest, statement);
        statement.add(u" ORDER BY t.created_at DESC, t.id DESC LIMIT ?), shared AS (SELECT t.id, "
                      "t.created_at, "_s
                              + rank
                              + u" FROM task_shares vs JOIN tasks t ON t.id = vs.task_id WHERE "
                                "(SELECT numnode(q) FROM q) > 0"_s
                              + matches + u" AND vs.user_id = ? AND t.owner_id <> ?"_s,
                      { SearchWindow, filter.userId, filter.userId });
        addFilters(m_database, rest, statement);
        statement.add(u" ORDER BY t.created_at DESC, t.id DESC LIMIT ?), page AS (SELECT w.id, "
                      "w.rank FROM (SELECT * FROM own UNION ALL SELECT * FROM older UNION ALL "
                      "SELECT * FROM shared ORDER BY created_at DESC, id DESC LIMIT ?) w ORDER "
                      "BY w.rank DESC, w.id LIMIT ? OFFSET ?) SELECT "_s
                              + tasks.columns()
                              + u", ts_headline('simple', translate(t.title || ' ' || t.tags_text "
                                "|| ' ' || t.description, '<', chr(3)), q.q, 'StartSel=' || "
                                "chr(1) || ', StopSel=' "
                                "|| chr(2) || ', MaxWords=24, MinWords=8, MaxFragments=2, "
                                "FragmentDelimiter=\" … \"') FROM page JOIN tasks t ON "
                                "t.id = page.id, q ORDER BY page.rank DESC, t.id"_s,
                      { SearchWindow, SearchWindow, limit, offset, filter.userId, filter.userId });
    } else {
        return searchFts5(filter, rest, visible, offset, limit);
    }
    const QList<QSqlRecord> rows
            = m_database.fetchAll(statement.text, statement.values, Database::Retry::Safe);
    const QList<TaskRecord> records = tasks.readRows(rows);
    QList<TaskSearchHit> hits;
    for (qsizetype i = 0; i < records.size(); ++i)
        hits.append({ records.at(i).task.id, records.at(i).task.version, records.at(i),
                      snippetToHtml(rows.at(i).value(21).toString()) });
    return hits;
}

} // namespace Tasklane
