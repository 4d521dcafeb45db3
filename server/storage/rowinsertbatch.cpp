#include "rowinsertbatch.h"

#include "jsontext.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

RowInsertBatch::RowInsertBatch(QString table, QList<Column> columns, QString tail)
    : m_table(std::move(table)), m_columns(std::move(columns)), m_tail(std::move(tail))
{ }

void RowInsertBatch::inserted(const Database &, const QList<QSqlRecord> &) { }

void RowInsertBatch::add(const QVariantList &values)
{
    Q_ASSERT(values.size() == m_columns.size());
    m_rows += m_count++ == 0 ? "[" : ",[";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            m_rows += ',';
        const QVariant &value = values.at(i);
        if (value.isNull()) {
            m_rows += "null";
            continue;
        }
        switch (value.metaType().id()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong: JsonText::appendInteger(m_rows, value.toLongLong()); break;
        case QMetaType::Bool: m_rows += value.toBool() ? "1" : "0"; break;
        default: JsonText::appendString(m_rows, value.toString());
        }
    }
    m_rows += ']';
}

QString RowInsertBatch::insertStatement(SqlDialect dialect) const
{
    QStringList names;
    QStringList values;
    for (qsizetype i = 0; i < m_columns.size(); ++i) {
        names.append(m_columns.at(i).name);
        if (dialect == SqlDialect::Postgres)
            values.append(u"CAST(r.value ->> %1 AS %2)"_s.arg(i).arg(m_columns.at(i).postgresType));
        else
            values.append(u"json_extract(r.value, '$[%1]')"_s.arg(i));
    }
    const QString rows = dialect == SqlDialect::Postgres
            ? u"jsonb_array_elements(CAST(? AS jsonb)) WITH ORDINALITY AS r (value, n)"_s
            : u"json_each(?) AS r"_s;
    const QString order = dialect == SqlDialect::Postgres ? u"r.n"_s : u"r.key"_s;
    // "WHERE true": SQLite could read an ON CONFLICT right after the FROM as a join's ON.
    QString statement = u"INSERT INTO %1 (%2) SELECT %3 FROM %4 WHERE true ORDER BY %5"_s.arg(
            m_table, names.join(u", "_s), values.join(u", "_s), rows, order);
    if (!m_tail.isEmpty())
        statement += u' ' + m_tail;
    return statement;
}

void RowInsertBatch::flush(const Database &database)
{
    if (m_count == 0)
        return;
    const QByteArray rows = '[' + m_rows + ']';
    m_rows.clear();
    m_count = 0;
    if (m_tail.isEmpty()) {
        database.execute(insertStatement(database.dialect()), { QString::fromUtf8(rows) });
        return;
    }
    inserted(database,
             database.fetchAll(insertStatement(database.dialect()), { QString::fromUtf8(rows) }));
}

} // namespace Tasklane
