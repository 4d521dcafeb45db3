#include "database.h"

#include "databaseerror.h"

#include <QAtomicInteger>
#include <QHash>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <map>
#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDatabase, "tasklane.db")

namespace Tasklane {

namespace {
QAtomicInteger<quint64> s_nextSerial{ 1 };
}

struct Database::ThreadConnection
{
    QString name;
    QHash<QString, QSqlQuery> statements;
    bool inTransaction = false;

    ~ThreadConnection()
    {
        statements.clear();
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
};

namespace {
// Keyed by Database serial: a thread may talk to more than one database (tests do).
thread_local std::map<quint64, std::unique_ptr<Database::ThreadConnection>> t_connections;
} // namespace

Database::Database(DatabaseConfig config)
    : m_config(std::move(config)), m_serial(s_nextSerial.fetchAndAddRelaxed(1))
{ }

Database::~Database()
{
    closeThreadConnection();
}

void Database::closeThreadConnection() const
{
    t_connections.erase(m_serial);
}

Database::ThreadConnection &Database::threadConnection() const
{
    auto it = t_connections.find(m_serial);
    if (it != t_connections.end())
        return *it->second;

    const QString name = u"tasklane-%1-%2"_s.arg(m_serial).arg(
            reinterpret_cast<quintptr>(QThread::currentThreadId()));
    auto holder = std::make_unique<ThreadConnection>();
    holder->name = name;
    QSqlDatabase db
            = QSqlDatabase::addDatabase(m_config.isPostgres() ? u"QPSQL"_s : u"QSQLITE"_s, name);
    if (m_config.isPostgres()) {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.name);
        db.setConnectOptions(m_config.connectOptions);
    } else {
        db.setDatabaseName(m_config.sqlitePath);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    }
    if (!db.open()) {
        const QString message = db.lastError().text();
        db = QSqlDatabase();
        holder.reset(); // removes the failed connection
        throw DatabaseError(DatabaseError::Kind::Connection,
                            u"cannot open %1: %2"_s.arg(m_config.describe(), message));
    }
    if (!m_config.isPostgres()) {
        // Per-connection settings; journal_mode=WAL persists in the file once set.
        for (const QString &pragma : { u"PRAGMA journal_mode=WAL"_s, u"PRAGMA foreign_keys=ON"_s,
                                       u"PRAGMA busy_timeout=5000"_s }) {
            QSqlQuery query(db);
            if (!query.exec(pragma)) {
                const QSqlError error = query.lastError();
                query = QSqlQuery();
                db = QSqlDatabase();
                holder.reset();
                fail(pragma, error);
            }
        }
    } else {
        QSqlQuery query(db);
        query.exec(u"SET TIME ZONE 'UTC'"_s);
        // Notices (CREATE TABLE IF NOT EXISTS ... skipping) would reach stderr through libpq's
        // default handler, outside the JSON log.
        query.exec(u"SET client_min_messages = warning"_s);
    }
    auto &slot = t_connections[m_serial];
    slot = std::move(holder);
    return *slot;
}

QSqlDatabase Database::connection() const
{
    return QSqlDatabase::database(threadConnection().name, false);
}

bool Database::isLost(const QSqlError &error) const
{
    if (error.type() == QSqlError::ConnectionError)
        return true;
    // The driver reports a connection PostgreSQL terminated (SQLSTATE class 08, or 57P01-57P03:
    // shutdown, crash, cannot connect now) as a plain statement error on an open connection.
    const QString state = error.nativeErrorCode();
    return m_config.isPostgres()
            && (state.startsWith("08"_L1) || state == "57P01"_L1 || state == "57P02"_L1
                || state == "57P03"_L1 || !connection().isOpen());
}

void Database::fail(const QString &what, const QSqlError &error) const
{
    // SQLSTATE 23505 on PostgreSQL; on SQLite Qt reports only the primary code (19, any
    // constraint), and as a ConnectionError at that, so the message tells a unique index apart.
    const bool unique = m_config.isPostgres()
            ? error.nativeErrorCode() == "23505"_L1
            : error.databaseText().startsWith("UNIQUE constraint failed"_L1);
    const bool lost = !unique && isLost(error);
    if (lost)
        closeThreadConnection(); // reconnect on next use
    const auto kind = lost ? DatabaseError::Kind::Connection
            : unique       ? DatabaseError::Kind::UniqueViolation
                           : DatabaseError::Kind::Statement;
    // The statement's text is ours (no values are ever spliced in), so it is safe to log.
    throw DatabaseError(kind, u"%1 failed: %2"_s.arg(what.simplified().left(200), error.text()));
}

bool Database::inTransaction() const
{
    const auto it = t_connections.find(m_serial);
    return it != t_connections.end() && it->second->inTransaction;
}

void Database::setInTransaction(bool open) const
{
    if (const auto it = t_connections.find(m_serial); it != t_connections.end())
        it->second->inTransaction = open;
}

namespace {
QSqlQuery &preparedStatement(Database::ThreadConnection &connection, const QSqlDatabase &db,
                             const QString &sql, bool *ok, QSqlError *error)
{
    auto it = connection.statements.find(sql);
    if (it == connection.statements.end()) {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        *ok = query.prepare(sql);
        if (!*ok) {
            *error = query.lastError();
            static QSqlQuery invalid;
            return invalid;
        }
        it = connection.statements.insert(sql, std::move(query));
    }
    *ok = true;
    return *it;
}
} // namespace

std::optional<QSqlRecord> Database::fetchOne(const QString &sql, const QVariantList &values) const
{
    const QList<QSqlRecord> rows = fetchAll(sql, values);
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

QSqlQuery *Database::tryRunPrepared(const QString &sql, const QVariantList &values,
                                    QSqlError *error) const
{
    ThreadConnection &holder = threadConnection();
    bool ok = false;
    QSqlQuery &query = preparedStatement(holder, connection(), sql, &ok, error);
    if (!ok)
        return nullptr;
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec()) {
        *error = query.lastError();
        query.finish();
        return nullptr;
    }
    return &query;
}

QSqlQuery &Database::runPrepared(const QString &sql, const QVariantList &values) const
{
    QSqlError error;
    if (QSqlQuery *query = tryRunPrepared(sql, values, &error))
        return *query;
    const bool read = sql.trimmed().startsWith("SELECT"_L1, Qt::CaseInsensitive);
    // Only PostgreSQL connections die under us (SQLite reports constraint failures and a busy
    // file as connection errors too, and a new connection would not help with either).
    if (read && m_config.isPostgres() && !inTransaction() && isLost(error)) {
        closeThreadConnection();
        if (QSqlQuery *query = tryRunPrepared(sql, values, &error))
            return *query;
    }
    fail(sql, error);
}

QList<QSqlRecord> Database::fetchAll(const QString &sql, const QVariantList &values) const
{
    QSqlQuery &query = runPrepared(sql, values);
    QList<QSqlRecord> rows;
    while (query.next())
        rows.append(query.record());
    query.finish();
    return rows;
}

int Database::execute(const QString &sql, const QVariantList &values) const
{
    QSqlQuery &query = runPrepared(sql, values);
    const int changed = query.numRowsAffected();
    query.finish();
    return changed;
}

bool Database::tryExecuteRaw(const QString &sql, QSqlError *error) const
{
    QSqlQuery query(connection());
    if (query.exec(sql))
        return true;
    *error = query.lastError();
    return false;
}

void Database::executeRaw(const QString &sql) const
{
    QSqlError error;
    if (!tryExecuteRaw(sql, &error))
        fail(sql, error);
}

void Database::begin() const
{
    const QString sql = dialect() == SqlDialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s;
    QSqlError error;
    if (!tryExecuteRaw(sql, &error)) {
        if (!m_config.isPostgres() || !isLost(error))
            fail(sql, error);
        closeThreadConnection();
        if (!tryExecuteRaw(sql, &error))
            fail(sql, error);
    }
    setInTransaction(true);
}

void Database::commit() const
{
    setInTransaction(false);
    executeRaw(u"COMMIT"_s);
}

void Database::rollback() const
{
    setInTransaction(false);
    executeRaw(u"ROLLBACK"_s);
}

QVariant Database::bindTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime Database::readTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.metaType().id() == QMetaType::QDateTime)
        return value.toDateTime().toUTC();
    const QString text = value.toString();
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid()) // PostgreSQL text form: "2026-11-24 14:53:22.123+00"
        time = QDateTime::fromString(QString(text).replace(u' ', u'T'), Qt::ISODateWithMs);
    return time.toUTC();
}

Transaction::Transaction(const Database &database) : m_database(database)
{
    m_database.begin();
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    try {
        m_database.rollback();
    } catch (const DatabaseError &error) {
        qCWarning(lcDatabase, "rollback failed: %s", error.what());
    }
}

void Transaction::commit()
{
    m_database.commit();
    m_open = false; // a failed COMMIT (SQLite: still busy) is rolled back by the destructor
}

} // namespace Tasklane
