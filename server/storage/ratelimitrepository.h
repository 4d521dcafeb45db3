#pragma once

#include <QString>

namespace Tasklane {

class Database;

// All SQL of the rate_limit_counters table: hits per bucket per fixed window, shared by every
// process on the database.
class RateLimitRepository
{
public:
    explicit RateLimitRepository(const Database &database) : m_database(database) { }

    // Counts one hit of `bucket` in the window starting at `windowStart` (seconds since the
    // epoch); the window's hits so far, this one included. One statement, committed on its
    // own: concurrent hits from several processes all count.
    int hit(const QString &bucket, qint64 windowStart) const;
    // Deletes the counts of windows that started before `windowStart`; how many went.
    int purgeBefore(qint64 windowStart) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
