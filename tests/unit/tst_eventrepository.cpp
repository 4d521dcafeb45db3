// EventRepository on both dialects: events are numbered in the order they were appended, whether
// written at once or held back until COMMIT; each reaches the task's readers as the transaction
// left them plus its listed users, and nobody else; a resume reads a user's own events only
// (addressed to them, or of a task they see that were for them when written);
// settledThrough() waits for a writer that drew an id and has not committed, so that no event can
// appear below what it answers; retention prunes the oldest events and remembers how far.
#include "database.h"
#include "eventrepository.h"
#include "migrator.h"
#include "realtimeevent.h"
#include "scratchdatabase.h"
#include "storagefixtures.h"
#include "taskrecord.h"
#include "taskrepository.h"
#include "userrepository.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::makeTask;
using Tasklane::Test::makeUser;
using Tasklane::Test::ScratchDatabase;

class TestEventRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsReachTheirAudienceInOrder_data();
    void eventsReachTheirAudienceInOrder();
    void aPurgedTasksEndIsFoundByItsReaders_data();
    void aPurgedTasksEndIsFoundByItsReaders();
    void settledWaitsForWritersThatDrewIds_data();
    void settledWaitsForWritersThatDrewIds();
    void retentionPrunesTheOldest_data();
    void retentionPrunesTheOldest();
};

namespace {

void addDialects()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("SQLite") << SqlDialect::Sqlite;
    QTest::newRow("PostgreSQL") << SqlDialect::Postgres;
}

QList<qint64> idsOf(const QList<StoredEvent> &events)
{
    QList<qint64> ids;
    for (const StoredEvent &event : events)
        ids.append(event.id);
    return ids;
}

} // namespace

void TestEventRepository::eventsReachTheirAudienceInOrder_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<bool>("held");
    QTest::newRow("at once on SQLite") << SqlDialect::Sqlite << false;
    QTest::newRow("held back on SQLite") << SqlDialect::Sqlite << true;
    QTest::newRow("at once on PostgreSQL") << SqlDialect::Postgres << false;
    QTest::newRow("held back on PostgreSQL") << SqlDialect::Postgres << true;
}

void TestEventRepository::eventsReachTheirAudienceInOrder()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(bool, held);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Database &database = *scratch.database;
    Migrator(database).migrate();
    const qint64 ada = makeUser(database, u"ada"_s);
    const qint64 bob = makeUser(database, u"bob"_s);
    const qint64 cy = makeUser(database, u"cy"_s);
    const qint64 dee = makeUser(database, u"dee"_s);
    const qint64 task = makeTask(database, ada, u"Shared plans"_s);
    TaskRepository(database).share(task, bob, SharePermission::View);
    const EventRepository events(database);
    QCOMPARE(events.lastId(), 0);
    QList<qint64> told;
    database.addCommitObserver([&told](Database::Change change, qint64 id) {
        if (change == Database::Change::Event)
            told.append(id);
    });

    const QDateTime at(QDate(2030, 1, 1), QTime(9, 0), QTimeZone::utc());
    Transaction transaction(database);
    database.setHoldingWrites(held);
    events.append(EventType::TaskUpdated, task, R"({"n":1,"text":"Grüße \"x\""})", { task, {} },
                  at);
    events.append(EventType::NotificationCreated, 0, R"({"n":2})", { 0, { cy } }, at);
    // The share ends in the same transaction: the next events no longer reach bob, except the
    // one that names him.
    TaskRepository(database).unshare(task, bob);
    events.append(EventType::TaskUnshared, task, R"({"n":3})", { task, { bob, cy } }, at);
    events.append(EventType::TaskUpdated, task, R"({"n":4})", { task, {} }, at);
    QCOMPARE(told, QList<qint64>{}); // nothing before COMMIT
    transaction.commit();

    const QList<StoredEvent> all = events.after(0, 100);
    QCOMPARE(all.size(), 4);
    for (qsizetype i = 0; i < all.size(); ++i) {
        QCOMPARE(QJsonDocument::fromJson(all[i].data).object().value(u"n"_s).toInt(), i + 1);
        if (i > 0)
            QVERIFY(all[i].id > all[i - 1].id);
    }
    QVERIFY(!told.isEmpty());
    QCOMPARE(told.last(), all.last().id);
    QCOMPARE(events.lastId(), all.last().id);
    QCOMPARE(events.settledThrough(), all.last().id);

    const auto sorted = [](QList<qint64> users) {
        std::sort(users.begin(), users.end());
        return users;
    };
    // Held back, an event's audience is read at COMMIT: the units of a shared commit are one
    // moment to everyone else (PostgreSQL holds back only in CommitGroup batches).
    const bool heldOnPostgres = held && dialect == SqlDialect::Postgres;
    QCOMPARE(sorted(all[0].audience),
             (heldOnPostgres ? QList<qint64>{ ada } : QList<qint64>{ ada, bob }));
    QCOMPARE(all[1].audience, QList<qint64>{ cy });
    QCOMPARE(sorted(all[2].audience), (QList<qint64>{ ada, bob, cy }));
    QCOMPARE(all[3].audience, QList<qint64>{ ada });
    QCOMPARE(all[0].type, QByteArray(EventType::TaskUpdated));
    QCOMPARE(all[0].taskId, task);
    QCOMPARE(all[1].taskId, 0);
    QCOMPARE(all[0].createdAt, at);
    const QJsonObject wire = QJsonDocument::fromJson(all[0].wireText()).object();
    QCOMPARE(wire.value(u"id"_s).toInteger(), all[0].id);
    QCOMPARE(wire.value(u"type"_s).toString(), u"task.updated"_s);
    QCOMPARE(wire.value(u"data"_s).toObject().value(u"text"_s).toString(), u"Grüße \"x\""_s);

    // A resume reads a user's own events, from a cursor on.
    QCOMPARE(idsOf(events.forUser(ada, 0, 100)),
             (QList<qint64>{ all[0].id, all[2].id, all[3].id }));
    // Bob no longer sees the task: a resume gives him the event addressed to him, the end of
    // his share, and nothing else of it.
    QCOMPARE(idsOf(events.forUser(bob, 0, 100)), QList<qint64>{ all[2].id });
    QCOMPARE(idsOf(events.forUser(cy, 0, 100)), (QList<qint64>{ all[1].id, all[2].id }));
    QCOMPARE(idsOf(events.forUser(cy, all[1].id, 100)), QList<qint64>{ all[2].id });
    QCOMPARE(idsOf(events.forUser(ada, 0, 2)), (QList<qint64>{ all[0].id, all[2].id }));
    QCOMPARE(events.forUser(dee, 0, 100).size(), 0);
    // Shared with Dee now, the task shows her nothing from before: it was not for her then.
    TaskRepository(database).share(task, dee, SharePermission::View);
    QCOMPARE(events.forUser(dee, 0, 100).size(), 0);
    QCOMPARE(idsOf(events.forUser(ada, 0, 100, all[2].id)),
             (QList<qint64>{ all[0].id, all[2].id }));
    QCOMPARE(idsOf(events.after(all[1].id, 100)), (QList<qint64>{ all[2].id, all[3].id }));

    // A rolled-back event is gone, and leaves nothing behind for anyone.
    {
        Transaction rolledBack(database);
        events.append(EventType::TaskUpdated, task, R"({"n":5})", { task, {} }, at);
    }
    QCOMPARE(events.after(all[3].id, 100).size(), 0);
    QCOMPARE(events.forUser(ada, all[3].id, 100).size(), 0);
}

void TestEventRepository::aPurgedTasksEndIsFoundByItsReaders_data()
{
    addDialects();
}

void TestEventRepository::aPurgedTasksEndIsFoundByItsReaders()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    Migrator(database).migrate();
    const qint64 ada = makeUser(database, u"ada"_s);
    const qint64 bob = makeUser(database, u"bob"_s);
    const qint64 task = makeTask(database, ada, u"Shared plans"_s);
    TaskRepository(database).share(task, bob, SharePermission::Edit);
    const EventRepository events(database);
    const QDateTime at = QDateTime::currentDateTimeUtc();
    events.append(EventType::TaskUpdated, task, R"({"n":1})", { task, {} }, at);
    {
        Transaction transaction(database);
        events.append(EventType::TaskDeleted, task, R"({"n":2})", { task, {}, true }, at);
        TaskRepository(database).remove(task);
        transaction.commit();
    }
    // The update was found through the task, which is gone; its end is addressed to both.
    for (qint64 user : { ada, bob }) {
        const QList<StoredEvent> found = events.forUser(user, 0, 100);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().type, QByteArray(EventType::TaskDeleted));
    }
    QCOMPARE(database.fetchOne(u"SELECT count(*) FROM event_recipients"_s)->value(0).toInt(), 2);
}

void TestEventRepository::settledWaitsForWritersThatDrewIds_data()
{
    addDialects();
}

void TestEventRepository::settledWaitsForWritersThatDrewIds()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    if (dialect == SqlDialect::Sqlite)
        QSKIP("SQLite has one writer at a time: an id cannot commit before a smaller one");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    Migrator(database).migrate();
    const qint64 ada = makeUser(database, u"ada"_s);
    const EventRepository events(database);
    const QDateTime at = QDateTime::currentDateTimeUtc();

    // A slow writer draws its id first and commits last.
    std::atomic_bool drawn{ false };
    std::atomic_bool release{ false };
    std::unique_ptr<QThread> slow(QThread::create([&] {
        Transaction transaction(database);
        events.append(EventType::TaskUpdated, 0, R"({"n":"slow"})", { 0, { ada } }, at);
        drawn = true;
        while (!release)
            QThread::msleep(5);
        QThread::msleep(300); // still holding its id while settledThrough() waits
        transaction.commit();
        database.closeThreadConnection();
    }));
    slow->start();
    QTRY_VERIFY(drawn.load());
    {
        Transaction transaction(database);
        events.append(EventType::TaskUpdated, 0, R"({"n":"fast"})", { 0, { ada } }, at);
        transaction.commit();
    }
    // Visible now: the fast one alone, above a gap the slow one will fill.
    const QList<StoredEvent> seen = events.after(0, 100);
    QCOMPARE(seen.size(), 1);
    QCOMPARE(events.lastId(), seen.first().id);
    release = true;
    QElapsedTimer waited;
    waited.start();
    const qint64 settled = events.settledThrough();
    QVERIFY2(waited.elapsed() >= 250, qPrintable(QString::number(waited.elapsed())));
    QCOMPARE(settled, seen.first().id);
    const QList<StoredEvent> all = events.after(0, 100);
    QCOMPARE(all.size(), 2);
    QVERIFY(all[0].id < all[1].id);
    QCOMPARE(QJsonDocument::fromJson(all[0].data).object().value(u"n"_s).toString(), u"slow"_s);
    slow->wait();
}

void TestEventRepository::retentionPrunesTheOldest_data()
{
    addDialects();
}

void TestEventRepository::retentionPrunesTheOldest()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    Migrator(database).migrate();
    const qint64 ada = makeUser(database, u"ada"_s);
    const EventRepository events(database);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int day = 10; day >= 0; --day)
        events.append(EventType::NotificationCreated, 0, R"({})", { 0, { ada } },
                      now.addDays(-day));
    const QList<StoredEvent> all = events.after(0, 100);
    QCOMPARE(all.size(), 11);
    QCOMPARE(events.prunedThrough(), 0);

    // Older than 7 days: the first 3 (10, 9 and 8 days old), two at a time.
    QCOMPARE(events.pruneBefore(now.addDays(-7), 2), 2);
    QCOMPARE(events.prunedThrough(), all[1].id);
    QCOMPARE(events.pruneBefore(now.addDays(-7), 2), 1);
    QCOMPARE(events.pruneBefore(now.addDays(-7), 2), 0);
    QCOMPARE(events.prunedThrough(), all[2].id);
    QCOMPARE(idsOf(events.forUser(ada, 0, 100)).first(), all[3].id);
    QCOMPARE(database.fetchOne(u"SELECT count(*) FROM event_recipients"_s)->value(0).toInt(), 8);

    // Everything gone: the last id stays where it was, so that cursors keep their meaning.
    while (events.pruneBefore(now.addDays(1), 100) > 0) { }
    QCOMPARE(events.after(0, 100).size(), 0);
    QCOMPARE(events.lastId(), all.last().id);
    QCOMPARE(events.prunedThrough(), all.last().id);
    events.append(EventType::NotificationCreated, 0, R"({})", { 0, { ada } }, now);
    QVERIFY(events.after(0, 100).first().id > all.last().id);
}

QTEST_GUILESS_MAIN(TestEventRepository)
#include "tst_eventrepository.moc"
