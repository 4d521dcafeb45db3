#include "taskhistoryrepository.h"

#include "database.h"
#include "rowinsertbatch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString TaskHistoryRepository::changesText(const QList<FieldChange> &changes)
{
    QJsonArray array;
    for (const FieldChange &change : changes)
        array.append(change.toJson());
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

namespace {

// The records of a transaction that holds writes back, written together just before COMMIT.
class HistoryInsertBatch final : public RowInsertBatch
{
public:
    HistoryInsertBatch()
        : RowInsertBatch(u"task_history"_s,
                         { { u"task_id"_s, u"bigint"_s },
                           { u"actor_id"_s, u"bigint"_s },
                           { u"at"_s, u"timestamptz"_s },
                           { u"action"_s, u"text"_s },
                           { u"changes"_s, u"text"_s } })
    { }
};

} // namespace

void TaskHistoryRepository::append(const TaskHistoryRecord &record) const
{
    const QVariantList values{ record.taskId,
                               record.actorId ? QVariant(record.actorId)
                                              : QVariant(QMetaType::fromType<qint64>()),
                               Database::bindTime(record.at), record.action,
                               changesText(record.changes) };
    if (auto *held = m_database.pendingWrites<HistoryInsertBatch>()) {
        held->add(values);
        return;
    }
    m_database.execute(u"INSERT INTO task_history (task_id, actor_id, at, action, changes) "
                       "VALUES (?, ?, ?, ?, ?)"_s,
                       values);
}

namespace {
// A row of id, task_id, actor_id, at, action, changes.
TaskHistoryRecord toRecord(const QSqlRecord &row)
{
    TaskHistoryRecord record;
    record.id = row.value(0).toLongLong();
    record.taskId = row.value(1).toLongLong();
    record.actorId = row.value(2).toLongLong();
    record.at = Database::readTime(row.value(3));
    record.action = row.value(4).toString();
    const QJsonArray changes = QJsonDocument::fromJson(row.value(5).toString().toUtf8()).array();
    for (const QJsonValue &value : changes) {
        const QJsonObject change = value.toObject();
        record.changes.append({ change.value(u"field"_s).toString(), change.value(u"old"_s),
                                change.value(u"new"_s) });
    }
    return record;
}
} // namespace

QList<TaskHistoryRecord> TaskHistoryRepository::forTask(qint64 taskId, qint64 afterId,
                                                        int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT id, task_id, actor_id, at, action, changes FROM task_history "
            "WHERE task_id = ? AND id > ? ORDER BY id LIMIT ?"_s,
            { taskId, afterId, limit }, Database::Retry::Safe);
    QList<TaskHistoryRecord> records;
    records.reserve(rows.size());
    for (const QSqlRecord &row : rows)
        records.append(toRecord(row));
    return records;
}

QList<TaskHistoryRecord> TaskHistoryRepository::forTasks(const QList<qint64> &taskIds) const
{
    if (taskIds.isEmpty())
        return {};
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT id, task_id, actor_id, at, action, changes FROM task_history "
            "WHERE task_id IN ("_s,
            {}, QVariantList(taskIds.cbegin(), taskIds.cend()), u") ORDER BY task_id, id"_s, 64,
            Database::Retry::Safe);
    QList<TaskHistoryRecord> records;
    records.reserve(rows.size());
    for (const QSqlRecord &row : rows)
        records.append(toRecord(row));
    return records;
}

void TaskHistoryRepository::removeForTask(qint64 taskId) const
{
    // Records held back (of this task, or of others: one statement for all) go in first, to be
    // removed with the rest.
    if (auto *held = m_database.pendingWrites<HistoryInsertBatch>())
        held->flush(m_database);
    m_database.execute(u"DELETE FROM task_history WHERE task_id = ?"_s, { taskId });
}

} // namespace Tasklane
