#pragma once

#include "database.h"

#include <QByteArray>
#include <QString>
#include <QVariantList>

namespace Tasklane {

// Rows of one table held back until just before COMMIT (Database::PendingWrites) and inserted
// together in one statement, whatever their number: bound as one JSON array of rows, expanded
// by jsonb_array_elements on PostgreSQL and json_each on SQLite, in the order they were added.
// For rows whose ids nobody waits for (a log line, a notification); a repository derives one
// kind per table (pendingWrites<T> makes it with T's default constructor).
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
    RowInsertBatch(QString table, QList<Column> columns);

private:
    QString insertStatement(SqlDialect dialect) const;

    const QString m_table;
    const QList<Column> m_columns;
    QByteArray m_rows; // "[a,b,...],[...]": the JSON array's elements
    qsizetype m_count = 0;
};

} // namespace Tasklane
