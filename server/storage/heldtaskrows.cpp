#include "heldtaskrows.h"

#include "databaseerror.h"
#include "taskrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void HeldTaskRows::hold(const TaskRecord &record, qint64 storedVersion)
{
    const auto [it, added] = m_rows.try_emplace(record.task.id, Held{ record, storedVersion });
    if (!added)
        it->second.record = record; // the stored version stays the first change's
}

std::optional<std::optional<TaskRecord>> HeldTaskRows::find(qint64 taskId, qint64 userId) const
{
    const auto it = m_rows.find(taskId);
    if (it == m_rows.end())
        return std::nullopt;
    TaskRecord record = it->second.record;
    // As TaskRepository's read computes it: the owner, or a share's permission.
    TaskReaders readers;
    readers.ownerId = record.task.ownerId;
    readers.shares = record.task.assignees;
    const std::optional<TaskAccess> access = readers.accessOf(userId);
    if (!access)
        return std::optional<TaskRecord>();
    record.access = *access;
    return std::optional<TaskRecord>(std::move(record));
}

void HeldTaskRows::flush(const Database &database)
{
    // Taken out first: the statements may fail, and the transaction is then rolled back.
    const std::map<qint64, Held> rows = std::exchange(m_rows, {});
    const TaskRepository tasks(database);
    for (const auto &[taskId, held] : rows) {
        if (!tasks.writeRow(held.record, held.storedVersion))
            throw DatabaseError(DatabaseError::Kind::Statement,
                                u"task %1 changed while its row was held back"_s.arg(taskId));
    }
}

} // namespace Tasklane
