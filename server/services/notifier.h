#pragma once

#include "task.h"

#include <QList>

namespace Tasklane {

class Database;

// Writes in-app notifications in the caller's transaction, for what happens to tasks: so that a
// notification exists exactly when what it tells of committed.
class Notifier
{
public:
    explicit Notifier(const Database &database) : m_database(database) { }

    // `task` was shared with `userId` (or their permission changed) by `actorId`.
    void taskShared(const Task &task, qint64 userId, qint64 actorId,
                    SharePermission permission) const;
    // `actorId` changed `task`: its owner and everyone it is shared with hear of it, but the
    // actor. `action` as the history has it (updated, completed, trashed...).
    void taskChanged(const Task &task, qint64 actorId, const QString &action,
                     const QList<FieldChange> &changes) const;
    // `blocker` is done: the owners of the tasks it blocked hear of it (each task once).
    void blockerDone(const Task &blocker) const;
    // A reminder went out to `userId` (ReminderJob).
    void reminder(const Task &task, qint64 userId, const QString &occurrence,
                  const QString &reminder, bool late) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
