#include "ratelimitrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

int RateLimitRepository::hit(const QString &bucket, qint64 windowStart) const
{
    const auto row = m_database.fetchOne(
            u"INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (bucket, window_start) DO UPDATE "
            "SET hits = rate_limit_counters.hits + 1 RETURNING hits"_s,
            { bucket, windowStart });
    return row ? row->value(0).toInt() : 1;
}

int RateLimitRepository::purgeBefore(qint64 windowStart) const
{
    return m_database.execute(u"DELETE FROM rate_limit_counters WHERE window_start < ?"_s,
                              { windowStart });
}

} // namespace Tasklane
