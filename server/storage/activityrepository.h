#pragma once

#include "activity.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

namespace Tasklane {

class Database;

// All SQL of activity_log.
class ActivityRepository
{
public:
    explicit ActivityRepository(const Database &database) : m_database(database) { }

    // Appends an entry in the caller's transaction (or on its own without one): held back
    // until just before COMMIT when the transaction holds writes back, as task history is.
    void append(const ActivityEntry &entry) const;

    struct Filter
    {
        qint64 userId = 0; // whose entries (0: everyone's)
        qint64 actorId = 0; // by whom (0: anyone)
        QStringList actions; // any of these (empty: all)
        std::optional<bool> succeeded; // the outcome (nullopt: both)
        QDateTime since; // at or after (invalid: no bound)
        QDateTime until; // before (invalid: no bound)
    };
    // The entries `filter` selects with id < beforeId (0: from the newest), newest first, at
    // most `limit`.
    QList<ActivityEntry> list(const Filter &filter, qint64 beforeId, int limit) const;
    // Deletes those of the oldest `batch` entries (by id: the order they were written) made
    // before `before`; how many went. Reading no more than `batch` rows, it needs no index on
    // the time, which every write would pay for.
    int pruneOldest(const QDateTime &before, int batch) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
