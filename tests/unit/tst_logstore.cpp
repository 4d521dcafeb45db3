// LogStore on both dialects: what the log hands it is stored, newest first, with text neither
// database takes (NUL, unpaired surrogates) cleaned and long messages cut; a record the
// database refuses is lost alone, not with its batch; the queue is bounded and says how much it
// dropped; request lines are kept as log_store_requests says.
#include "commitgroup.h"
#include "cursorcodec.h"
#include "logstore.h"
#include "migrator.h"
#include "scratchdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

namespace {
LogRecord message(const QString &level, const QString &text)
{
    LogRecord record;
    record.at = QDateTime::currentDateTimeUtc();
    record.level = level;
    record.category = u"tasklane.test"_s;
    record.message = text;
    return record;
}

QList<LogRecord> everything(const LogStore &store)
{
    return store.list({}, {}, 200).items;
}
} // namespace

class TestLogStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsAreStoredCleanedAndBounded_data();
    void recordsAreStoredCleanedAndBounded();
    void requestLinesAreKeptAsConfigured_data();
    void requestLinesAreKeptAsConfigured();
};

void TestLogStore::recordsAreStoredCleanedAndBounded_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("SQLite") << SqlDialect::Sqlite;
    QTest::newRow("PostgreSQL") << SqlDialect::Postgres;
}

void TestLogStore::recordsAreStoredCleanedAndBounded()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Database &database = *scratch.database;
    Migrator(database).migrate();
    CommitGroup writes(database, 4);
    const CursorCodec cursors("a signing secret of enough length for the tests");
    LogStore::Config config;
    config.maxPending = 6;
    config.source = u"host:1"_s;
    LogStore store(database, writes, cursors, config);

    store.offer(message(u"info"_s, u"a NUL\u0000 inside"_s));
    store.offer(message(u"warning"_s, u"a lone "_s + QChar(0xD800) + u" surrogate"_s));
    store.offer(message(u"info"_s, QString(5000, u'x')));
    // A level the table refuses: it is lost alone, not with the records around it.
    store.offer(message(u"loud"_s, u"refused"_s));
    store.offer(message(u"error"_s, u"a pair \U0001F600 stays"_s));
    store.flush();
    const QList<LogRecord> stored = everything(store);
    QCOMPARE(stored.size(), 4);
    QStringList texts;
    for (const LogRecord &record : stored) {
        texts.append(record.message);
        QCOMPARE(record.source, u"host:1"_s);
    }
    QVERIFY(texts.contains(u"a NUL\ufffd inside"_s));
    QVERIFY(texts.contains(u"a lone \ufffd surrogate"_s));
    QVERIFY(texts.contains(QString(LogStore::MaxMessageLength, u'x')));
    QVERIFY(texts.contains(u"a pair \U0001F600 stays"_s));

    // Beyond maxPending, records are dropped and counted in a warning record of their own.
    for (int n = 0; n < 9; ++n)
        store.offer(message(u"info"_s, u"burst %1"_s.arg(n)));
    store.flush();
    const QList<LogRecord> after = everything(store);
    QCOMPARE(after.size(), 4 + 6 + 1);
    const auto report = std::find_if(after.cbegin(), after.cend(), [](const LogRecord &record) {
        return record.category == u"tasklane.logstore";
    });
    QVERIFY(report != after.cend());
    QCOMPARE(report->level, u"warning"_s);
    QVERIFY2(report->message.startsWith(u"3 log records were not stored"_s),
             qPrintable(report->message));

    // Retention: beyond the newest `keep`, and older than the cutoff.
    QCOMPARE(store.prune(QDateTime::currentDateTimeUtc().addDays(-1), 5), 6);
    QCOMPARE(everything(store).size(), 5);
    QCOMPARE(store.prune(QDateTime::currentDateTimeUtc().addSecs(60), 1000), 5);
    QVERIFY(everything(store).isEmpty());
}

void TestLogStore::requestLinesAreKeptAsConfigured_data()
{
    QTest::addColumn<QString>("setting");
    QTest::addColumn<int>("status");
    QTest::addColumn<double>("durationMs");
    QTest::addColumn<bool>("kept");
    QTest::newRow("failed: a 200") << u"failed"_s << 200 << 3.0 << false;
    QTest::newRow("failed: a 404") << u"failed"_s << 404 << 3.0 << true;
    QTest::newRow("failed: a 500") << u"failed"_s << 500 << 3.0 << true;
    QTest::newRow("failed: a slow 200") << u"failed"_s << 200 << 1500.0 << true;
    QTest::newRow("all: a 200") << u"all"_s << 200 << 1.0 << true;
    QTest::newRow("none: a 500") << u"none"_s << 500 << 1.0 << false;
}

void TestLogStore::requestLinesAreKeptAsConfigured()
{
    QFETCH(QString, setting);
    QFETCH(int, status);
    QFETCH(double, durationMs);
    QFETCH(bool, kept);
    ScratchDatabase scratch(SqlDialect::Sqlite);
    CommitGroup writes(*scratch.database);
    const CursorCodec cursors("a signing secret of enough length for the tests");
    LogStore::Config config;
    config.requests = LogStore::requestLinesFromString(setting).value();
    const LogStore store(*scratch.database, writes, cursors, config);
    QCOMPARE(store.keepsRequest(status, durationMs), kept);
    QVERIFY(!LogStore::requestLinesFromString(u"some"_s));
}

QTEST_GUILESS_MAIN(TestLogStore)
#include "tst_logstore.moc"
