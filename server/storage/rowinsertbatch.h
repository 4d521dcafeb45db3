#pragma once

#include "database.h"

#include <QByteArray>
#include <QSqlRecord>
#include <QString>
#include <QVariantList>

namespace Tasklane {

// Rows of one table held back until just before COMMIT (Database::PendingWrites) and inserted
// together in one statement, whatever their number: bound as one JSON array of rows, expanded
// by jsonb_array_elements on PostgreSQL and json_each on SQLite, in the order they were added.
// A repository derives one kind per table (pendingWrites<T> makes it with T's default
// constructor). Rows whose ids nobody waits for (a log line, a notification) need nothing more;
// a kind that must know what went in (rows skipped on a conflict, the ids given) adds a tail
// such as "ON CONFLICT DO NOTHING RETURNING ..." and receives the returned rows in inserted().
class RowInsertBatch : public Database::PendingWrites
{
public:
    struct Column
    {
        QString name;
        QString postgresType; // bigint, text, timestamptz...
    };

    // Values as the columns go: integers, text (timestamps as Database::bindTime gives them),
    // or null.
    void add(const QVariantList &values);
    void flush(const Database &database) override;

protected:
    RowInsertBatch(QString table, QList<Column> columns, QString tail = {});
    // The rows the tail's RETURNING gave, in no particular order (SQLite promises none); called
    // by flush() when there is a tail. It may hold writes of other kinds back: the transaction
    // flushes those after (Database::flushPendingWrites).
    virtual void inserted(const Database &database, const QList<QSqlRecord> &rows);

private:
    QString insertStatement(SqlDialect dialect) const;

    const QString m_table;
    const QList<Column> m_columns;
    const QString m_tail;
    QByteArray m_rows; // "[a,b,...],[...]": the JSON array's elements
    qsizetype m_count = 0;
};

} // namespace Tasklane
