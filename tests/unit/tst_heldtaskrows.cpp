// HeldTaskRows on both dialects, inside a transaction that holds writes back (as a CommitGroup
// batch's is): several changes to one task write its row once, each reads the one before it,
// every other statement sees the latest, and a rollback to a savepoint drops what was held after
// it. What the server does with it is tested through tst_realtime and the task tests.
#include "database.h"
#include "migrator.h"
#include "scratchdatabase.h"
#include "storagefixtures.h"
#include "taskrepository.h"

#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::makeTask;
using Tasklane::Test::makeUser;
using Tasklane::Test::ScratchDatabase;

namespace {

// A migrated scratch database with one user's task.
struct OwnedTask
{
    explicit OwnedTask(SqlDialect dialect) : scratch(dialect), db(*scratch.database)
    {
        Migrator(db).migrate();
        owner = makeUser(db, u"owner"_s);
        taskId = makeTask(db, owner, u"Draft"_s);
    }

    ScratchDatabase scratch;
    const Database &db;
    qint64 owner = 0;
    qint64 taskId = 0;
};

// What TaskService does for a change of title: read for update, write the next version.
qint64 retitle(const Database &database, qint64 taskId, qint64 userId, const QString &title)
{
    const TaskRepository tasks(database);
    const auto current = tasks.findForUpdate(taskId, userId);
    if (!current)
        return 0;
    TaskRecord next = *current;
    next.task.title = title;
    next.task.version = current->task.version + 1;
    next.task.updatedAt = QDateTime::currentDateTimeUtc();
    return tasks.update(next, current->task.version, false) ? next.task.version : 0;
}

int sortMoves(const Database &database, qint64 taskId)
{
    return database
            .fetchOne(u"SELECT count(*) FROM task_sort_moves WHERE task_id = ?"_s, { taskId })
            ->value(0)
            .toInt();
}

QString storedTitle(const Database &database, qint64 taskId)
{
    return database.fetchOne(u"SELECT title FROM tasks WHERE id = ?"_s, { taskId })
            ->value(0)
            .toString();
}

} // namespace

class TestHeldTaskRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void changesToOneTaskInABatchWriteItsRowOnce_data();
    void changesToOneTaskInABatchWriteItsRowOnce();
    void aRollbackToASavepointDropsWhatWasHeldAfterIt_data();
    void aRollbackToASavepointDropsWhatWasHeldAfterIt();
};

void TestHeldTaskRows::changesToOneTaskInABatchWriteItsRowOnce_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestHeldTaskRows::changesToOneTaskInABatchWriteItsRowOnce()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    const OwnedTask fixture(dialect);
    const Database &db = fixture.db;
    const qint64 owner = fixture.owner;
    const qint64 taskId = fixture.taskId;
    const qint64 stranger = makeUser(db, u"stranger"_s);

    db.begin();
    db.setHoldingWrites(true);
    // Each change reads the one before it (its version and title) from what is held.
    QCOMPARE(retitle(db, taskId, owner, u"First"_s), qint64(2));
    QCOMPARE(retitle(db, taskId, owner, u"Second"_s), qint64(3));
    QCOMPARE(retitle(db, taskId, owner, u"Third"_s), qint64(4));
    const auto held = TaskRepository(db).findForUpdate(taskId, owner);
    QVERIFY(held);
    QCOMPARE(held->task.title, u"Third"_s);
    QCOMPARE(held->access, TaskAccess::Owner);
    // Who may not see the task does not see it held either.
    QVERIFY(!TaskRepository(db).findForUpdate(taskId, stranger));
    // Any other statement sees the last change, written once: the title changed three times,
    // and the sort-move trigger (title_key is a sort key) fired once.
    QCOMPARE(storedTitle(db, taskId), u"Third"_s);
    QCOMPARE(sortMoves(db, taskId), 1);
    // Once written, the next change is read from the database, and held in turn.
    QCOMPARE(retitle(db, taskId, owner, u"Fourth"_s), qint64(5));
    db.commit();

    QCOMPARE(storedTitle(db, taskId), u"Fourth"_s);
    QCOMPARE(sortMoves(db, taskId), 2);
    const auto stored = TaskRepository(db).findForUser(taskId, owner);
    QVERIFY(stored);
    QCOMPARE(stored->task.version, qint64(5));
    // Nothing is held outside a batch: each change is written at once.
    QCOMPARE(retitle(db, taskId, owner, u"Fifth"_s), qint64(6));
    QCOMPARE(sortMoves(db, taskId), 3);
}

void TestHeldTaskRows::aRollbackToASavepointDropsWhatWasHeldAfterIt_data()
{
    changesToOneTaskInABatchWriteItsRowOnce_data();
}

void TestHeldTaskRows::aRollbackToASavepointDropsWhatWasHeldAfterIt()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    const OwnedTask fixture(dialect);
    const Database &db = fixture.db;
    const qint64 owner = fixture.owner;
    const qint64 taskId = fixture.taskId;

    db.begin();
    db.setHoldingWrites(true);
    QCOMPARE(retitle(db, taskId, owner, u"Kept"_s), qint64(2));
    // The savepoint comes after the held change: it is written first.
    db.executeRaw(u"SAVEPOINT attempt"_s);
    if (dialect == SqlDialect::Postgres)
        QVERIFY(db.holdsRowLock(Database::LockedRow::Task, taskId));
    QCOMPARE(retitle(db, taskId, owner, u"Undone"_s), qint64(3));
    db.rollbackToSavepoint(u"attempt"_s);
    db.executeRaw(u"RELEASE SAVEPOINT attempt"_s);
    // The lock may have been taken after the savepoint: it is taken again when needed.
    QVERIFY(!db.holdsRowLock(Database::LockedRow::Task, taskId));
    QCOMPARE(storedTitle(db, taskId), u"Kept"_s);
    QCOMPARE(retitle(db, taskId, owner, u"Again"_s), qint64(3));
    db.commit();
    QCOMPARE(storedTitle(db, taskId), u"Again"_s);
}

QTEST_GUILESS_MAIN(TestHeldTaskRows)
#include "tst_heldtaskrows.moc"
