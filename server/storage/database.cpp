#include "database.h"

#include "databaseerror.h"
#include "user.h"

#include <QAtomicInteger>
#include <QHash>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <map>
#include <memory>
#include <typeindex>
#include <unordered_map>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDatabase, "tasklane.db")

namespace Tasklane {

namespace {
QAtomicInteger<quint64> s_nextSerial{ 1 };
}

struct Database::ThreadConnection
{
    QString name;
    // Prepared statements by their text, each with when it was last used. Bounded: listings
    // build their statements from fragments, and the combinations of filters a client can ask
    // for must not grow this without limit.
    struct Statement
    {
        QSqlQuery query;
        quint64 lastUse = 0;
    };
    std::unordered_map<QString, Statement> statements; // never copied, unlike a QHash
    quint64 uses = 0;
    bool inTransaction = false;
    // The connection died inside a transaction: kept, refusing statements, until rollback().
    bool lost = false;
    // Rows the open transaction changed (noteChanged), reported after it commits.
    std::vector<std::pair<Database::Change, qint64>> changes;
    // Writes the open transaction holds back until COMMIT, by kind (see Database::PendingWrites).
    bool holdingWrites = false;
    std::vector<std::pair<std::type_index, std::unique_ptr<Database::PendingWrites>>> pending;
    // Held-back writes that the transaction's statements must see (PendingWrites::readBack):
    // kept apart, made before every other statement; `makingReadBack` while that runs.
    std::vector<std::pair<std::type_index, std::unique_ptr<Database::PendingWrites>>> readBack;
    bool makingReadBack = false;
    // Row locks the open transaction holds (noteRowLocked): few, a vector is the fastest set.
    std::vector<std::pair<Database::LockedRow, qint64>> rowLocks;

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

qsizetype Database::preparedStatementCount() const
{
    const auto it = t_connections.find(m_serial);
    return it == t_connections.end() ? 0 : it->second->statements.size();
}

bool Database::hasThreadConnection() const
{
    return t_connections.find(m_serial) != t_connections.end();
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
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(m_config.busyTimeoutMs));
    }
    if (!db.open()) {
        const QString message = db.lastError().text();
        db = QSqlDatabase();
        holder.reset(); // removes the failed connection
        throw DatabaseError(DatabaseError::Kind::Connection,
                            u"cannot open %1: %2"_s.arg(m_config.describe(), message));
    }
    if (!m_config.isPostgres()) {
        // Per-connection settings; journal_mode=WAL persists in the file once set. A write is
        // acknowledged only once durable: synchronous=FULL syncs the WAL at every commit, where
        // NORMAL (some builds' default in WAL mode) could lose the last commits to a power cut.
        for (const QString &pragma :
             { u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s,
               u"PRAGMA foreign_keys=ON"_s, u"PRAGMA busy_timeout=%1"_s.arg(m_config.busyTimeoutMs),
               u"PRAGMA mmap_size=%1"_s.arg(m_config.mmapBytes) }) {
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

Database::ThreadConnection &Database::usableConnection() const
{
    ThreadConnection &holder = threadConnection();
    if (holder.lost)
        throw DatabaseError(
                DatabaseError::Kind::Connection,
                u"the connection to %1 was lost inside a transaction"_s.arg(m_config.describe()));
    return holder;
}

QSqlDatabase Database::connection() const
{
    return QSqlDatabase::database(threadConnection().name, false);
}

namespace {
using Kind = DatabaseError::Kind;

// QSQLITE reports every failed step as a ConnectionError whatever happened, with SQLite's
// extended result code as the native code (Qt 6.4 turns extended codes on), so only the code
// tells a busy file from a broken constraint or a failing disk.
Kind sqliteKind(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    if (!ok)
        return Kind::Statement;
    switch (code & 0xff) { // the primary result code
    case 5: // SQLITE_BUSY: another connection writes, beyond the busy timeout
    case 6: // SQLITE_LOCKED
        return Kind::Busy;
    case 19: // SQLITE_CONSTRAINT
        return code == 2067 /* _UNIQUE */ || code == 1555 /* _PRIMARYKEY */
                ? Kind::UniqueViolation
                : Kind::Constraint;
    case 7: // SQLITE_NOMEM
    case 8: // SQLITE_READONLY: the file or its folder is no longer writable
    case 10: // SQLITE_IOERR
    case 11: // SQLITE_CORRUPT
    case 13: // SQLITE_FULL
    case 14: // SQLITE_CANTOPEN: the WAL or a temporary file
    case 26: // SQLITE_NOTADB
        return Kind::Storage;
    default: return Kind::Statement;
    }
}

// By SQLSTATE. The driver reports a connection PostgreSQL terminated (class 08, or
// 57P01-57P03: shutdown, crash, cannot connect now) as a plain statement error.
Kind postgresKind(const QSqlError &error)
{
    const QString state = error.nativeErrorCode();
    if (error.type() == QSqlError::ConnectionError || state.startsWith("08"_L1)
        || state == "57P01"_L1 || state == "57P02"_L1 || state == "57P03"_L1)
        return Kind::Connection;
    if (state == "23505"_L1)
        return Kind::UniqueViolation;
    if (state.startsWith("23"_L1))
        return Kind::Constraint;
    // Serialization failure, deadlock, lock not available: another transaction won; a new
    // attempt may succeed.
    if (state == "40001"_L1 || state == "40P01"_L1 || state == "55P03"_L1)
        return Kind::Busy;
    // Disk full, I/O or system error, corrupt data or index.
    if (state == "53100"_L1 || state.startsWith("58"_L1) || state == "XX001"_L1
        || state == "XX002"_L1)
        return Kind::Storage;
    return Kind::Statement;
}
} // namespace

DatabaseError::Kind Database::classify(const QSqlError &error) const
{
    // A connection the driver itself closed is lost whatever the error says.
    if (const auto it = t_connections.find(m_serial);
        it != t_connections.end() && !QSqlDatabase::database(it->second->name, false).isOpen())
        return Kind::Connection;
    return m_config.isPostgres() ? postgresKind(error) : sqliteKind(error);
}

void Database::fail(const QString &what, const QSqlError &error) const
{
    const Kind kind = classify(error);
    if (kind == Kind::Connection) {
        // Outside a transaction, reconnect on next use. Inside one, a new connection would run
        // the rest of the transaction's statements (and its ROLLBACK) outside it.
        if (inTransaction())
            t_connections[m_serial]->lost = true;
        else
            closeThreadConnection();
    }
    // The statement's text is ours (no values are ever spliced in), so it is safe to log.
    const QString message = u"%1 failed: %2"_s.arg(what.simplified().left(200), error.text());
    throw DatabaseError(kind,
                        kind == Kind::Storage
                                ? u"the database storage failed (I/O error, corruption or a "
                                  "full disk): "_s
                                        + message
                                : message);
}

bool Database::inTransaction() const
{
    const auto it = t_connections.find(m_serial);
    return it != t_connections.end() && it->second->inTransaction;
}

void Database::setInTransaction(bool open) const
{
    if (const auto it = t_connections.find(m_serial); it != t_connections.end()) {
        it->second->inTransaction = open;
        it->second->holdingWrites = false;
        it->second->pending.clear();
        it->second->readBack.clear();
        it->second->rowLocks.clear();
    }
}

void Database::noteRowLocked(LockedRow row, qint64 id) const
{
    if (const auto it = t_connections.find(m_serial);
        it != t_connections.end() && it->second->inTransaction && !holdsRowLock(row, id))
        it->second->rowLocks.emplace_back(row, id);
}

bool Database::holdsRowLock(LockedRow row, qint64 id) const
{
    const auto it = t_connections.find(m_serial);
    if (it == t_connections.end() || !it->second->inTransaction)
        return false;
    const auto &locks = it->second->rowLocks;
    return std::find(locks.begin(), locks.end(), std::pair(row, id)) != locks.end();
}

void Database::rollbackToSavepoint(const QString &name) const
{
    // Forgotten first: should the statement fail, the transaction is as good as lost anyway.
    if (const auto it = t_connections.find(m_serial); it != t_connections.end()) {
        it->second->rowLocks.clear();
        // Made before the SAVEPOINT (tryExecuteRaw): what is held now came after it.
        it->second->readBack.clear();
    }
    executeRaw(u"ROLLBACK TO SAVEPOINT "_s + name);
}

void Database::setHoldingWrites(bool allowed) const
{
    if (const auto it = t_connections.find(m_serial); it != t_connections.end())
        it->second->holdingWrites = allowed && it->second->inTransaction;
}

bool Database::holdsWrites() const
{
    const auto it = t_connections.find(m_serial);
    return it != t_connections.end() && it->second->holdingWrites;
}

Database::PendingWrites *
Database::pendingWrites(const std::type_info &kind,
                        const std::function<std::unique_ptr<PendingWrites>()> &make) const
{
    const auto it = t_connections.find(m_serial);
    if (it == t_connections.end() || !it->second->holdingWrites)
        return nullptr;
    for (auto *list : { &it->second->readBack, &it->second->pending }) {
        for (const auto &[held, writes] : *list) {
            if (held == std::type_index(kind))
                return writes.get();
        }
    }
    std::unique_ptr<PendingWrites> made = make();
    auto &list = made->readBack() ? it->second->readBack : it->second->pending;
    list.emplace_back(std::type_index(kind), std::move(made));
    return list.back().second.get();
}

void Database::makeReadBackWrites(ThreadConnection &holder) const
{
    if (holder.readBack.empty() || holder.makingReadBack)
        return;
    // Its statements run through here too: they must not start it again.
    holder.makingReadBack = true;
    const auto done = qScopeGuard([&holder] { holder.makingReadBack = false; });
    for (const auto &[kind, writes] : holder.readBack)
        writes->flush(*this);
}

void Database::flushPendingWrites() const
{
    // Rounds: a flush may hold writes of other kinds back (rows that wait for the ids of
    // those it inserted), which the next round makes.
    for (;;) {
        const auto it = t_connections.find(m_serial);
        if (it == t_connections.end())
            return;
        makeReadBackWrites(*it->second);
        if (it->second->pending.empty())
            return;
        // Taken out first: a flush runs statements, which may fail and drop the connection.
        const auto pending = std::exchange(it->second->pending, {});
        for (const auto &[kind, writes] : pending)
            writes->flush(*this);
    }
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
        if (connection.statements.size() >= Database::MaxPreparedStatements) {
            // Evict the least recently used; a scan of a few hundred entries, and only when
            // a statement is new.
            auto oldest = connection.statements.begin();
            for (auto candidate = connection.statements.begin();
                 candidate != connection.statements.end(); ++candidate) {
                if (candidate->second.lastUse < oldest->second.lastUse)
                    oldest = candidate;
            }
            connection.statements.erase(oldest);
        }
        it = connection.statements
                     .emplace(sql, Database::ThreadConnection::Statement{ std::move(query), 0 })
                     .first;
    }
    it->second.lastUse = ++connection.uses;
    *ok = true;
    return it->second.query;
}
} // namespace

std::optional<QSqlRecord> Database::fetchOne(const QString &sql, const QVariantList &values,
                                             Retry retry) const
{
    const QList<QSqlRecord> rows = fetchAll(sql, values, retry);
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

QSqlQuery *Database::tryRunPrepared(const QString &sql, const QVariantList &values,
                                    QSqlError *error) const
{
    ThreadConnection &holder = usableConnection();
    makeReadBackWrites(holder);
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

QSqlQuery &Database::runPrepared(const QString &sql, const QVariantList &values, Retry retry) const
{
    QSqlError error;
    if (QSqlQuery *query = tryRunPrepared(sql, values, &error))
        return *query;
    if (retry == Retry::Safe && !inTransaction() && classify(error) == Kind::Connection) {
        closeThreadConnection();
        if (QSqlQuery *query = tryRunPrepared(sql, values, &error))
            return *query;
    }
    fail(sql, error);
}

QList<QSqlRecord> Database::fetchAll(const QString &sql, const QVariantList &values,
                                     Retry retry) const
{
    QSqlQuery &query = runPrepared(sql, values, retry);
    QList<QSqlRecord> rows;
    while (query.next())
        rows.append(query.record());
    // A row that fails to compute ends the loop as the last row would: without this check a
    // failed read looks like fewer rows, or none ("not found").
    const QSqlError error = query.lastError();
    query.finish();
    if (error.isValid())
        fail(sql, error);
    return rows;
}

int Database::execute(const QString &sql, const QVariantList &values, Retry retry) const
{
    QSqlQuery &query = runPrepared(sql, values, retry);
    const int changed = query.numRowsAffected();
    query.finish();
    return changed;
}

bool Database::tryExecuteRaw(const QString &sql, QSqlError *error) const
{
    ThreadConnection &holder = usableConnection();
    // Before a SAVEPOINT too. (rollback() and rollbackToSavepoint() drop them first.)
    makeReadBackWrites(holder);
    QSqlQuery query(QSqlDatabase::database(holder.name, false));
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
    if (inTransaction())
        throw DatabaseError(Kind::Statement, u"BEGIN inside a transaction"_s);
    QSqlError error;
    if (!tryExecuteRaw(sql, &error)) {
        if (classify(error) != Kind::Connection)
            fail(sql, error);
        closeThreadConnection();
        if (!tryExecuteRaw(sql, &error))
            fail(sql, error);
    }
    setInTransaction(true);
}

void Database::commit() const
{
    // Still in the transaction until COMMIT succeeds: a failed one (SQLite: still busy) is
    // rolled back by Transaction, and a lost connection is marked lost, not replaced.
    flushPendingWrites(); // a failure here leaves the transaction open, to be rolled back
    try {
        executeRaw(u"COMMIT"_s);
    } catch (...) {
        reportChanges();
        throw;
    }
    setInTransaction(false);
    reportChanges();
}

void Database::noteChanged(Change change, qint64 id) const
{
    if (m_commitObservers.empty())
        return;
    if (!inTransaction()) {
        for (const CommitObserver &observer : m_commitObservers)
            observer(change, id);
        return;
    }
    threadConnection().changes.emplace_back(change, id);
}

QList<qint64> Database::notedInTransaction(Change change) const
{
    QList<qint64> ids;
    const auto it = t_connections.find(m_serial);
    if (it == t_connections.end() || !it->second->inTransaction)
        return ids;
    for (const auto &[noted, id] : it->second->changes) {
        if (noted == change)
            ids.append(id);
    }
    return ids;
}

void Database::addCommitObserver(CommitObserver observer)
{
    m_commitObservers.push_back(std::move(observer));
}

void Database::reportChanges() const
{
    const auto it = t_connections.find(m_serial);
    if (it == t_connections.end() || it->second->changes.empty())
        return;
    const auto changes = std::exchange(it->second->changes, {});
    for (const auto &[change, id] : changes) {
        for (const CommitObserver &observer : m_commitObservers)
            observer(change, id);
    }
}

void Database::rollback() const
{
    const auto it = t_connections.find(m_serial);
    if (it == t_connections.end())
        return; // the connection is gone, and its transaction with it
    it->second->changes.clear();
    it->second->pending.clear();
    it->second->holdingWrites = false;
    if (it->second->lost) {
        closeThreadConnection(); // the server ended the transaction with the connection
        return;
    }
    setInTransaction(false);
    executeRaw(u"ROLLBACK"_s);
}

QString Database::inList(const QVariantList &items, qsizetype slots, QVariantList *bound)
{
    Q_ASSERT(!items.isEmpty() && items.size() <= slots);
    QString places;
    places.reserve(slots * 3);
    for (qsizetype i = 0; i < slots; ++i) {
        places += i == 0 ? u"?"_s : u", ?"_s;
        bound->append(items.at(std::min(i, items.size() - 1)));
    }
    return places;
}

QList<QSqlRecord> Database::fetchAllIn(const QString &head, const QVariantList &leading,
                                       const QVariantList &items, const QString &tail,
                                       qsizetype slots, Retry retry) const
{
    QList<QSqlRecord> rows;
    for (qsizetype start = 0; start < items.size(); start += slots) {
        QVariantList bound = leading;
        const QString places = inList(items.mid(start, slots), slots, &bound);
        rows += fetchAll(head + places + tail, bound, retry);
    }
    return rows;
}

QVariant Database::bindTime(const QDateTime &time)
{
    // toApiTimestamp writes what QDateTime::toString(Qt::ISODateWithMs) does for UTC, faster.
    return time.isValid() ? toApiTimestamp(time) : time.toUTC().toString(Qt::ISODateWithMs);
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
