#include "taskrepository.h"

#include "database.h"
#include "heldtaskrows.h"
#include "jsontext.h"
#include "taskhistoryrepository.h"
#include "taskinsertbatch.h"
#include "taskrequests.h"
#include "user.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <array>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}

QVariant nullId()
{
    return QVariant(QMetaType::fromType<qint64>());
}

QVariant timeOrNull(const QDateTime &time)
{
    return time.isValid() ? Database::bindTime(time) : nullText();
}

// Text for a NOT NULL column: a null QString would be bound as NULL.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(u""_s) : QVariant(value);
}

QDate readDate(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.metaType().id() == QMetaType::QDate)
        return value.toDate();
    return parseApiDate(value.toString());
}

QString remindersJson(const QList<Reminder> &reminders)
{
    QJsonArray list;
    for (const Reminder &reminder : reminders)
        list.append(reminder.toJson());
    return QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact));
}

QList<Reminder> parseReminders(const QString &text)
{
    QList<Reminder> reminders;
    const QJsonArray list = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &value : list) {
        if (auto reminder = Reminder::fromJson(value.toObject()))
            reminders.append(*reminder);
    }
    return reminders;
}

TaskAccess accessFromText(const QString &text)
{
    if (text == u"owner")
        return TaskAccess::Owner;
    return text == u"edit" ? TaskAccess::Edit : TaskAccess::View;
}

// The shares of task `t` as one text, "user:permission" items separated by commas.
QString sharesColumn(bool postgres)
{
    return postgres ? u"(SELECT string_agg(s.user_id::text || ':' || s.permission, ',') "
                      "FROM task_shares s WHERE s.task_id = t.id) AS shares"_s
                    : u"(SELECT group_concat(s.user_id || ':' || s.permission) "
                      "FROM task_shares s WHERE s.task_id = t.id) AS shares"_s;
}

// sharesColumn's text as assignees, by user id.
QList<Assignee> parseShares(const QString &text)
{
    QList<Assignee> shares;
    for (QStringView share : QStringView(text).split(u',', Qt::SkipEmptyParts)) {
        const qsizetype colon = share.indexOf(u':');
        shares.append({ share.left(colon).toLongLong(),
                        sharePermissionFromString(share.mid(colon + 1))
                                .value_or(SharePermission::View) });
    }
    std::sort(shares.begin(), shares.end(),
              [](const Assignee &a, const Assignee &b) { return a.userId < b.userId; });
    return shares;
}
} // namespace

QVariant TaskRepository::dueSortValue(const Database &database, const Task &task)
{
    if (task.dueAt.isValid())
        return Database::bindTime(task.dueAt);
    if (task.dueDate.isValid())
        return Database::bindTime(QDateTime(task.dueDate, QTime(0, 0), Qt::UTC));
    return database.dialect() == SqlDialect::Postgres ? u"infinity"_s
                                                      : u"9999-12-31T23:59:59.999Z"_s;
}

QString TaskRepository::occurrenceText(const QDateTime &dueAt, const QDate &dueDate)
{
    if (dueAt.isValid())
        return toApiTimestamp(dueAt);
    return toApiDate(dueDate);
}

QString TaskRepository::columns() const
{
    // One query gives the row, its blockers, its shares and the reader's access: a task is one
    // round trip however it is read. Built once per dialect: every read of a task names them.
    const auto build = [](bool postgres) -> QString { // not a QStringBuilder of its locals
        const QString blockers = postgres
                ? u"(SELECT string_agg(d.blocker_id::text, ',') FROM task_dependencies d "
                  "WHERE d.task_id = t.id) AS blockers"_s
                : u"(SELECT group_concat(d.blocker_id) FROM task_dependencies d "
                  "WHERE d.task_id = t.id) AS blockers"_s;
        const QString shares = sharesColumn(postgres);
        return u"t.id, t.owner_id, t.title, t.description, t.status, t.priority, t.category_id, "
               "t.tags_text, t.due_at, t.due_date, t.reminders, t.rrule, t.series_start, "
               "t.version, t.created_at, t.updated_at, t.completed_at, t.trashed_at, "_s
                + blockers + u", "_s + shares
                + u", CASE WHEN t.owner_id = ? THEN 'owner' ELSE (SELECT s2.permission FROM "
                  "task_shares s2 WHERE s2.task_id = t.id AND s2.user_id = ?) END AS access"_s;
    };
    static const QString sqlite = build(false);
    static const QString postgres = build(true);
    return m_database.dialect() == SqlDialect::Postgres ? postgres : sqlite;
}

QList<TaskRecord> TaskRepository::readRows(const QList<QSqlRecord> &rows) const
{
    QList<TaskRecord> records;
    records.reserve(rows.size());
    for (const QSqlRecord &row : rows) {
        TaskRecord record;
        Task &task = record.task;
        task.id = row.value(0).toLongLong();
        task.ownerId = row.value(1).toLongLong();
        task.title = row.value(2).toString();
        task.description = row.value(3).toString();
        task.status = taskStatusFromString(row.value(4).toString()).value_or(TaskStatus::Todo);
        task.priority = TaskPriority(std::clamp(row.value(5).toInt(), 1, 3));
        if (!row.value(6).isNull())
            task.categoryId = row.value(6).toLongLong();
        const QString tags = row.value(7).toString();
        if (!tags.isEmpty())
            task.tags = tags.split(u'\n');
        task.dueAt = Database::readTime(row.value(8));
        task.dueDate = readDate(row.value(9));
        task.reminders = parseReminders(row.value(10).toString());
        task.rrule = row.value(11).toString();
        record.seriesStart = row.value(12).toString();
        task.version = row.value(13).toLongLong();
        task.createdAt = Database::readTime(row.value(14));
        task.updatedAt = Database::readTime(row.value(15));
        task.completedAt = Database::readTime(row.value(16));
        task.trashedAt = Database::readTime(row.value(17));
        const QStringList blockers = row.value(18).toString().split(u',', Qt::SkipEmptyParts);
        for (const QString &blocker : blockers)
            task.blockedBy.append(blocker.toLongLong());
        std::sort(task.blockedBy.begin(), task.blockedBy.end());
        task.assignees = parseShares(row.value(19).toString());
        record.access = accessFromText(row.value(20).toString());
        records.append(std::move(record));
    }
    return records;
}

std::optional<TaskRecord> TaskRepository::find(qint64 taskId, qint64 userId, bool forUpdate) const
{
    // A change earlier in this batch holds the task's row (and its lock): that is the task now.
    if (forUpdate) {
        if (const auto *held = m_database.pendingWrites<HeldTaskRows>()) {
            if (auto record = held->find(taskId, userId))
                return *record;
        }
    }
    if (forUpdate && m_database.dialect() == SqlDialect::Postgres
        && !m_database.holdsRowLock(Database::LockedRow::Task, taskId)) {
        // NO KEY UPDATE: a foreign key check of another transaction (a task naming this one
        // as its blocker) takes KEY SHARE, which this does not block. A statement of its own,
        // before the read: waiting for the lock inside the read would leave the read's
        // subqueries (shares, blockers) with the snapshot from before the wait. Taken once per
        // transaction: the changes to one task that share a commit (CommitGroup::runKeyed)
        // lock it once.
        m_database.fetchAll(u"SELECT id FROM tasks WHERE id = ? FOR NO KEY UPDATE"_s, { taskId });
        m_database.noteRowLocked(Database::LockedRow::Task, taskId);
    }
    // The access test is part of the query: a task the user may not see is not read at all.
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + columns()
                    + u" FROM tasks t WHERE t.id = ? AND (t.owner_id = ? OR EXISTS (SELECT 1 "
                      "FROM task_shares s3 WHERE s3.task_id = t.id AND s3.user_id = ?))"_s,
            { userId, userId, taskId, userId, userId },
            forUpdate ? Database::Retry::Never : Database::Retry::Safe);
    const QList<TaskRecord> records = readRows(rows);
    if (records.isEmpty())
        return std::nullopt;
    return records.first();
}

std::optional<TaskReaders> TaskRepository::readers(qint64 taskId) const
{
    // One row, the shares as one text: read after every change to a shared task, a row per
    // share made a task of 100 readers cost 100 rows to convert.
    static const QString sqlite = u"SELECT t.version, t.owner_id, "_s + sharesColumn(false)
            + u" FROM tasks t WHERE t.id = ?"_s;
    static const QString postgres = u"SELECT t.version, t.owner_id, "_s + sharesColumn(true)
            + u" FROM tasks t WHERE t.id = ?"_s;
    const auto row
            = m_database.fetchOne(m_database.dialect() == SqlDialect::Postgres ? postgres : sqlite,
                                  { taskId }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    TaskReaders readers;
    readers.version = row->value(0).toLongLong();
    readers.ownerId = row->value(1).toLongLong();
    readers.shares = parseShares(row->value(2).toString());
    return readers;
}

QHash<qint64, TaskRecord> TaskRepository::findManyForUser(const QList<qint64> &ids,
                                                          qint64 userId) const
{
    QHash<qint64, TaskRecord> found;
    if (ids.isEmpty())
        return found;
    QVariantList values{ userId, userId };
    const QString places
            = Database::inList(QVariantList(ids.cbegin(), ids.cend()), MaxBulkRead, &values);
    values.append(userId);
    values.append(userId);
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + columns() + u" FROM tasks t WHERE t.id IN ("_s + places
                    + u") AND (t.owner_id = ? OR EXISTS (SELECT 1 FROM task_shares s3 WHERE "
                      "s3.task_id = t.id AND s3.user_id = ?))"_s,
            values, Database::Retry::Safe);
    const QList<TaskRecord> records = readRows(rows);
    for (const TaskRecord &record : records)
        found.insert(record.task.id, record);
    return found;
}

QHash<qint64, TaskRecord> TaskRepository::findMany(const QList<qint64> &ids) const
{
    QHash<qint64, TaskRecord> found;
    if (ids.isEmpty())
        return found;
    QVariantList values{ 0, 0 }; // the access column's reader: no one
    const QString places
            = Database::inList(QVariantList(ids.cbegin(), ids.cend()), MaxBulkRead, &values);
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + columns() + u" FROM tasks t WHERE t.id IN ("_s + places + u")"_s, values,
            Database::Retry::Safe);
    const QList<TaskRecord> records = readRows(rows);
    for (const TaskRecord &record : records)
        found.insert(record.task.id, record);
    return found;
}

std::optional<TaskRecord> TaskRepository::findForUser(qint64 taskId, qint64 userId) const
{
    return find(taskId, userId, false);
}

std::optional<TaskRecord> TaskRepository::findForUpdate(qint64 taskId, qint64 userId) const
{
    return find(taskId, userId, true);
}

QVariantList TaskRepository::rowValues(const TaskRecord &record) const
{
    const Task &task = record.task;
    return { task.title,
             foldCase(task.title),
             text(task.description),
             taskStatusToString(task.status),
             int(task.priority),
             task.categoryId ? QVariant(*task.categoryId) : nullId(),
             text(task.tags.join(u'\n')),
             timeOrNull(task.dueAt),
             task.dueDate.isValid() ? QVariant(toApiDate(task.dueDate)) : nullText(),
             dueSortValue(m_database, task),
             remindersJson(task.reminders),
             task.rrule.isEmpty() ? nullText() : QVariant(task.rrule),
             record.seriesStart.isEmpty() ? nullText() : QVariant(record.seriesStart),
             task.version,
             Database::bindTime(task.updatedAt),
             timeOrNull(task.completedAt),
             timeOrNull(task.trashedAt) };
}

namespace {
// A bound value as JSON text for jsonb_to_recordset (a null of any type is JSON null).
void appendJson(QByteArray &out, const QVariant &value)
{
    if (value.isNull()) {
        out += "null";
        return;
    }
    switch (value.metaType().id()) {
    case QMetaType::Int:
    case QMetaType::LongLong: JsonText::appendInteger(out, value.toLongLong()); break;
    default: JsonText::appendString(out, value.toString());
    }
}
} // namespace

TaskInsertBatch::Row TaskRepository::insertRow(const TaskRecord &record,
                                               const TaskHistoryRecord *created, qint64 *id) const
{
    // rowValues' columns, in its order.
    static constexpr std::array<const char *, 17> RowColumns{
        "title",        "title_key", "description", "status",       "priority",  "category_id",
        "tags_text",    "due_at",    "due_date",    "due_sort",     "reminders", "rrule",
        "series_start", "version",   "updated_at",  "completed_at", "trashed_at"
    };
    const QVariantList values = rowValues(record);
    Q_ASSERT(values.size() == qsizetype(RowColumns.size()));
    TaskInsertBatch::Row row;
    QByteArray &out = row.fields;
    const auto key = [&out](const char *name) {
        out += ",\"";
        out += name;
        out += "\":";
    };
    out += R"("owner_id":)";
    JsonText::appendInteger(out, record.task.ownerId);
    for (size_t i = 0; i < RowColumns.size(); ++i) {
        key(RowColumns[i]);
        appendJson(out, values.at(qsizetype(i)));
    }
    key("created_at");
    appendJson(out, Database::bindTime(record.task.createdAt));
    key("tags");
    JsonText::appendArray(out, record.task.tags, [](QByteArray &to, const QString &tag) {
        JsonText::appendString(to, foldCase(tag));
    });
    key("blockers");
    JsonText::appendArray(out, record.task.blockedBy, JsonText::appendInteger);
    if (created) {
        key("actor_id");
        appendJson(out, created->actorId ? QVariant(created->actorId) : nullId());
        key("at");
        appendJson(out, Database::bindTime(created->at));
        key("action");
        JsonText::appendString(out, created->action);
        key("changes");
        JsonText::appendString(out, TaskHistoryRepository::changesText(created->changes));
    }
    row.ownerId = record.task.ownerId;
    row.id = id;
    return row;
}

qint64 TaskRepository::insert(const TaskRecord &record, const TaskHistoryRecord *created) const
{
    qint64 id = 0;
    if (m_database.dialect() == SqlDialect::Postgres) {
        TaskInsertBatch batch;
        batch.add(insertRow(record, created, &id));
        batch.flush(m_database);
        return id;
    }
    QVariantList values = rowValues(record);
    values.prepend(record.task.ownerId);
    values.append(Database::bindTime(record.task.createdAt));
    values.append(readerToken(record.task.ownerId)); // a new task's only reader is its owner
    id = m_database
                 .fetchOne(u"INSERT INTO tasks (owner_id, title, title_key, description, status, "
                           "priority, category_id, tags_text, due_at, due_date, due_sort, "
                           "reminders, rrule, series_start, version, updated_at, completed_at, "
                           "trashed_at, created_at, readers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                           values)
                 ->value(0)
                 .toLongLong();
    writeLists(id, record.task, false);
    if (created) {
        TaskHistoryRecord entry = *created;
        entry.taskId = id;
        TaskHistoryRepository(m_database).append(entry);
    }
    m_database.noteChanged(Database::Change::Task, id);
    m_database.noteChanged(Database::Change::TaskReader, record.task.ownerId);
    return id;
}

void TaskRepository::insertBatched(const TaskRecord &record, const TaskHistoryRecord &created,
                                   qint64 *id, std::function<void(qint64 id)> then) const
{
    if (m_database.dialect() == SqlDialect::Postgres) {
        if (auto *batch = m_database.pendingWrites<TaskInsertBatch>()) {
            TaskInsertBatch::Row row = insertRow(record, &created, id);
            row.then = std::move(then);
            batch->add(std::move(row));
            return;
        }
    }
    *id = insert(record, &created);
    if (then)
        then(*id);
}

bool TaskRepository::writeRow(const TaskRecord &record, qint64 expectedVersion) const
{
    QVariantList values = rowValues(record);
    values.append(record.task.id);
    values.append(expectedVersion);
    return m_database.execute(
                   u"UPDATE tasks SET title = ?, title_key = ?, description = ?, status = ?, "
                   "priority = ?, category_id = ?, tags_text = ?, due_at = ?, due_date = ?, "
                   "due_sort = ?, reminders = ?, rrule = ?, series_start = ?, version = ?, "
                   "updated_at = ?, completed_at = ?, trashed_at = ? WHERE id = ? AND "
                   "version = ?"_s,
                   values)
            == 1;
}

bool TaskRepository::update(const TaskRecord &record, qint64 expectedVersion, bool withLists) const
{
    // Held back only under the row's lock (SQLite's write lock is the transaction's from BEGIN
    // on): nobody else can change the version meanwhile.
    HeldTaskRows *held = nullptr;
    if (!withLists
        && (m_database.dialect() == SqlDialect::Sqlite
            || m_database.holdsRowLock(Database::LockedRow::Task, record.task.id)))
        held = m_database.pendingWrites<HeldTaskRows>();
    if (held)
        held->hold(record, expectedVersion);
    else if (!writeRow(record, expectedVersion))
        return false;
    m_database.noteChanged(Database::Change::Task, record.task.id);
    m_database.noteChanged(Database::Change::TaskReader, record.task.ownerId);
    for (const Assignee &assignee : record.task.assignees)
        m_database.noteChanged(Database::Change::TaskReader, assignee.userId);
    if (withLists)
        writeLists(record.task.id, record.task, true);
    return true;
}

void TaskRepository::writeLists(qint64 taskId, const Task &task, bool replace) const
{
    if (replace) {
        m_database.execute(u"DELETE FROM task_tags WHERE task_id = ?"_s, { taskId });
        m_database.execute(u"DELETE FROM task_dependencies WHERE task_id = ?"_s, { taskId });
    }
    for (const QString &tag : task.tags)
        m_database.execute(u"INSERT INTO task_tags (task_id, tag_key) VALUES (?, ?)"_s,
                           { taskId, foldCase(tag) });
    for (qint64 blocker : task.blockedBy)
        m_database.execute(u"INSERT INTO task_dependencies (task_id, blocker_id) VALUES (?, ?)"_s,
                           { taskId, blocker });
}

bool TaskRepository::setTrashed(qint64 taskId, const QDateTime &trashedAt, qint64 version,
                                const QDateTime &updatedAt) const
{
    noteChanged(taskId);
    return m_database.execute(
                   u"UPDATE tasks SET trashed_at = ?, version = ?, updated_at = ? WHERE id = ?"_s,
                   { timeOrNull(trashedAt), version, Database::bindTime(updatedAt), taskId })
            == 1;
}

void TaskRepository::touch(qint64 taskId, qint64 version, const QDateTime &updatedAt) const
{
    noteChanged(taskId);
    m_database.execute(u"UPDATE tasks SET version = ?, updated_at = ? WHERE id = ?"_s,
                       { version, Database::bindTime(updatedAt), taskId });
}

void TaskRepository::remove(qint64 taskId) const
{
    noteChanged(taskId);
    m_database.execute(u"DELETE FROM tasks WHERE id = ?"_s, { taskId });
}

QList<TaskRepository::BlockedTask> TaskRepository::openTasksBlockedBy(qint64 blockerId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT t.id, t.owner_id, t.title FROM task_dependencies d JOIN tasks t ON "
            "t.id = d.task_id WHERE d.blocker_id = ? AND t.trashed_at IS NULL AND "
            "t.status <> 'done' ORDER BY t.id"_s,
            { blockerId });
    QList<BlockedTask> blocked;
    for (const QSqlRecord &row : rows)
        blocked.append(
                { row.value(0).toLongLong(), row.value(1).toLongLong(), row.value(2).toString() });
    return blocked;
}

QList<std::pair<qint64, qint64>> TaskRepository::trashedBefore(const QDateTime &before,
                                                               int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT id, owner_id FROM tasks WHERE trashed_at IS NOT NULL AND trashed_at < ? "
            "ORDER BY trashed_at, id LIMIT ?"_s,
            { Database::bindTime(before), limit });
    QList<std::pair<qint64, qint64>> tasks;
    for (const QSqlRecord &row : rows)
        tasks.append({ row.value(0).toLongLong(), row.value(1).toLongLong() });
    return tasks;
}

namespace {
// The predicate of the partial index tasks_open_due, which a query must repeat to use it.
const QString OpenDue = u"status <> 'done' AND trashed_at IS NULL AND (due_at IS NOT NULL OR "
                        "due_date IS NOT NULL)"_s;
} // namespace

QList<TaskRepository::DueTask> TaskRepository::openDue(bool allDay, const QDateTime &from,
                                                       const QDateTime &to,
                                                       const QDateTime &afterSort, qint64 afterId,
                                                       int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT id, owner_id, due_sort FROM tasks WHERE "_s + OpenDue
                    + (allDay ? u" AND due_date IS NOT NULL"_s : u" AND due_at IS NOT NULL"_s)
                    + u" AND due_sort > ? AND due_sort <= ? AND (due_sort > ? OR (due_sort = ? "
                      "AND id > ?)) ORDER BY due_sort, id LIMIT ?"_s,
            { Database::bindTime(from), Database::bindTime(to), Database::bindTime(afterSort),
              Database::bindTime(afterSort), afterId, limit },
            Database::Retry::Safe);
    QList<DueTask> tasks;
    for (const QSqlRecord &row : rows)
        tasks.append({ row.value(0).toLongLong(), row.value(1).toLongLong(),
                       Database::readTime(row.value(2)) });
    return tasks;
}

QList<qint64> TaskRepository::openDueForUser(qint64 userId, const QDateTime &before,
                                             int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT id FROM tasks WHERE "_s + OpenDue
                    + u" AND due_sort < ? AND (owner_id = ? OR id IN (SELECT task_id FROM "
                      "task_shares WHERE user_id = ?)) ORDER BY due_sort, id LIMIT ?"_s,
            { Database::bindTime(before), userId, userId, limit }, Database::Retry::Safe);
    QList<qint64> ids;
    for (const QSqlRecord &row : rows)
        ids.append(row.value(0).toLongLong());
    return ids;
}

std::optional<QDateTime> TaskRepository::nextOpenDueTime(const QDateTime &after) const
{
    const auto row = m_database.fetchOne(u"SELECT due_sort FROM tasks WHERE "_s + OpenDue
                                                 + u" AND due_at IS NOT NULL AND due_sort > ? "
                                                   "ORDER BY due_sort LIMIT 1"_s,
                                         { Database::bindTime(after) }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    return Database::readTime(row->value(0));
}

QHash<qint64, QList<qint64>> TaskRepository::dependentsOf(qint64 blockerId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT d.task_id, d.blocker_id FROM task_dependencies d WHERE d.task_id IN "
            "(SELECT task_id FROM task_dependencies WHERE blocker_id = ?) ORDER BY d.blocker_id"_s,
            { blockerId });
    QHash<qint64, QList<qint64>> dependents;
    for (const QSqlRecord &row : rows)
        dependents[row.value(0).toLongLong()].append(row.value(1).toLongLong());
    return dependents;
}

qint64 TaskRepository::bumpVersion(qint64 taskId, const QDateTime &updatedAt) const
{
    noteChanged(taskId);
    const auto row = m_database.fetchOne(
            u"UPDATE tasks SET version = version + 1, updated_at = ? WHERE id = ? "
            "RETURNING version"_s,
            { Database::bindTime(updatedAt), taskId });
    return row ? row->value(0).toLongLong() : 0;
}

QList<std::pair<qint64, qint64>> TaskRepository::detachCategory(qint64 categoryId,
                                                                qint64 actorId) const
{
    const QVariant now = Database::bindTime(QDateTime::currentDateTimeUtc());
    const QString changes
            = u"[{\"field\":\"category_id\",\"new\":null,\"old\":%1}]"_s.arg(categoryId);
    m_database.execute(
            u"INSERT INTO task_history (task_id, actor_id, at, action, changes) "
            "SELECT id, ?, ?, 'updated', ? FROM tasks WHERE category_id = ? ORDER BY id"_s,
            { actorId, now, changes, categoryId });
    if (m_database.observesCommits()) {
        const QList<QSqlRecord> readers = m_database.fetchAll(
                u"SELECT owner_id FROM tasks WHERE category_id = ? UNION SELECT s.user_id FROM "
                "task_shares s JOIN tasks t ON t.id = s.task_id WHERE t.category_id = ?"_s,
                { categoryId, categoryId });
        for (const QSqlRecord &row : readers)
            m_database.noteChanged(Database::Change::TaskReader, row.value(0).toLongLong());
    }
    const QList<QSqlRecord> detached
            = m_database.fetchAll(u"UPDATE tasks SET category_id = NULL, version = version + 1, "
                                  "updated_at = ? WHERE category_id = ? RETURNING id, version"_s,
                                  { now, categoryId });
    QList<std::pair<qint64, qint64>> tasks;
    for (const QSqlRecord &row : detached) {
        tasks.append({ row.value(0).toLongLong(), row.value(1).toLongLong() });
        m_database.noteChanged(Database::Change::Task, tasks.last().first);
    }
    std::sort(tasks.begin(), tasks.end());
    return tasks;
}

QSet<qint64> TaskRepository::idsWhere(const QList<qint64> &ids, const QString &condition,
                                      const QVariantList &values) const
{
    QSet<qint64> found;
    for (qsizetype start = 0; start < ids.size(); start += MaxBulkRead) {
        QVariantList chunk;
        for (qsizetype i = start; i < std::min(ids.size(), start + MaxBulkRead); ++i)
            chunk.append(ids.at(i));
        QVariantList bound;
        const QString places = Database::inList(chunk, MaxBulkRead, &bound);
        bound += values;
        const QList<QSqlRecord> rows = m_database.fetchAll(
                u"SELECT t.id FROM tasks t WHERE t.id IN ("_s + places + u") AND "_s + condition,
                bound);
        for (const QSqlRecord &row : rows)
            found.insert(row.value(0).toLongLong());
    }
    return found;
}

QList<qint64> TaskRepository::visibleAmong(const QList<qint64> &ids, qint64 userId) const
{
    const QSet<qint64> visible = idsWhere(
            ids,
            u"(t.owner_id = ? OR EXISTS (SELECT 1 FROM task_shares s WHERE s.task_id = t.id AND "
            "s.user_id = ?))"_s,
            { userId, userId });
    QList<qint64> inOrder;
    for (qint64 id : ids) {
        if (visible.contains(id))
            inOrder.append(id);
    }
    return inOrder;
}

QList<qint64> TaskRepository::openAmong(const QList<qint64> &ids) const
{
    const QSet<qint64> found = idsWhere(ids, u"t.status <> 'done' AND t.trashed_at IS NULL"_s, {});
    QList<qint64> open(found.cbegin(), found.cend());
    std::sort(open.begin(), open.end());
    return open;
}

void TaskRepository::recordOccurrence(qint64 taskId, const QString &occurrence, bool completed,
                                      qint64 actorId) const
{
    m_database.execute(u"INSERT INTO task_occurrences (task_id, occurrence, action, actor_id, at) "
                       "VALUES (?, ?, ?, ?, ?)"_s,
                       { taskId, occurrence, completed ? u"completed"_s : u"skipped"_s, actorId,
                         Database::bindTime(QDateTime::currentDateTimeUtc()) });
}

QHash<qint64, QList<qint64>> TaskRepository::blockerGraphFrom(qint64 start, int limit) const
{
    // UNION (not UNION ALL) stops at edges already found, so a cycle in stored data ends too.
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"WITH RECURSIVE reach (task_id, blocker_id) AS ("
            "SELECT task_id, blocker_id FROM task_dependencies WHERE task_id = ? "
            "UNION SELECT d.task_id, d.blocker_id FROM task_dependencies d "
            "JOIN reach r ON d.task_id = r.blocker_id) "
            "SELECT task_id, blocker_id FROM reach LIMIT ?"_s,
            { start, limit });
    QHash<qint64, QList<qint64>> graph;
    for (const QSqlRecord &row : rows)
        graph[row.value(0).toLongLong()].append(row.value(1).toLongLong());
    return graph;
}

void TaskRepository::share(qint64 taskId, qint64 userId, SharePermission permission) const
{
    m_database.execute(u"INSERT INTO task_shares (task_id, user_id, permission, created_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (task_id, user_id) "
                       "DO UPDATE SET permission = excluded.permission"_s,
                       { taskId, userId, sharePermissionToString(permission),
                         Database::bindTime(QDateTime::currentDateTimeUtc()) });
    noteChanged(taskId); // its readers now, the new one among them
    refreshReaders(taskId);
}

bool TaskRepository::unshare(qint64 taskId, qint64 userId) const
{
    noteChanged(taskId); // its readers before, the one leaving among them
    const bool ended
            = m_database.execute(u"DELETE FROM task_shares WHERE task_id = ? AND user_id = ?"_s,
                                 { taskId, userId })
            == 1;
    if (ended)
        refreshReaders(taskId);
    return ended;
}

void TaskRepository::noteChanged(qint64 taskId) const
{
    m_database.noteChanged(Database::Change::Task, taskId);
    if (!m_database.observesCommits())
        return;
    const QList<QSqlRecord> readers = m_database.fetchAll(
            u"SELECT owner_id FROM tasks WHERE id = ? UNION SELECT user_id FROM task_shares "
            "WHERE task_id = ?"_s,
            { taskId, taskId });
    for (const QSqlRecord &row : readers)
        m_database.noteChanged(Database::Change::TaskReader, row.value(0).toLongLong());
}

QString TaskRepository::readerToken(qint64 userId)
{
    return u"u"_s + QString::number(userId);
}

void TaskRepository::refreshReaders(qint64 taskId) const
{
    if (m_database.dialect() != SqlDialect::Sqlite)
        return; // PostgreSQL narrows a search by its indexes on tasks and task_shares
    m_database.execute(u"UPDATE tasks SET readers = 'u' || owner_id || COALESCE((SELECT ' ' || "
                       "group_concat('u' || user_id, ' ') FROM task_shares WHERE task_id = "
                       "tasks.id), '') WHERE id = ?"_s,
                       { taskId });
}

void TaskRepository::lockDependencies() const
{
    if (m_database.dialect() == SqlDialect::Postgres)
        m_database.fetchAll(u"SELECT pg_advisory_xact_lock(7351000001)"_s);
}

} // namespace Tasklane
