#include "taskinsertbatch.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// The rows as bound: a JSON array expanded by jsonb_to_recordset with these column types ("n"
// is the row's place in the array). Values are bound, never spliced into the text.
const QString InsertTasks = uR"(WITH input AS MATERIALIZED (
    SELECT nextval('tasks_id_seq') AS id, r.*
    FROM jsonb_to_recordset(CAST(? AS jsonb)) AS r (n integer, owner_id bigint, title text,
        title_key text, description text, status text, priority smallint, category_id bigint,
        tags_text text, due_at timestamptz, due_date date, due_sort timestamptz, reminders text,
        rrule text, series_start text, version bigint, updated_at timestamptz,
        completed_at timestamptz, trashed_at timestamptz, created_at timestamptz, tags jsonb,
        blockers jsonb, actor_id bigint, at timestamptz, action text, changes text)
), t AS (
    INSERT INTO tasks (id, owner_id, title, title_key, description, status, priority,
        category_id, tags_text, due_at, due_date, due_sort, reminders, rrule, series_start,
        version, updated_at, completed_at, trashed_at, created_at)
    OVERRIDING SYSTEM VALUE
    SELECT id, owner_id, title, title_key, description, status, priority, category_id,
        tags_text, due_at, due_date, due_sort, reminders, rrule, series_start, version,
        updated_at, completed_at, trashed_at, created_at
    FROM input ORDER BY n
), g AS (
    INSERT INTO task_tags (task_id, tag_key)
    SELECT input.id, x FROM input, jsonb_array_elements_text(input.tags) AS x
), d AS (
    INSERT INTO task_dependencies (task_id, blocker_id)
    SELECT input.id, CAST(x AS bigint) FROM input, jsonb_array_elements_text(input.blockers) AS x
), h AS (
    INSERT INTO task_history (task_id, actor_id, at, action, changes)
    SELECT id, actor_id, at, action, changes FROM input WHERE action IS NOT NULL ORDER BY n
)
SELECT n, id FROM input)"_s;
} // namespace

void TaskInsertBatch::flush(const Database &database)
{
    if (m_rows.empty())
        return;
    QByteArray rows = "[";
    for (size_t n = 0; n < m_rows.size(); ++n) {
        rows += n == 0 ? R"({"n":)" : R"(,{"n":)";
        rows += QByteArray::number(qulonglong(n));
        rows += ',';
        rows += m_rows[n].fields;
        rows += '}';
    }
    rows += ']';
    const auto ids = database.fetchAll(InsertTasks, { QString::fromUtf8(rows) });
    if (ids.size() != qsizetype(m_rows.size()))
        throw DatabaseError(DatabaseError::Kind::Statement,
                            u"inserting %1 tasks gave %2 ids"_s.arg(m_rows.size()).arg(ids.size()));
    const std::vector<Row> added = std::exchange(m_rows, {});
    for (const QSqlRecord &inserted : ids) {
        const qsizetype n = inserted.value(0).toLongLong();
        if (n < 0 || n >= qsizetype(added.size()))
            throw DatabaseError(DatabaseError::Kind::Statement, u"a task id for no row"_s);
        const Row &row = added[size_t(n)];
        *row.id = inserted.value(1).toLongLong();
        database.noteChanged(Database::Change::Task, *row.id);
        database.noteChanged(Database::Change::TaskReader, row.ownerId);
    }
    // In the rows' order, once every id is known.
    for (const Row &row : added) {
        if (row.then)
            row.then(*row.id);
    }
}

} // namespace Tasklane
