#pragma once

#include "task.h"

#include <QString>

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

} // namespace Tasklane
