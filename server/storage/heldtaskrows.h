#pragma once

#include "database.h"
#include "taskrecord.h"

#include <map>
#include <optional>

namespace Tasklane {

// Task rows that changes in a CommitGroup batch rewrote, held back (Database::PendingWrites,
// readBack) so that several changes to one task in a shared commit write its row once: each
// later change reads the task from here rather than from the database, and only the last
// version is written, just before the transaction's next statement of any kind (which then
// sees it) or its COMMIT. The row's indexes, its search vector and its sort-move trigger are
// the costliest part of a change; a burst of changes to one task pays them once per commit.
//
// A row is held only while the transaction holds the task's row lock (TaskRepository::update
// checks it), so the version it was read at is still the stored one when it is written; the
// UPDATE checks it again all the same, and fails the batch (which then runs again, unit by unit,
// without holding anything) if it is not.
class HeldTaskRows final : public Database::PendingWrites
{
public:
    // Holds `record` as the task's row, replacing what was held for it; `storedVersion` is the
    // version the database has (the first held change's expected version is kept).
    void hold(const TaskRecord &record, qint64 storedVersion);
    // The held task as `userId` may see it (its access set), nullopt when they may not; no
    // value at all (the outer optional) when the task is not held.
    std::optional<std::optional<TaskRecord>> find(qint64 taskId, qint64 userId) const;

    void flush(const Database &database) override;
    bool readBack() const override { return true; }

private:
    struct Held
    {
        TaskRecord record;
        qint64 storedVersion = 0;
    };
    std::map<qint64, Held> m_rows; // by task id
};

} // namespace Tasklane
