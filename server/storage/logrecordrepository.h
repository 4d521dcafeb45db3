#pragma once

#include "logrecord.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of log_records: the server's own log, kept for GET /admin/logs.
class LogRecordRepository
{
public:
    explicit LogRecordRepository(const Database &database) : m_database(database) { }

    // Inserts the records in one statement, in the caller's transaction.
    void append(const QList<LogRecord> &records) const;

    struct Filter
    {
        QStringList levels; // any of these (empty: all)
        QString category; // exactly
        QString requestId;
        qint64 userId = 0; // 0: anyone's
        QDateTime since; // at or after (invalid: no bound)
        QDateTime until; // before (invalid: no bound)
        QString text; // in the message, ASCII letters case-folded (empty: any)
    };
    // Where a page ended: the last record's time and id.
    struct Position
    {
        QDateTime at;
        qint64 id = 0;
    };
    // The records `filter` selects, after `after`, newest first (by time, then id), at most
    // `limit`.
    QList<LogRecord> list(const Filter &filter, const std::optional<Position> &after,
                          int limit) const;

    // Deletes up to `batch` of the oldest records written before `before`, or beyond the newest
    // `keep`; how many went. The cleanup calls it until fewer than `batch` go, so that no
    // transaction holds the database for long.
    int pruneOldest(const QDateTime &before, qint64 keep, int batch) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
