// DeliveryRepository on both dialects: a delivery is added once per unique key, whether it is
// added at once or held back with others until COMMIT (one statement for all of them); what
// waits for a delivery's id runs exactly for the deliveries that went in, with their ids, and
// may hold writes of its own back (the delivery log), which the same COMMIT makes.
#include "database.h"
#include "deliveryrepository.h"
#include "migrator.h"
#include "scratchdatabase.h"
#include "userrepository.h"

#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestDeliveryRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachDeliveryGoesInOnce_data();
    void eachDeliveryGoesInOnce();
};

namespace {

Delivery reminderOf(qint64 userId, qint64 taskId, const QString &channel)
{
    Delivery delivery;
    delivery.event = u"reminder"_s;
    delivery.taskId = taskId;
    delivery.occurrence = u"2030-01-01T12:00:00.000Z"_s;
    delivery.reminder = u"before:15"_s;
    delivery.userId = userId;
    delivery.channel = channel;
    delivery.status = u"sent"_s;
    delivery.recipient = channel == u"email" ? u"ada@example.com"_s : QString();
    delivery.late = taskId % 2 == 0;
    delivery.dueAt = QDateTime(QDate(2030, 1, 1), QTime(11, 45), QTimeZone::utc());
    delivery.details = { { u"note"_s, u"Grüße \"quoted\""_s } };
    return delivery;
}

} // namespace

void TestDeliveryRepository::eachDeliveryGoesInOnce_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<bool>("held");
    QTest::newRow("at once on SQLite") << SqlDialect::Sqlite << false;
    QTest::newRow("held back on SQLite") << SqlDialect::Sqlite << true;
    QTest::newRow("at once on PostgreSQL") << SqlDialect::Postgres << false;
    QTest::newRow("held back on PostgreSQL") << SqlDialect::Postgres << true;
}

void TestDeliveryRepository::eachDeliveryGoesInOnce()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(bool, held);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    Migrator(database).migrate();
    const auto ada = UserRepository(database).create(u"ada@example.com"_s, u"Ada"_s, u"hash"_s,
                                                     Role::User);
    QVERIFY(ada);
    const DeliveryRepository deliveries(database);
    const QDateTime now(QDate(2030, 1, 1), QTime(11, 45, 1), QTimeZone::utc());
    const auto existing = deliveries.add(reminderOf(ada->id, 1, u"email"_s), now);
    QVERIFY(existing);
    const auto count = [&] {
        return database.fetchOne(u"SELECT count(*) FROM deliveries"_s)->value(0).toInt();
    };

    // Task 1's email exists; tasks 2-41 are new, each on two channels; task 7's email is asked
    // for twice.
    QHash<QString, QList<qint64>> given; // "task/channel" -> the ids each `then` received
    Transaction transaction(database);
    database.setHoldingWrites(held);
    const auto ask = [&](qint64 taskId, const QString &channel) {
        const Delivery delivery = reminderOf(ada->id, taskId, channel);
        deliveries.addThen(delivery, now, [&, taskId, channel](qint64 id) {
            given[u"%1/%2"_s.arg(taskId).arg(channel)].append(id);
            DeliveryAttempt attempt;
            attempt.deliveryId = id;
            attempt.channel = channel;
            attempt.outcome = u"sent"_s;
            attempt.at = now;
            deliveries.recordAttempt(attempt); // held back too, made after the deliveries
        });
    };
    ask(1, u"email"_s);
    for (qint64 taskId = 2; taskId <= 41; ++taskId) {
        ask(taskId, u"email"_s);
        ask(taskId, u"in_app"_s);
    }
    ask(7, u"email"_s);
    QCOMPARE(count(), held ? 1 : 81);
    QCOMPARE(given.size(), held ? 0 : 80);
    transaction.commit();

    QCOMPARE(count(), 81);
    QCOMPARE(given.size(), 80);
    QVERIFY(!given.contains(u"1/email"_s)); // it existed: nothing waits on it
    const QList<QSqlRecord> rows = database.fetchAll(
            u"SELECT id, task_id, channel, status, late, due_at, details, recipient, sent_at "
            "FROM deliveries WHERE id <> ?"_s,
            { *existing });
    QCOMPARE(rows.size(), 80);
    for (const QSqlRecord &row : rows) {
        const qint64 taskId = row.value(1).toLongLong();
        const QString channel = row.value(2).toString();
        const QString key = u"%1/%2"_s.arg(taskId).arg(channel);
        QCOMPARE(given.value(key), QList<qint64>{ row.value(0).toLongLong() }); // once, its id
        const Delivery expected = reminderOf(ada->id, taskId, channel);
        QCOMPARE(row.value(3).toString(), u"sent"_s);
        QCOMPARE(row.value(4).toBool(), expected.late);
        QCOMPARE(Database::readTime(row.value(5)), expected.dueAt);
        QCOMPARE(row.value(6).toString(), u"{\"note\":\"Grüße \\\"quoted\\\"\"}"_s);
        QCOMPARE(row.isNull(7), channel == u"in_app");
        QCOMPARE(Database::readTime(row.value(8)), now);
    }
    // One attempt for each delivery that went in, pointing at it.
    QCOMPARE(database.fetchOne(u"SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON "
                               "d.id = a.delivery_id AND d.channel = a.channel"_s)
                     ->value(0)
                     .toInt(),
             80);
}

QTEST_GUILESS_MAIN(TestDeliveryRepository)
#include "tst_deliveryrepository.moc"
