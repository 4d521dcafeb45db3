#include "logrecordrepository.h"

#include "database.h"
#include "rowinsertbatch.h"

#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

class LogInsertBatch final : public RowInsertBatch
{
public:
    LogInsertBatch()
        : RowInsertBatch(u"log_records"_s,
                         { { u"at"_s, u"timestamptz"_s },
                           { u"level"_s, u"text"_s },
                           { u"category"_s, u"text"_s },
                           { u"message"_s, u"text"_s },
                           { u"request_id"_s, u"text"_s },
                           { u"user_id"_s, u"bigint"_s },
                           { u"source"_s, u"text"_s },
                           { u"details"_s, u"text"_s } })
    { }
};

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

// `text` as a LIKE pattern that matches it literally anywhere ('\' escapes).
QString containing(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', u"\\\\"_s);
    escaped.replace(u'%', u"\\%"_s);
    escaped.replace(u'_', u"\\_"_s);
    return u'%' + escaped + u'%';
}

} // namespace

void LogRecordRepository::append(const QList<LogRecord> &records) const
{
    if (records.isEmpty())
        return;
    LogInsertBatch batch;
    for (const LogRecord &record : records) {
        batch.add({ Database::bindTime(record.at), record.level, record.category, record.message,
                    textOrNull(record.requestId),
                    record.userId > 0 ? QVariant(record.userId)
                                      : QVariant(QMetaType::fromType<qint64>()),
                    record.source,
                    QString::fromUtf8(
                            QJsonDocument(record.details).toJson(QJsonDocument::Compact)) });
    }
    batch.flush(m_database);
}

QList<LogRecord> LogRecordRepository::list(const Filter &filter,
                                           const std::optional<Position> &after, int limit) const
{
    QString sql = u"SELECT id, at, level, category, message, request_id, user_id, source, details "
                  "FROM log_records WHERE 1 = 1"_s;
    QVariantList values;
    if (!filter.levels.isEmpty()) {
        sql += u" AND level IN ("_s;
        for (qsizetype i = 0; i < filter.levels.size(); ++i) {
            sql += i ? u", ?"_s : u"?"_s;
            values.append(filter.levels.at(i));
        }
        sql += u')';
    }
    if (!filter.category.isEmpty()) {
        sql += u" AND category = ?"_s;
        values.append(filter.category);
    }
    if (!filter.requestId.isEmpty()) {
        sql += u" AND request_id = ?"_s;
        values.append(filter.requestId);
    }
    if (filter.userId > 0) {
        sql += u" AND user_id = ?"_s;
        values.append(filter.userId);
    }
    if (filter.since.isValid()) {
        sql += u" AND at >= ?"_s;
        values.append(Database::bindTime(filter.since));
    }
    if (filter.until.isValid()) {
        sql += u" AND at < ?"_s;
        values.append(Database::bindTime(filter.until));
    }
    if (!filter.text.isEmpty()) {
        // Case-insensitive: SQLite's LIKE folds ASCII letters, PostgreSQL's ILIKE every letter
        // its locale knows.
        sql += m_database.dialect() == SqlDialect::Postgres ? u" AND message ILIKE ? ESCAPE '\\'"_s
                                                            : u" AND message LIKE ? ESCAPE '\\'"_s;
        values.append(containing(filter.text));
    }
    if (after) {
        // A row value comparison: both databases walk the (at, id) indexes from there.
        sql += u" AND (at, id) < (?, ?)"_s;
        values.append(Database::bindTime(after->at));
        values.append(after->id);
    }
    sql += u" ORDER BY at DESC, id DESC LIMIT ?"_s;
    values.append(limit);
    QList<LogRecord> records;
    const QList<QSqlRecord> rows = m_database.fetchAll(sql, values, Database::Retry::Safe);
    for (const QSqlRecord &row : rows) {
        LogRecord record;
        record.id = row.value(0).toLongLong();
        record.at = Database::readTime(row.value(1));
        record.level = row.value(2).toString();
        record.category = row.value(3).toString();
        record.message = row.value(4).toString();
        record.requestId = row.value(5).toString();
        record.userId = row.value(6).toLongLong();
        record.source = row.value(7).toString();
        record.details = QJsonDocument::fromJson(row.value(8).toString().toUtf8()).object();
        records.append(record);
    }
    return records;
}

int LogRecordRepository::pruneOldest(const QDateTime &before, qint64 keep, int batch) const
{
    // The oldest `batch` rows by id only (the subquery reads no more than that), of which those
    // too old or beyond the newest `keep` go: ids follow the order records were stored.
    return m_database.execute(
            u"DELETE FROM log_records WHERE id IN (SELECT id FROM (SELECT id, at FROM log_records "
            "ORDER BY id LIMIT ?) AS oldest WHERE at < ? OR id <= (SELECT COALESCE(max(id), 0) "
            "FROM log_records) - ?)"_s,
            { batch, Database::bindTime(before), keep });
}

} // namespace Tasklane
