// Database on SQLite and, when the test command provides one, on PostgreSQL: failures are
// classified by the driver's native code, a busy database is not a lost connection, a failed
// read after the first rows is an error, and only statements declared safe are retried on a new
// connection.
#include "database.h"
#include "databaseerror.h"
#include "scratchdatabase.h"
#include "testcluster.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;
using Kind = DatabaseError::Kind;
using Retry = Database::Retry;

namespace {
void createTables(const Database &database)
{
    database.executeRaw(u"CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                        "size INTEGER CHECK (size > 0))"_s);
    database.executeRaw(u"CREATE TABLE children (id INTEGER PRIMARY KEY, "
                        "parent_id INTEGER REFERENCES parents (id))"_s);
    database.executeRaw(u"INSERT INTO parents (id, name, size) VALUES (1, 'a', 1), (2, 'b', 2), "
                        "(3, 'c', 3)"_s);
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

// The kind of the DatabaseError that `run` throws, by name ("none" when it throws none).
template<typename Run>
QString failureOf(Run run)
{
    try {
        run();
    } catch (const DatabaseError &error) {
        return nameOf(error.kind());
    }
    return u"none"_s;
}

// Ends every connection to the scratch database but the test cluster's own, as a restart of
// PostgreSQL would.
bool terminateConnections(const Database &database)
{
    const bool done = Tasklane::Test::runOnTestCluster(
            u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%1'"_s.arg(
                    database.config().name));
    QTest::qWait(100); // the terminations reach the sockets
    return done;
}

bool skipWithout(SqlDialect dialect)
{
    return !ScratchDatabase::available(dialect);
}
} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqliteReadsThroughTheConfiguredMapping_data();
    void sqliteReadsThroughTheConfiguredMapping();
    void classifiesFailures_data();
    void classifiesFailures();
    void aHeldWriteLockIsBusy_data();
    void aHeldWriteLockIsBusy();
    void retriesOnlyWhatTheCallerDeclares();
    void aConnectionLostInATransactionStaysLostUntilItEnds();
    void aFileThatIsNotADatabaseIsAStorageFailure();
    void aTransactionCannotBeginInsideAnother_data();
    void aTransactionCannotBeginInsideAnother();
    void thePreparedStatementCacheStaysBounded_data();
    void thePreparedStatementCacheStaysBounded();
};

void TestDatabase::classifiesFailures_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<QString>("sql");
    QTest::addColumn<Kind>("kind");
    for (const auto &[dialect, label] : { std::pair{ SqlDialect::Sqlite, "on SQLite"_L1 },
                                          std::pair{ SqlDialect::Postgres, "on PostgreSQL"_L1 } }) {
        const auto row = [&](const char *sentence) -> QTestData & {
            return QTest::addRow("%s %s", sentence, label.data()) << dialect;
        };
        row("a name taken breaks the unique index")
                << u"INSERT INTO parents (id, name, size) VALUES (10, 'a', 1)"_s
                << Kind::UniqueViolation;
        row("an id taken breaks the primary key")
                << u"INSERT INTO parents (id, name, size) VALUES (1, 'z', 1)"_s
                << Kind::UniqueViolation;
        row("a size of zero breaks the check")
                << u"INSERT INTO parents (id, name, size) VALUES (10, 'z', 0)"_s
                << Kind::Constraint;
        row("a missing name breaks not null")
                << u"INSERT INTO parents (id, name, size) VALUES (10, NULL, 1)"_s
                << Kind::Constraint;
        row("a child without its parent breaks the foreign key")
                << u"INSERT INTO children (id, parent_id) VALUES (1, 99)"_s << Kind::Constraint;
        row("an unknown table is a failed statement")
                << u"SELECT id FROM nowhere"_s << Kind::Statement;
        // SQLite computes rows one at a time, so the first row arrives before the second
        // fails; PostgreSQL fails the whole statement.
        row("a row failing after the first one fails the read")
                << (dialect == SqlDialect::Sqlite
                            ? u"SELECT CASE WHEN id > 1 THEN abs(-9223372036854775807 - 1) "
                              "ELSE id END FROM parents ORDER BY id"_s
                            : u"SELECT CASE WHEN id > 1 THEN 1 / (id - id) ELSE id END "
                              "FROM parents ORDER BY id"_s)
                << Kind::Statement;
    }
}

void TestDatabase::classifiesFailures()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(QString, sql);
    QFETCH(Kind, kind);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);

    QCOMPARE(failureOf([&] { database.fetchAll(sql); }), nameOf(kind));
    // Not a lost connection: the same connection goes on, and the same statement fails the same
    // way again.
    QVERIFY(database.hasThreadConnection());
    QCOMPARE(failureOf([&] { database.fetchAll(sql); }), nameOf(kind));
    QCOMPARE(database.fetchOne(u"SELECT COUNT(*) FROM parents"_s)->value(0).toInt(), 3);

    // Inside a transaction, the transaction stays the caller's to roll back.
    {
        Transaction transaction(database);
        database.execute(u"INSERT INTO parents (id, name, size) VALUES (20, 'y', 1)"_s);
        QCOMPARE(failureOf([&] { database.fetchAll(sql); }), nameOf(kind));
        QVERIFY(database.hasThreadConnection());
    }
    QCOMPARE(database.fetchOne(u"SELECT COUNT(*) FROM parents"_s)->value(0).toInt(), 3);
}

void TestDatabase::aHeldWriteLockIsBusy_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite, another connection's BEGIN IMMEDIATE") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL, another transaction's row lock") << SqlDialect::Postgres;
}

void TestDatabase::aHeldWriteLockIsBusy()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    createTables(*scratch.database);
    DatabaseConfig config = scratch.database->config();
    config.busyTimeoutMs = 100;
    const Database database(config);
    const Database other(config); // a connection of its own, on this thread too

    other.begin();
    // SQLite waits the busy timeout for the write lock; PostgreSQL is told not to wait.
    const QString write = dialect == SqlDialect::Sqlite
            ? u"UPDATE parents SET size = 5 WHERE id = 1"_s
            : u"SELECT id FROM parents WHERE id = 1 FOR UPDATE NOWAIT"_s;
    if (dialect == SqlDialect::Postgres)
        other.fetchAll(u"SELECT id FROM parents WHERE id = 1 FOR UPDATE"_s);
    QCOMPARE(failureOf([&] { database.fetchAll(write); }), nameOf(Kind::Busy));
    if (dialect == SqlDialect::Sqlite) {
        QCOMPARE(failureOf([&] { Transaction transaction(database); }), nameOf(Kind::Busy));
    }
    QVERIFY(database.hasThreadConnection()); // busy is no reason to reconnect
    other.rollback();

    database.fetchAll(write);
    if (dialect == SqlDialect::Sqlite) {
        QCOMPARE(database.fetchOne(u"SELECT size FROM parents WHERE id = 1"_s)->value(0).toInt(),
                 5);
    }
}

void TestDatabase::retriesOnlyWhatTheCallerDeclares()
{
    if (skipWithout(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    const Database &database = *scratch.database;
    database.fetchOne(u"SELECT 1"_s);

    // A read declared safe to repeat runs again on a new connection.
    QVERIFY(terminateConnections(database));
    QCOMPARE(database.fetchOne(u"SELECT 2"_s, {}, Retry::Safe)->value(0).toInt(), 2);

    // An undeclared statement is not repeated, SELECT or not: a session's advisory lock taken
    // again on a new connection would hide that the first one went with the old connection.
    QVERIFY(terminateConnections(database));
    QCOMPARE(failureOf([&] { database.fetchAll(u"SELECT pg_advisory_lock(?)"_s, { 42 }); }),
             nameOf(Kind::Connection));
    QVERIFY(!database.hasThreadConnection()); // reopened on next use
    QCOMPARE(database.fetchOne(u"SELECT 3"_s)->value(0).toInt(), 3);

    // Nor is anything inside a transaction, declared or not: it went with the connection.
    QVERIFY(terminateConnections(database));
    {
        QCOMPARE(failureOf([&] {
                     Transaction transaction(database); // BEGIN itself is tried again
                     QVERIFY(terminateConnections(database));
                     database.fetchOne(u"SELECT 4"_s, {}, Retry::Safe);
                 }),
                 nameOf(Kind::Connection));
    }
    QCOMPARE(database.fetchOne(u"SELECT 5"_s)->value(0).toInt(), 5);
}

void TestDatabase::aConnectionLostInATransactionStaysLostUntilItEnds()
{
    if (skipWithout(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    const Database &database = *scratch.database;
    createTables(database);
    {
        Transaction transaction(database);
        database.execute(u"INSERT INTO parents (id, name, size) VALUES (10, 'x', 1)"_s);
        QVERIFY(terminateConnections(database));
        const QString insert = u"INSERT INTO parents (id, name, size) VALUES (?, ?, 1)"_s;
        QCOMPARE(failureOf([&] {
                     database.execute(insert, { 11, u"y"_s });
                 }),
                 nameOf(Kind::Connection));
        // What the caller runs next in its transaction must not run, committed at once, on a
        // new connection.
        QCOMPARE(failureOf([&] {
                     database.execute(insert, { 12, u"z"_s });
                 }),
                 nameOf(Kind::Connection));
        QCOMPARE(failureOf([&] { transaction.commit(); }), nameOf(Kind::Connection));
    } // the rollback drops the dead connection, and opens none
    QVERIFY(!database.hasThreadConnection());
    QCOMPARE(database.fetchOne(u"SELECT COUNT(*) FROM parents"_s)->value(0).toInt(), 3);
}

void TestDatabase::aFileThatIsNotADatabaseIsAStorageFailure()
{
    QTemporaryDir folder;
    QFile file(folder.filePath(u"damaged.db"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();
    DatabaseConfig config;
    config.sqlitePath = file.fileName();
    const Database database(config);
    QCOMPARE(failureOf([&] { database.fetchAll(u"SELECT 1"_s); }), nameOf(Kind::Storage));
}

void TestDatabase::aTransactionCannotBeginInsideAnother_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    // PostgreSQL itself only warns, and the inner COMMIT would commit the outer transaction.
    QTest::newRow("on SQLite, a second BEGIN fails and the outer transaction goes on")
            << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL, a second BEGIN fails and the outer transaction goes on")
            << SqlDialect::Postgres;
}

void TestDatabase::aTransactionCannotBeginInsideAnother()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    {
        Transaction outer(database);
        database.execute(u"INSERT INTO parents (id, name, size) VALUES (10, 'x', 1)"_s);
        QCOMPARE(failureOf([&] {
                     Transaction inner(database);
                     inner.commit();
                 }),
                 nameOf(Kind::Statement));
        QVERIFY(database.inTransaction());
    } // rolled back: nothing of it was committed
    QCOMPARE(database.fetchOne(u"SELECT COUNT(*) FROM parents"_s)->value(0).toInt(), 3);
}

void TestDatabase::thePreparedStatementCacheStaysBounded_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite, 300 distinct statements leave at most the maximum prepared")
            << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL, 300 distinct statements leave at most the maximum prepared")
            << SqlDialect::Postgres;
}

void TestDatabase::thePreparedStatementCacheStaysBounded()
{
    QFETCH(SqlDialect, dialect);
    if (skipWithout(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createTables(database);
    constexpr int Distinct = 300;
    static_assert(Distinct > Database::MaxPreparedStatements);
    const auto statement = [](int i) {
        return u"SELECT ? + %1, (SELECT COUNT(*) FROM parents WHERE size <= ?)"_s.arg(i);
    };
    for (int i = 0; i < Distinct; ++i) {
        const auto row = database.fetchOne(statement(i), { 1000, (i % 3) + 1 });
        QVERIFY(row);
        QCOMPARE(row->value(0).toLongLong(), 1000 + i);
        QCOMPARE(row->value(1).toInt(), (i % 3) + 1);
        const qsizetype prepared = database.preparedStatementCount();
        QVERIFY2(prepared <= Database::MaxPreparedStatements,
                 qPrintable(u"%1 statements prepared after %2"_s.arg(prepared).arg(i + 1)));
    }
    QCOMPARE(database.preparedStatementCount(), Database::MaxPreparedStatements);
    if (dialect == SqlDialect::Postgres) {
        // An evicted statement is deallocated on the server too, not only forgotten here.
        const auto row = database.fetchOne(u"SELECT COUNT(*) FROM pg_prepared_statements"_s);
        QVERIFY(row);
        QVERIFY2(row->value(0).toLongLong() <= Database::MaxPreparedStatements,
                 qPrintable(row->value(0).toString()));
    }
    // Evicted (the first ones) and kept (the last ones) statements still answer, with new
    // values, and so do writes.
    for (const int i : { 0, 1, Distinct / 2, Distinct - 1 }) {
        const auto row = database.fetchOne(statement(i), { 7, 2 });
        QVERIFY(row);
        QCOMPARE(row->value(0).toLongLong(), 7 + i);
        QCOMPARE(row->value(1).toInt(), 2);
    }
    QCOMPARE(database.execute(u"UPDATE parents SET size = size + 1 WHERE id = ?"_s, { 1 }), 1);
    QCOMPARE(database.fetchOne(u"SELECT size FROM parents WHERE id = ?"_s, { 1 })->value(0).toInt(),
             2);
    QVERIFY(database.preparedStatementCount() <= Database::MaxPreparedStatements);
}

void TestDatabase::sqliteReadsThroughTheConfiguredMapping_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addRow("256 MiB, the server's default") << qint64(256 * 1024 * 1024);
    QTest::addRow("none: read() alone") << qint64(0);
}

void TestDatabase::sqliteReadsThroughTheConfiguredMapping()
{
    QFETCH(qint64, bytes);
    ScratchDatabase scratch(SqlDialect::Sqlite);
    DatabaseConfig config = scratch.database->config();
    config.mmapBytes = bytes;
    const Database database(config);
    QCOMPARE(database.fetchOne(u"PRAGMA mmap_size"_s)->value(0).toLongLong(), bytes);
}

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
