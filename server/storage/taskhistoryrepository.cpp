#include "taskhistoryrepository.h"

#include "database.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane {

QString TaskHistoryRepository::changesText(const QList<FieldChange> &changes)
{
    QJsonArray array;
    for (const FieldChange &change : changes)
        array.append(change.toJson());
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

qint64 TaskHistoryRepository::append(const TaskHistoryRecord &record) const
{
    const auto row = m_database.fetchOne(
            u"INSERT INTO task_history (task_id, actor_id, at, action, changes) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id"_s,
            { record.taskId,
              record.actorId ? QVariant(record.actorId) : QVariant(QMetaType::fromType<qint64>()),
              Database::bindTime(record.at), record.action, changesText(record.changes) });
    return row->value(0).toLongLong();
}

QList<TaskHistoryRecord> TaskHistoryRepository::forTask(qint64 taskId, qint64 afterId,
                                                        int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT id, task_id, actor_id, at, action, changes FROM task_history "
            "WHERE task_id = ? AND id > ? ORDER BY id LIMIT ?"_s,
            { taskId, afterId, limit }, Database::Retry::Safe);
    QList<TaskHistoryRecord> records;
    for (const QSqlRecord &row : rows) {
        TaskHistoryRecord record;
        record.id = row.value(0).toLongLong();
        record.taskId = row.value(1).toLongLong();
        record.actorId = row.value(2).toLongLong();
        record.at = Database::readTime(row.value(3));
        record.action = row.value(4).toString();
        const QJsonArray changes
                = QJsonDocument::fromJson(row.value(5).toString().toUtf8()).array();
        for (const QJsonValue &value : changes) {
            const QJsonObject change = value.toObject();
            record.changes.append({ change.value(u"field"_s).toString(), change.value(u"old"_s),
                                    change.value(u"new"_s) });
        }
        records.append(std::move(record));
    }
    return records;
}

void TaskHistoryRepository::removeForTask(qint64 taskId) const
{
    m_database.execute(u"DELETE FROM task_history WHERE task_id = ?"_s, { taskId });
}

} // namespace Tasklane
