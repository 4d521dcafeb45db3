// task_sort_moves on both dialects: the trigger records a task's sort keys from before each
// change of them (and nothing for other changes), and TaskListRepository::pruneSortMoves
// forgets only moves older than its bound. What later pages do with the moves is tested
// through the server (tst_tasklisting: pagesStayCorrectWhileTheSortedFieldChanges).
#include "database.h"
#include "migrator.h"
#include "scratchdatabase.h"
#include "tasklistrepository.h"
#include "userrepository.h"

#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestTaskSortMoves : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void changesOfSortKeysAreRecorded_data();
    void changesOfSortKeysAreRecorded();
};

void TestTaskSortMoves::changesOfSortKeysAreRecorded_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestTaskSortMoves::changesOfSortKeysAreRecorded()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &db = *scratch.database;
    Migrator(db).migrate();
    const auto owner = UserRepository(db).create(u"m@example.com"_s, u"M"_s, u"h"_s, Role::User);
    QVERIFY(owner);
    const QString created = u"2030-01-01T00:00:00.000Z"_s;
    const qint64 taskId
            = db.fetchOne(u"INSERT INTO tasks (owner_id, title, title_key, status, priority, "
                          "due_sort, created_at, updated_at) VALUES (?, 'Write', 'write', "
                          "'todo', 2, '2030-02-01T09:00:00.000Z', ?, ?) RETURNING id"_s,
                          { owner->id, created, created })
                      ->value(0)
                      .toLongLong();
    const auto moves = [&db, taskId] {
        return db.fetchOne(u"SELECT count(*) FROM task_sort_moves WHERE task_id = ?"_s, { taskId })
                ->value(0)
                .toInt();
    };
    QCOMPARE(moves(), 0); // an insert is no move

    // A change of anything but a sort key is no move either.
    db.execute(u"UPDATE tasks SET description = 'details' WHERE id = ?"_s, { taskId });
    QCOMPARE(moves(), 0);

    // The keys from before the change, and who owns the task.
    db.execute(u"UPDATE tasks SET due_sort = '2030-03-01T09:00:00.000Z', priority = 3, "
               "title_key = 'rewrite', updated_at = '2030-01-02T00:00:00.000Z' WHERE id = ?"_s,
               { taskId });
    QCOMPARE(moves(), 1);
    QCOMPARE(db.fetchOne(u"SELECT count(*) FROM task_sort_moves WHERE task_id = ? AND "
                         "owner_id = ? AND due_sort = '2030-02-01T09:00:00.000Z' AND "
                         "priority = 2 AND title_key = 'write' AND updated_at = ?"_s,
                         { taskId, owner->id, created })
                     ->value(0)
                     .toInt(),
             1);
    // Each key alone is a move: every write sets updated_at, but the trigger does not rely on it.
    db.execute(u"UPDATE tasks SET priority = 1 WHERE id = ?"_s, { taskId });
    QCOMPARE(moves(), 2);
    // Setting a key to the value it has is none.
    db.execute(u"UPDATE tasks SET priority = 1 WHERE id = ?"_s, { taskId });
    QCOMPARE(moves(), 2);

    // Pruning: a move from two days ago goes, today's stay.
    db.execute(u"INSERT INTO task_sort_moves (task_id, owner_id, due_sort, priority, title_key, "
               "updated_at, moved_at) VALUES (?, ?, ?, 1, 'old', ?, ?)"_s,
               { taskId, owner->id, created, created,
                 Database::bindTime(QDateTime::currentDateTimeUtc().addDays(-2)) });
    QCOMPARE(moves(), 3);
    const TaskListRepository listing(db);
    QCOMPARE(listing.pruneSortMoves(QDateTime::currentDateTimeUtc().addDays(-1)), 1);
    QCOMPARE(moves(), 2);
    QCOMPARE(listing.pruneSortMoves(QDateTime::currentDateTimeUtc().addSecs(-3600)), 0);
    QCOMPARE(listing.pruneSortMoves(QDateTime::currentDateTimeUtc().addSecs(60)), 2);
    QCOMPARE(moves(), 0);
}

QTEST_GUILESS_MAIN(TestTaskSortMoves)
#include "tst_tasksortmoves.moc"
