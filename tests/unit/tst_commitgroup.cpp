// CommitGroup on SQLite and, when the test command provides one, on PostgreSQL: units that
// threads submit together share a transaction and return once it committed, a unit that fails
// is rolled back alone, a batch that cannot commit fails every unit in it, and a thread already
// in a transaction, or alone, is never kept waiting for others.
#include "apierror.h"
#include "commitgroup.h"
#include "database.h"
#include "databaseerror.h"
#include "scratchdatabase.h"

#include <QCoreApplication>
#include <QTest>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;
using Kind = DatabaseError::Kind;

namespace {
const QString InsertItem = u"INSERT INTO items (id, owner, n) VALUES (?, ?, ?)"_s;

void createTables(const Database &database)
{
    database.executeRaw(u"CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, "
                        "n INTEGER NOT NULL)"_s);
    database.executeRaw(u"CREATE TABLE parents (id INTEGER PRIMARY KEY)"_s);
    database.executeRaw(u"CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT "
                        "NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"_s);
}

void insertItem(const Database &database, int id)
{
    database.execute(InsertItem, { id, 0, 0 });
}

int countOf(const Database &database, const QString &table)
{
    return database.fetchOne(u"SELECT COUNT(*) FROM "_s + table)->value(0).toInt();
}

QList<int> itemIds(const Database &database)
{
    QList<int> ids;
    for (const QSqlRecord &row : database.fetchAll(u"SELECT id FROM items ORDER BY id"_s))
        ids.append(row.value(0).toInt());
    return ids;
}

QString nameOf(Kind kind)
{
    switch (kind) {
    case Kind::Connection: return u"Connection"_s;
    case Kind::Busy: return u"Busy"_s;
    case Kind::Statement: return u"Statement"_s;
    case Kind::UniqueViolation: return u"UniqueViolation"_s;
    case Kind::Constraint: return u"Constraint"_s;
    case Kind::Storage: return u"Storage"_s;
    case Kind::SchemaTooNew: return u"SchemaTooNew"_s;
    }
    return {};
}

// What an exception is, for comparing: "none", "DatabaseError UniqueViolation",
// "ApiError", "runtime_error: <what>".
QString describe(const std::exception_ptr &error)
{
    if (!error)
        return u"none"_s;
    try {
        std::rethrow_exception(error);
    } catch (const DatabaseError &failure) {
        return u"DatabaseError "_s + nameOf(failure.kind());
    } catch (const ApiError &) {
        return u"ApiError"_s;
    } catch (const std::runtime_error &failure) {
        return u"runtime_error: "_s + QString::fromUtf8(failure.what());
    } catch (...) {
        return u"something else"_s;
    }
}

template<typename Run>
QString failureOf(Run run)
{
    try {
        run();
    } catch (...) {
        return describe(std::current_exception());
    }
    return u"none"_s;
}

// Holds the group's first batch open (its leader waits inside its unit) while the test queues
// more units from threads of their own, so that those units form the next batches together, in
// the order they were queued. With a key, every unit is submitted with it (runKeyed).
class HeldBatch
{
public:
    explicit HeldBatch(CommitGroup &group, std::optional<qint64> key = std::nullopt)
        : m_group(group), m_key(key)
    {
        m_threads.emplace_back([this] {
            submit([this] {
                m_entered = true;
                while (!m_released)
                    std::this_thread::yield();
            });
        });
        while (!m_entered)
            std::this_thread::yield();
    }
    ~HeldBatch() { release(); }
    Q_DISABLE_COPY_MOVE(HeldBatch)

    // Submits `unit` from a thread of its own and returns once it waits in the queue; what
    // run() throws lands in `*error`.
    void queue(std::function<void()> unit, std::exception_ptr *error)
    {
        const int before = m_group.waiting();
        m_threads.emplace_back([this, unit = std::move(unit), error] {
            try {
                submit(unit);
            } catch (...) {
                *error = std::current_exception();
            }
        });
        while (m_group.waiting() == before)
            std::this_thread::yield();
    }

    // Lets the first batch commit and waits for every queued unit's run() to return.
    void release()
    {
        m_released = true;
        for (std::thread &thread : m_threads)
            thread.join();
        m_threads.clear();
    }

private:
    void submit(std::function<void()> unit)
    {
        if (m_key)
            m_group.runKeyed(*m_key, std::move(unit));
        else
            m_group.run(std::move(unit));
    }

    CommitGroup &m_group;
    const std::optional<qint64> m_key;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_entered = false;
    std::atomic<bool> m_released = false;
};

// Items a unit leaves to the end of its batch's transaction: all of a batch's go in with one
// multi-row INSERT. `statements` counts those INSERTs.
struct HeldItems : Database::PendingWrites
{
    static inline std::atomic<int> statements = 0;
    QList<int> ids;

    void flush(const Database &database) override
    {
        ++statements;
        QString sql = u"INSERT INTO items (id, owner, n) VALUES "_s;
        QVariantList values;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            sql += i == 0 ? u"(?, 0, 0)"_s : u", (?, 0, 0)"_s;
            values.append(ids[i]);
        }
        database.execute(sql, values);
    }
};

// Inserts an item at once, or holds it back when the transaction allows.
void insertItemWhenFlushed(const Database &database, int id)
{
    if (HeldItems *held = database.pendingWrites<HeldItems>())
        held->ids.append(id);
    else
        insertItem(database, id);
}

void addDialectRows(const char *sentence)
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addRow("%s on SQLite", sentence) << SqlDialect::Sqlite;
    QTest::addRow("%s on PostgreSQL", sentence) << SqlDialect::Postgres;
}

bool skipWithout(SqlDialect dialect)
{
    return !ScratchDatabase::available(dialect);
}
} // namespace

enum class Failure { Unique, Runtime, Api };

// Run once for each way of sharing batches (a waiting thread leads, or the group's writer).
class TestCommitGroup : public QObject
{
    Q_OBJECT

public:
    explicit TestCommitGroup(CommitGroup::Mode batchMode) : m_batchMode(batchMode) { }

private Q_SLOTS:
    void concurrentUnitsShareCommits_data();
    void concurrentUnitsShareCommits();
    void aFailingUnitIsRolledBackAlone_data();
    void aFailingUnitIsRolledBackAlone();
    void aFailedCommitFailsEveryUnitOfItsBatch_data();
    void aFailedCommitFailsEveryUnitOfItsBatch();
    void aConnectionLostInABatchFailsEveryUnitOfIt();
    void aBusyBeginFailsItsUnitsWithoutRunningThem();
    void unitsRunInTheOrderTheyCameInBatchesOfAtMostTheMaximum();
    void insideATransactionAUnitRunsInlineInItsOwnSavepoint_data();
    void insideATransactionAUnitRunsInlineInItsOwnSavepoint();
    void aLoneThreadCommitsEachUnitBeforeRunReturns_data();
    void aLoneThreadCommitsEachUnitBeforeRunReturns();
    void byDefaultUnitsShareBatchesOnlyOnSqlite_data();
    void byDefaultUnitsShareBatchesOnlyOnSqlite();
    void heldWritesOfABatchGoInWithOneStatementBeforeItsCommit_data();
    void heldWritesOfABatchGoInWithOneStatementBeforeItsCommit();
    void aFailingHeldWriteRunsTheBatchAgainUnitByUnit_data();
    void aFailingHeldWriteRunsTheBatchAgainUnitByUnit();
    void nothingIsHeldBackOutsideABatchOrForAUnitInsideATransaction();
    void aUnitAloneHoldsWritesBackOnlyWhenItAsks_data();
    void aUnitAloneHoldsWritesBackOnlyWhenItAsks();
    void keyedUnitsShareBatchesWithTheirKeyAloneBesideOtherKeys_data();
    void keyedUnitsShareBatchesWithTheirKeyAloneBesideOtherKeys();

private:
    const CommitGroup::Mode m_batchMode;
};

void TestCommitGroup::concurrentUnitsShareCommits_data()
{
    addDialectRows(
            "eight threads of 200 inserts each all commit, in far fewer batches than units,");
}

void TestCommitGroup::concurrentUnitsShareCommits()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    constexpr int Threads = 8;
    constexpr int UnitsPerThread = 200;
    std::atomic<int> failures = 0;
    std::vector<std::thread> threads;
    for (int owner = 0; owner < Threads; ++owner) {
        threads.emplace_back([&, owner] {
            for (int n = 0; n < UnitsPerThread; ++n) {
                try {
                    group.run([&database, owner, n] {
                        database.execute(InsertItem, { owner * 1000 + n, owner, n });
                    });
                } catch (const std::exception &error) {
                    qWarning("unit %d/%d failed: %s", owner, n, error.what());
                    ++failures;
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    QCOMPARE(failures.load(), 0);
    QCOMPARE(countOf(database, u"items"_s), Threads * UnitsPerThread);
    for (int owner = 0; owner < Threads; ++owner) {
        const auto row = database.fetchOne(
                u"SELECT COUNT(*), MIN(n), MAX(n) FROM items WHERE owner = ? AND id = owner * 1000 "
                "+ n"_s,
                { owner });
        QCOMPARE(row->value(0).toInt(), UnitsPerThread);
        QCOMPARE(row->value(1).toInt(), 0);
        QCOMPARE(row->value(2).toInt(), UnitsPerThread - 1);
    }
    const CommitGroup::Counters counters = group.counters();
    QCOMPARE(counters.units, quint64(Threads * UnitsPerThread));
    QCOMPARE(counters.failedBatches, quint64(0));
    qInfo("%llu units in %llu batches", counters.units, counters.batches);
    // While one batch commits the other threads queue their next units, so batches hold several
    // units each; a transaction per unit would make as many batches as units.
    QVERIFY2(counters.batches * 2 <= counters.units,
             qPrintable(u"%1 batches for %2 units"_s.arg(counters.batches).arg(counters.units)));
}

void TestCommitGroup::aFailingUnitIsRolledBackAlone_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<QString>("error");
    for (const auto &[dialect, label] : { std::pair{ SqlDialect::Sqlite, "on SQLite"_L1 },
                                          std::pair{ SqlDialect::Postgres, "on PostgreSQL"_L1 } }) {
        QTest::addRow("a unit breaking a unique index gets its violation back while the rest of "
                      "its batch commits %s",
                      label.data())
                << dialect << Failure::Unique << u"DatabaseError UniqueViolation"_s;
        QTest::addRow("a unit throwing a plain exception gets it back while the rest of its batch "
                      "commits %s",
                      label.data())
                << dialect << Failure::Runtime << u"runtime_error: not today"_s;
        QTest::addRow("a unit refused by a business rule gets its ApiError back while the rest of "
                      "its batch commits %s",
                      label.data())
                << dialect << Failure::Api << u"ApiError"_s;
    }
}

void TestCommitGroup::aFailingUnitIsRolledBackAlone()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(Failure, failure);
    QFETCH(QString, error);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    std::exception_ptr before, failing, after;
    {
        HeldBatch held(group);
        held.queue([&] { insertItem(database, 1); }, &before);
        held.queue(
                [&] {
                    insertItem(database, 2); // must not commit with the others
                    switch (failure) {
                    case Failure::Unique: insertItem(database, 1); break;
                    case Failure::Runtime: throw std::runtime_error("not today");
                    case Failure::Api: throw ApiError(ApiError::Kind::Conflict, u"taken"_s);
                    }
                },
                &failing);
        // On PostgreSQL this one would find the transaction aborted without the savepoint.
        held.queue([&] { insertItem(database, 3); }, &after);
    }

    QCOMPARE(describe(failing), error);
    QCOMPARE(describe(before), u"none"_s);
    QCOMPARE(describe(after), u"none"_s);
    QCOMPARE(itemIds(database), QList<int>({ 1, 3 }));
    const CommitGroup::Counters counters = group.counters();
    QCOMPARE(counters.batches, quint64(2)); // the held one, then the three queued together
    QCOMPARE(counters.units, quint64(3));
    QCOMPARE(counters.failedBatches, quint64(0));
}

void TestCommitGroup::aFailedCommitFailsEveryUnitOfItsBatch_data()
{
    addDialectRows("a deferred foreign key failing the COMMIT fails every unit of the batch and "
                   "keeps none of their rows");
}

void TestCommitGroup::aFailedCommitFailsEveryUnitOfItsBatch()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    std::exception_ptr errors[3];
    {
        HeldBatch held(group);
        held.queue([&] { insertItem(database, 1); }, &errors[0]);
        // Accepted now, checked at COMMIT.
        held.queue(
                [&] { database.execute(u"INSERT INTO children (id, parent_id) VALUES (1, 99)"_s); },
                &errors[1]);
        held.queue([&] { insertItem(database, 3); }, &errors[2]);
    }

    for (const std::exception_ptr &error : errors)
        QCOMPARE(describe(error), u"DatabaseError Constraint"_s);
    QCOMPARE(countOf(database, u"items"_s), 0);
    QCOMPARE(countOf(database, u"children"_s), 0);
    QCOMPARE(group.counters().failedBatches, quint64(1));
    QCOMPARE(group.counters().units, quint64(1)); // the held batch's

    // A unit alone fails the same way, and its failed transaction is over (SQLite keeps it
    // open after a failed COMMIT): the next unit gets a transaction of its own, committed.
    const Database reader(database.config());
    QCOMPARE(failureOf([&] {
                 group.run([&] {
                     database.execute(u"INSERT INTO children (id, parent_id) VALUES (2, 99)"_s);
                 });
             }),
             u"DatabaseError Constraint"_s);
    group.run([&] { insertItem(database, 4); });
    QCOMPARE(itemIds(reader), QList<int>({ 4 }));
}

void TestCommitGroup::aConnectionLostInABatchFailsEveryUnitOfIt()
{
    if (skipWithout(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    std::exception_ptr errors[3];
    {
        HeldBatch held(group);
        held.queue([&] { insertItem(database, 1); }, &errors[0]);
        held.queue(
                [&] {
                    insertItem(database, 2);
                    // The server ends the leader's connection, as a restart would.
                    database.fetchAll(u"SELECT pg_terminate_backend(pg_backend_pid())"_s);
                },
                &errors[1]);
        held.queue([&] { insertItem(database, 3); }, &errors[2]);
    }

    for (const std::exception_ptr &error : errors)
        QCOMPARE(describe(error), u"DatabaseError Connection"_s);
    QCOMPARE(countOf(database, u"items"_s), 0);
    QCOMPARE(group.counters().failedBatches, quint64(1));

    // The next batch gets a connection that works.
    group.run([&] { insertItem(database, 4); });
    QCOMPARE(itemIds(database), QList<int>({ 4 }));
}

void TestCommitGroup::aBusyBeginFailsItsUnitsWithoutRunningThem()
{
    ScratchDatabase scratch(SqlDialect::Sqlite);
    createTables(*scratch.database);
    DatabaseConfig config = scratch.database->config();
    config.busyTimeoutMs = 100;
    const Database database(config);
    const Database other(config); // another writer, on this thread too
    CommitGroup group(database);

    other.begin(); // holds the write lock
    bool ran = false;
    QCOMPARE(failureOf([&] { group.run([&] { ran = true; }); }), u"DatabaseError Busy"_s);
    QVERIFY(!ran);
    QCOMPARE(group.counters().failedBatches, quint64(1));
    other.rollback();

    group.run([&] { insertItem(database, 1); });
    QCOMPARE(itemIds(database), QList<int>({ 1 }));
}

void TestCommitGroup::unitsRunInTheOrderTheyCameInBatchesOfAtMostTheMaximum()
{
    ScratchDatabase scratch(SqlDialect::Sqlite);
    const Database &database = *scratch.database;
    CommitGroup group(database, m_batchMode, 2);

    std::mutex mutex;
    QList<int> order;
    std::exception_ptr errors[5];
    {
        HeldBatch held(group);
        for (int i = 0; i < 5; ++i) {
            held.queue(
                    [&, i] {
                        const std::lock_guard lock(mutex);
                        order.append(i);
                    },
                    &errors[i]);
        }
    }

    QCOMPARE(order, QList<int>({ 0, 1, 2, 3, 4 }));
    // The held batch, then {0, 1}, {2, 3} and {4}.
    QCOMPARE(group.counters().batches, quint64(4));
    QCOMPARE(group.counters().units, quint64(6));
}

void TestCommitGroup::insideATransactionAUnitRunsInlineInItsOwnSavepoint_data()
{
    addDialectRows("inside a transaction a unit runs at once on the caller's thread, in its own "
                   "savepoint, and commits only with the caller's transaction");
}

void TestCommitGroup::insideATransactionAUnitRunsInlineInItsOwnSavepoint()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database);

    {
        Transaction transaction(database);
        insertItem(database, 1);
        std::thread::id ranOn;
        group.run([&] {
            ranOn = std::this_thread::get_id();
            insertItem(database, 2);
        });
        QCOMPARE(ranOn, std::this_thread::get_id());
        QCOMPARE(failureOf([&] {
                     group.run([&] {
                         insertItem(database, 3);
                         throw std::runtime_error("not this one");
                     });
                 }),
                 u"runtime_error: not this one"_s);
        // The caller's transaction goes on without the failed unit's row (on PostgreSQL it
        // would be aborted without the savepoint).
        insertItem(database, 4);
        QCOMPARE(itemIds(database), QList<int>({ 1, 2, 4 }));
        QCOMPARE(group.counters().batches, quint64(0));
    } // rolled back: the units' rows go with the caller's
    QCOMPARE(countOf(database, u"items"_s), 0);
}

void TestCommitGroup::aLoneThreadCommitsEachUnitBeforeRunReturns_data()
{
    addDialectRows("a thread alone gets each unit committed, and a unit's value back, without "
                   "waiting for anyone");
}

void TestCommitGroup::aLoneThreadCommitsEachUnitBeforeRunReturns()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    const Database reader(database.config()); // its own connection, which sees only commits
    CommitGroup group(database, m_batchMode);

    for (int id = 1; id <= 3; ++id) {
        group.run([&] { insertItem(database, id); });
        QCOMPARE(countOf(reader, u"items"_s), id);
    }
    const int counted = group.run([&] { return countOf(database, u"items"_s); });
    QCOMPARE(counted, 3);
    QCOMPARE(group.counters().batches, quint64(4));
    QCOMPARE(group.counters().units, quint64(4));
}

void TestCommitGroup::byDefaultUnitsShareBatchesOnlyOnSqlite_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<bool>("batches");
    QTest::newRow("on SQLite a unit waits for the running batch, to share the next one")
            << SqlDialect::Sqlite << true;
    QTest::newRow("on PostgreSQL a unit commits in its own transaction while another one is open")
            << SqlDialect::Postgres << false;
}

void TestCommitGroup::byDefaultUnitsShareBatchesOnlyOnSqlite()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(bool, batches);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    const Database reader(database.config());
    CommitGroup group(database);
    QCOMPARE(group.mode(), batches ? CommitGroup::Mode::Writer : CommitGroup::Mode::Alone);

    std::atomic<bool> entered = false, released = false, secondDone = false;
    std::thread first([&] {
        group.run([&] {
            insertItem(database, 1);
            entered = true;
            while (!released)
                std::this_thread::yield();
        });
    });
    while (!entered)
        std::this_thread::yield();
    std::thread second([&] {
        group.run([&] { insertItem(database, 2); });
        secondDone = true;
    });
    if (batches) {
        QTRY_COMPARE_WITH_TIMEOUT(group.waiting(), 1, 30000);
        QVERIFY(!secondDone);
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(secondDone, 30000);
        QCOMPARE(itemIds(reader), QList<int>({ 2 })); // committed, the first unit still open
    }
    released = true;
    first.join();
    second.join();
    QCOMPARE(itemIds(reader), QList<int>({ 1, 2 }));
}

void TestCommitGroup::heldWritesOfABatchGoInWithOneStatementBeforeItsCommit_data()
{
    addDialectRows("four units that hold their rows back commit them with one statement");
}

void TestCommitGroup::heldWritesOfABatchGoInWithOneStatementBeforeItsCommit()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    HeldItems::statements = 0;
    std::exception_ptr errors[4];
    std::atomic<int> seenBeforeFlush = -1;
    {
        HeldBatch held(group);
        for (int i = 0; i < 4; ++i) {
            held.queue(
                    [&, i] {
                        insertItemWhenFlushed(database, 10 + i);
                        if (i == 3) // the batch's last unit: nothing of it written yet
                            seenBeforeFlush = countOf(database, u"items"_s);
                    },
                    &errors[i]);
        }
    }
    for (const std::exception_ptr &error : errors)
        QCOMPARE(describe(error), u"none"_s);
    QCOMPARE(seenBeforeFlush.load(), 0);
    QCOMPARE(HeldItems::statements.load(), 1);
    QCOMPARE(itemIds(database), QList<int>({ 10, 11, 12, 13 }));
    QCOMPARE(group.counters().units, quint64(5)); // with the held batch's own
}

void TestCommitGroup::aFailingHeldWriteRunsTheBatchAgainUnitByUnit_data()
{
    addDialectRows("when the statement of the rows held back fails, each unit runs again in a "
                   "savepoint writing at once, and only the one whose row fails gets an error");
}

void TestCommitGroup::aFailingHeldWriteRunsTheBatchAgainUnitByUnit()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    insertItem(database, 21); // the second unit's row will collide with it
    CommitGroup group(database, m_batchMode);

    HeldItems::statements = 0;
    std::exception_ptr errors[3];
    {
        HeldBatch held(group);
        for (int i = 0; i < 3; ++i)
            held.queue([&, i] { insertItemWhenFlushed(database, 20 + i); }, &errors[i]);
    }
    QCOMPARE(HeldItems::statements.load(), 1); // tried once together, then never held again
    QCOMPARE(describe(errors[0]), u"none"_s);
    QCOMPARE(describe(errors[1]), u"DatabaseError UniqueViolation"_s);
    QCOMPARE(describe(errors[2]), u"none"_s);
    QCOMPARE(itemIds(database), QList<int>({ 20, 21, 22 }));
}

void TestCommitGroup::nothingIsHeldBackOutsideABatchOrForAUnitInsideATransaction()
{
    ScratchDatabase scratch(SqlDialect::Sqlite);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, m_batchMode);

    QVERIFY(!database.pendingWrites<HeldItems>()); // no transaction
    {
        Transaction transaction(database);
        QVERIFY(!database.pendingWrites<HeldItems>()); // not a batch's
        transaction.commit();
    }
    // A unit nested in a batch's unit (as a create inside an idempotent POST) may need its rows
    // at once: it holds nothing back, while its batch's other units may.
    bool nestedHeld = true;
    bool outerHeld = false;
    HeldItems::statements = 0;
    std::exception_ptr errors[2];
    {
        HeldBatch held(group);
        held.queue(
                [&] {
                    group.run([&] { nestedHeld = database.pendingWrites<HeldItems>() != nullptr; });
                    insertItem(database, 1);
                },
                &errors[0]);
        held.queue(
                [&] {
                    outerHeld = database.pendingWrites<HeldItems>() != nullptr;
                    insertItemWhenFlushed(database, 2);
                },
                &errors[1]);
    }
    QCOMPARE(describe(errors[0]), u"none"_s);
    QCOMPARE(describe(errors[1]), u"none"_s);
    QVERIFY(!nestedHeld);
    QVERIFY(outerHeld);
    QCOMPARE(itemIds(database), QList<int>({ 1, 2 }));
}

void TestCommitGroup::aUnitAloneHoldsWritesBackOnlyWhenItAsks_data()
{
    addDialectRows("a unit alone");
}

void TestCommitGroup::aUnitAloneHoldsWritesBackOnlyWhenItAsks()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    // PostgreSQL's default runs every unit alone; the other modes do when no one else writes.
    CommitGroup group(database,
                      dialect == SqlDialect::Postgres ? CommitGroup::Mode::Alone : m_batchMode);
    HeldItems::statements = 0;
    bool held = true;
    group.run([&] {
        held = database.pendingWrites<HeldItems>() != nullptr;
        insertItemWhenFlushed(database, 1);
    });
    QVERIFY(!held);
    QCOMPARE(HeldItems::statements.load(), 0);
    // Asked for (a batch of jobs' outcomes): held back, and made by its COMMIT, before run()
    // returns.
    group.run(
            [&] {
                held = database.pendingWrites<HeldItems>() != nullptr;
                insertItemWhenFlushed(database, 2);
                insertItemWhenFlushed(database, 3);
            },
            CommitGroup::Holding::Always);
    QVERIFY(held);
    QCOMPARE(HeldItems::statements.load(), 1);
    QCOMPARE(itemIds(database), QList<int>({ 1, 2, 3 }));
    // The held writes fail at COMMIT: run() throws and nothing of the unit is kept.
    QVERIFY_THROWS_EXCEPTION(DatabaseError,
                             group.run(
                                     [&] {
                                         insertItem(database, 4);
                                         insertItemWhenFlushed(database, 1);
                                     },
                                     CommitGroup::Holding::Always));
    QCOMPARE(itemIds(database), QList<int>({ 1, 2, 3 }));
}

void TestCommitGroup::keyedUnitsShareBatchesWithTheirKeyAloneBesideOtherKeys_data()
{
    addDialectRows("in Alone mode, units of one key wait for its batch, others do not,");
}

void TestCommitGroup::keyedUnitsShareBatchesWithTheirKeyAloneBesideOtherKeys()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    if (dialect == SqlDialect::Sqlite)
        QSKIP("SQLite has one writer: Alone mode would have the other keys wait for its lock");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    CommitGroup group(database, CommitGroup::Mode::Alone);

    {
        // Key 1's first unit holds its batch open; three more of key 1 wait for it.
        HeldBatch held(group, 1);
        std::exception_ptr errors[3];
        for (int id = 2; id <= 4; ++id)
            held.queue([&, id] { insertItem(database, id); }, &errors[id - 2]);
        // Key 2's unit commits meanwhile, on its own.
        group.runKeyed(2, [&] { insertItem(database, 10); });
        QCOMPARE(itemIds(database), QList<int>({ 10 }));
        QCOMPARE(group.waiting(), 3);
        held.release();
        for (const std::exception_ptr &error : errors)
            QCOMPARE(describe(error), u"none"_s);
    }
    QCOMPARE(itemIds(database), QList<int>({ 2, 3, 4, 10 }));
    const CommitGroup::Counters counters = group.counters();
    QCOMPARE(counters.units, quint64(5));
    // Key 1's first batch, the three that waited for it together, key 2's.
    QCOMPARE(counters.batches, quint64(3));
    QCOMPARE(group.waiting(), 0);
    // A key's lane goes with its last unit, and comes back with the next.
    group.runKeyed(1, [&] { insertItem(database, 5); });
    QCOMPARE(group.counters().batches, quint64(4));
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int failures = 0;
    for (const CommitGroup::Mode mode : { CommitGroup::Mode::Batches, CommitGroup::Mode::Writer }) {
        qInfo("batches %s",
              mode == CommitGroup::Mode::Writer ? "run by the group's writer thread"
                                                : "led by a waiting thread");
        TestCommitGroup test(mode);
        failures += QTest::qExec(&test, argc, argv);
    }
    return failures;
}
#include "tst_commitgroup.moc"
