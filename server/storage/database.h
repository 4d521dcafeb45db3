#pragma once

#include "databaseconfig.h"
#include "databaseerror.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

#include <functional>
#include <memory>
#include <optional>
#include <typeinfo>
#include <vector>

namespace Tasklane {

// The one entry to SQL. Every thread that touches the database gets its own connection, opened
// on first use and closed when the thread ends (Qt's connections are thread-bound). Statements
// are prepared once per thread and bound with positional '?' parameters, never built from input.
// Every failure throws DatabaseError.
class Database
{
public:
    explicit Database(DatabaseConfig config);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    SqlDialect dialect() const { return m_config.dialect; }
    const DatabaseConfig &config() const { return m_config; }

    // This thread's open connection.
    QSqlDatabase connection() const;
    // Closes this thread's connection now (the others close when their threads end).
    void closeThreadConnection() const;

    // Whether a statement may run once more on a new connection when it fails because
    // PostgreSQL ended the thread's connection (a restart, idle connections dropped). Only the
    // caller knows: Safe is for statements that change nothing when repeated (plain reads), never
    // for a write, a lock or anything whose effect lives in the session. Inside a transaction
    // nothing is retried: the transaction went with the connection.
    enum class Retry { Never, Safe };

    std::optional<QSqlRecord> fetchOne(const QString &sql, const QVariantList &values = {},
                                       Retry retry = Retry::Never) const;
    QList<QSqlRecord> fetchAll(const QString &sql, const QVariantList &values = {},
                               Retry retry = Retry::Never) const;
    // Runs a statement; returns the number of rows it changed.
    int execute(const QString &sql, const QVariantList &values = {},
                Retry retry = Retry::Never) const;
    // Runs one unprepared statement (DDL from migrations).
    void executeRaw(const QString &sql) const;
    // Prepared statements kept per thread (least recently used ones are closed beyond it).
    static constexpr qsizetype MaxPreparedStatements = 256;
    // How many prepared statements this thread's connection keeps now (tests).
    qsizetype preparedStatementCount() const;
    // Whether this thread has a connection now (never opens one).
    bool hasThreadConnection() const;
    // Whether this thread's connection is inside a transaction (begun and not yet ended).
    bool inTransaction() const;

    // Transaction control, for Transaction. A connection found dead at BEGIN is replaced and
    // BEGIN tried once more: nothing has run in the transaction yet. BEGIN inside a transaction
    // fails (PostgreSQL would only warn, and the inner COMMIT would commit the outer one). A
    // connection lost inside a transaction is kept, refusing every statement, until rollback()
    // drops it, so that nothing runs outside the transaction the caller believes it is in.
    void begin() const;
    void commit() const;
    void rollback() const;

    // The places of an IN list of exactly `slots` items ("?, ?, ?"), with `items` appended to
    // `bound`, padded by repeating the last one: one statement text whatever the number of
    // items, so that the prepared-statement cache holds one shape instead of one per count.
    // `items` is not empty and has at most `slots` values.
    static QString inList(const QVariantList &items, qsizetype slots, QVariantList *bound);
    // fetchAll of `head` + an IN list + `tail` for any number of `items`: one statement per
    // `slots` of them (inList), each bound with `leading` first; the rows of all of them. For a
    // write (an UPDATE ... RETURNING), each chunk is a statement of the caller's transaction.
    QList<QSqlRecord> fetchAllIn(const QString &head, const QVariantList &leading,
                                 const QVariantList &items, const QString &tail,
                                 qsizetype slots = 64, Retry retry = Retry::Never) const;

    // What committed: a repository notes each row it changes, and once the transaction holding
    // the change has committed (or at once, outside a transaction) every observer hears of it,
    // before the writer's caller goes on, so that a cache can forget the row before the write is
    // acknowledged. A rollback drops the notes; a COMMIT that fails still reports them, since it
    // may have committed before the connection broke (forgetting is always safe).
    enum class Change {
        Task, // a task (by id) changed: its row, its lists, its shares
        TaskReader, // a user (by id) who can see a changed task, or could before the change
        Job, // a job was queued: the id is its run-at (ms since the epoch), for JobRunner::wake
        Event, // events of the real-time feed were written: the id is the greatest of them
        NotificationSettings, // a user (by id) saved their notification settings
    };
    using CommitObserver = std::function<void(Change, qint64 id)>;
    void noteChanged(Change change, qint64 id) const;
    // The ids this thread's open transaction noted as `change` (none outside one): what it reads
    // of those rows is not committed yet, and a cache must not keep it (it may roll back).
    QList<qint64> notedInTransaction(Change change) const;
    // Whether anyone hears of changes: a note that needs a query to make can be skipped when not.
    bool observesCommits() const { return !m_commitObservers.empty(); }
    // Set while wiring, before any thread uses the database.
    void addCommitObserver(CommitObserver observer);

    // Row locks this thread's open transaction took (SELECT ... FOR UPDATE) and a repository
    // noted, so as not to take them again: a second lock statement would cost a round trip for
    // nothing. A lock lasts until the transaction ends, or until a rollback to a savepoint made
    // before it (rollbackToSavepoint forgets them all, which only costs a lock taken again).
    enum class LockedRow { Task };
    void noteRowLocked(LockedRow row, qint64 id) const;
    bool holdsRowLock(LockedRow row, qint64 id) const;
    // ROLLBACK TO SAVEPOINT `name` (then still to be released), forgetting the row locks noted.
    void rollbackToSavepoint(const QString &name) const;

    // Writes a repository holds back until just before COMMIT, to make them together with those
    // of the other units of a shared commit (CommitGroup) in one statement: on PostgreSQL a
    // statement costs a round trip and an executor start, whatever its number of rows. A kind of
    // held-back write derives from PendingWrites; flush() makes every write it holds.
    //
    // A kind whose rows the transaction's own statements read (a task's row, rewritten by each
    // of several changes to it in one batch) says so with readBack(): it is made before every
    // other statement of the transaction runs (and before a SAVEPOINT, and discarded by a
    // rollback to one), so that each statement sees what it holds; until then its repository
    // answers reads of those rows from what it holds. Only the last write of a row is made.
    class PendingWrites
    {
    public:
        virtual ~PendingWrites() = default;
        virtual void flush(const Database &database) = 0;
        virtual bool readBack() const { return false; }
    };
    // This thread's transaction's held-back writes of kind T, made on first use; nullptr when
    // writes may not be held back now, and the repository writes at once. Only a CommitGroup
    // running several units in one transaction allows it (setHoldingWrites).
    template<class T>
    T *pendingWrites() const
    {
        return static_cast<T *>(pendingWrites(typeid(T), [] { return std::make_unique<T>(); }));
    }
    // Allows or forbids holding writes back in this thread's open transaction; a transaction
    // begins forbidding it.
    void setHoldingWrites(bool allowed) const;
    bool holdsWrites() const;
    // Makes what was held back, kind by kind in the order each was first used, then what those
    // flushes held back in turn (commit() does it first too). A failure leaves the transaction
    // to be rolled back, as any failed statement.
    void flushPendingWrites() const;

    // Timestamps go in as RFC 3339 UTC text, which both dialects store faithfully.
    static QVariant bindTime(const QDateTime &time);
    // A null QString binds as SQL NULL: this is the text, or '' for a NOT NULL column.
    static QString notNull(const QString &text)
    {
        return text.isNull() ? QStringLiteral("") : text;
    }
    static QDateTime readTime(const QVariant &value);

    // One thread's connection and its prepared statements (defined in database.cpp).
    struct ThreadConnection;

private:
    ThreadConnection &threadConnection() const;
    // threadConnection(), refusing one lost inside a transaction.
    ThreadConnection &usableConnection() const;
    // This thread's prepared statement for `sql`, bound and executed (left active for reading).
    QSqlQuery &runPrepared(const QString &sql, const QVariantList &values, Retry retry) const;
    QSqlQuery *tryRunPrepared(const QString &sql, const QVariantList &values,
                              QSqlError *error) const;
    bool tryExecuteRaw(const QString &sql, QSqlError *error) const;
    // Makes the held-back writes that statements must see (PendingWrites::readBack).
    void makeReadBackWrites(ThreadConnection &holder) const;
    void setInTransaction(bool open) const;
    // Reports the notes of this thread's transaction to the observers and clears them.
    void reportChanges() const;
    PendingWrites *pendingWrites(const std::type_info &kind,
                                 const std::function<std::unique_ptr<PendingWrites>()> &make) const;
    // What a failed statement means, from the driver's native code (databaseerror.h).
    DatabaseError::Kind classify(const QSqlError &error) const;
    // Throws the classified error. A lost connection is closed (reopened on next use), or,
    // inside a transaction, marked lost until the transaction ends.
    [[noreturn]] void fail(const QString &what, const QSqlError &error) const;

    DatabaseConfig m_config;
    quint64 m_serial;
    std::vector<CommitObserver> m_commitObservers;
};

// A transaction that rolls back unless commit() is called. On SQLite it takes the write lock at
// once (BEGIN IMMEDIATE) so that concurrent writers queue on the busy timeout instead of failing.
class Transaction
{
public:
    explicit Transaction(const Database &database);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    void commit();

private:
    const Database &m_database;
    bool m_open = true;
};

} // namespace Tasklane
