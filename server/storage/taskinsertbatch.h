#pragma once

#include "database.h"

#include <QByteArray>

#include <functional>
#include <vector>

namespace Tasklane {

// New tasks, each with its tags, its blockers and its "created" history record, inserted on
// PostgreSQL in one statement however many they are. A create is then one statement alone, and
// the creates of a CommitGroup batch are one statement together (held back as the transaction's
// pending writes until just before COMMIT): a statement costs a round trip, an executor start
// and a wake-up of each side, about as much as the rows of several tasks.
//
// The task ids are drawn from the tasks' identity sequence by the statement itself, so that each
// row's id is known without relying on the order RETURNING gives rows in.
class TaskInsertBatch : public Database::PendingWrites
{
public:
    // One task: `fields` holds the members of its JSON object (no braces): the tasks table's
    // columns by name, "tags" and "blockers" (arrays), and "actor_id", "at", "action" and
    // "changes" for its history record (none without an action). `id` is set once inserted;
    // `ownerId` is told to the commit observers with the task.
    struct Row
    {
        QByteArray fields;
        qint64 ownerId = 0;
        qint64 *id = nullptr;
        std::function<void(qint64 id)> then; // run once the id is set, in the transaction
    };

    void add(Row row) { m_rows.push_back(std::move(row)); }
    // Inserts the rows added so far and sets their ids.
    void flush(const Database &database) override;

private:
    std::vector<Row> m_rows;
};

} // namespace Tasklane
