// Migrator on SQLite and, when the test command provides one, on PostgreSQL.
#include "database.h"
#include "databaseerror.h"
#include "migrator.h"
#include "scratchdatabase.h"
#include "testcluster.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestMigrator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitsStatements_data();
    void splitsStatements();
    void migrates_data();
    void migrates();
    void migratesIntoTheUsersOwnSchema();
    void sqliteConnectionsAreConfigured();
    void anOutageWhileMigratingIsAnError();
};

void TestMigrator::splitsStatements_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("last");
    QTest::newRow("two statements") << u"CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n"_s << 2
                                    << u"CREATE TABLE b (y INT)"_s;
    QTest::newRow("comments are dropped")
            << u"-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n"_s << 1
            << u"CREATE TABLE a (x INT)"_s;
    QTest::newRow("a statement over several lines")
            << u"CREATE TABLE a (\n  x INT\n);\n"_s << 1 << u"CREATE TABLE a (\n  x INT\n)"_s;
    QTest::newRow("a trigger body stays whole")
            << u"CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET y = 1;\n  UPDATE b SET y = 2;\nEND;\nCREATE TABLE c (z INT);\n"_s
            << 2 << u"CREATE TABLE c (z INT)"_s;
}

void TestMigrator::splitsStatements()
{
    QFETCH(QString, sql);
    QFETCH(int, count);
    QFETCH(QString, last);
    const QStringList statements = Migrator::splitStatements(sql);
    QCOMPARE(statements.size(), count);
    QCOMPARE(statements.last(), last);
}

void TestMigrator::migrates_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestMigrator::migrates()
{
    QFETCH(SqlDialect, dialect);
    if (dialect == SqlDialect::Postgres
        && qEnvironmentVariableIsEmpty("TASKLANE_TEST_PG_ADMIN_URL"))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Migrator migrator(*scratch.database);
    QCOMPARE(migrator.currentVersion(), 0);
    // Reading the version (as /readyz does) never creates anything.
    QVERIFY(!scratch.database->connection().tables().contains(u"schema_migrations"_s));
    QVERIFY(migrator.latestVersion() >= 1);
    QCOMPARE(migrator.migrate().first(), 1);
    QCOMPARE(migrator.currentVersion(), migrator.latestVersion());
    QVERIFY(migrator.migrate().isEmpty()); // nothing left to do
    const auto recorded
            = scratch.database->fetchOne(u"SELECT name FROM schema_migrations WHERE version = 1"_s);
    QVERIFY(recorded);
    QCOMPARE(recorded->value(0).toString(), u"accounts"_s);

    scratch.database->execute(u"INSERT INTO schema_migrations (version, name, applied_at) "
                              "VALUES (?, ?, ?)"_s,
                              { 999, u"future"_s, u"later"_s });
    try {
        migrator.migrate();
        QFAIL("a newer schema must be refused");
    } catch (const DatabaseError &error) {
        QCOMPARE(error.kind(), DatabaseError::Kind::SchemaTooNew);
        QVERIFY(error.message().contains(u"999"_s));
    }
}

void TestMigrator::sqliteConnectionsAreConfigured()
{
    ScratchDatabase scratch(SqlDialect::Sqlite);
    const auto journal = scratch.database->fetchOne(u"PRAGMA journal_mode"_s);
    QCOMPARE(journal->value(0).toString(), u"wal"_s);
    const auto foreignKeys = scratch.database->fetchOne(u"PRAGMA foreign_keys"_s);
    QCOMPARE(foreignKeys->value(0).toInt(), 1);
    const auto busy = scratch.database->fetchOne(u"PRAGMA busy_timeout"_s);
    QVERIFY(busy->value(0).toInt() >= 5000);
    // A statement error is a DatabaseError, not a crash, and the connection stays usable.
    QVERIFY_THROWS_EXCEPTION(DatabaseError, scratch.database->fetchAll(u"SELECT * FROM nowhere"_s));
    QCOMPARE(scratch.database->fetchOne(u"SELECT 1"_s)->value(0).toInt(), 1);
}

void TestMigrator::migratesIntoTheUsersOwnSchema()
{
    // With PostgreSQL's default search_path ("$user", public), a schema named after the role
    // takes the tables: the second start must still see the schema as current.
    if (!ScratchDatabase::available(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    scratch.database->executeRaw(u"CREATE SCHEMA \"%1\""_s.arg(scratch.database->config().user));
    const Migrator migrator(*scratch.database);
    QVERIFY(!migrator.migrate().isEmpty());
    QCOMPARE(migrator.currentVersion(), migrator.latestVersion());
    QVERIFY(migrator.migrate().isEmpty());
}

void TestMigrator::anOutageWhileMigratingIsAnError()
{
    // The database goes away while migrate() holds the advisory lock: it must fail with a
    // connection error that the command reports, not abort the process from the unlock.
    if (!ScratchDatabase::available(SqlDialect::Postgres))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(SqlDialect::Postgres);
    const QString name = scratch.database->config().name;
    // The migrator's connection is open; no other one will be.
    scratch.database->fetchOne(u"SELECT 1"_s);
    QVERIFY(Test::runOnTestCluster(u"ALTER DATABASE %1 ALLOW_CONNECTIONS false"_s.arg(name)));
    // A migration during which PostgreSQL ends the connection.
    const Migrator migrator(
            *scratch.database,
            { { 1, u"outage"_s, u"SELECT pg_terminate_backend(pg_backend_pid());\n"_s } });
    try {
        migrator.migrate();
        QFAIL("a migration whose connection died must fail");
    } catch (const DatabaseError &error) {
        QVERIFY2(error.kind() == DatabaseError::Kind::Connection, error.what());
    }
    QVERIFY(!scratch.database->hasThreadConnection());
    QVERIFY(Test::runOnTestCluster(u"ALTER DATABASE %1 ALLOW_CONNECTIONS true"_s.arg(name)));
    QCOMPARE(migrator.currentVersion(), 0);
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
