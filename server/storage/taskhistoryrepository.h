#pragma once

#include "task.h"

#include <QList>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of task_history, the one log of task changes (and, later, of task events).
class TaskHistoryRepository
{
public:
    explicit TaskHistoryRepository(const Database &database) : m_database(database) { }

    // Appends a record in the caller's transaction: held back until just before COMMIT when
    // the transaction holds writes back (Database::pendingWrites), so that the records of a
    // shared commit take one statement. Records are numbered in the order they were appended.
    void append(const TaskHistoryRecord &record) const;
    // A record's changes as stored (a JSON array of {field, old, new}).
    static QString changesText(const QList<FieldChange> &changes);
    // The task's records with id > afterId, oldest first, at most `limit`.
    QList<TaskHistoryRecord> forTask(qint64 taskId, qint64 afterId, int limit) const;
    // Every record of these tasks (any number of ids), by task and then oldest first: a data
    // export's.
    QList<TaskHistoryRecord> forTasks(const QList<qint64> &taskIds) const;
    // Forgets a purged task's records (its purge record is appended afterwards), those held
    // back included.
    void removeForTask(qint64 taskId) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
