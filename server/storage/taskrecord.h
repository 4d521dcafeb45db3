#pragma once

#include "task.h"

#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

// What a user may do with a task: read it (a viewer), change it (an editor), or everything
// (its owner). A user without any of these does not see the task at all.
enum class TaskAccess { View, Edit, Owner };

// A task row with what only the server needs.
struct TaskRecord
{
    Task task;
    // The first occurrence of a recurring task's series (COUNT counts from it), in the form of
    // its due: an RFC 3339 instant or a YYYY-MM-DD date. Empty when not recurring.
    QString seriesStart;
    TaskAccess access = TaskAccess::View; // the reading user's
};

// Who may read a task, and its version: enough to serve its cached JSON to a reader.
struct TaskReaders
{
    qint64 version = 0;
    qint64 ownerId = 0;
    QList<Assignee> shares;

    // What `userId` may do with the task, or nothing when they may not see it.
    std::optional<TaskAccess> accessOf(qint64 userId) const
    {
        if (userId == ownerId)
            return TaskAccess::Owner;
        for (const Assignee &share : shares) {
            if (share.userId == userId)
                return share.permission == SharePermission::Edit ? TaskAccess::Edit
                                                                 : TaskAccess::View;
        }
        return std::nullopt;
    }
};

} // namespace Tasklane
