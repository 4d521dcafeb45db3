// RowInsertBatch on both dialects: rows held back go in with one statement, in the order they
// were added, each value as it was given (integers, text of any kind, nulls, timestamps).
#include "database.h"
#include "rowinsertbatch.h"
#include "scratchdatabase.h"

#include <QSqlRecord>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

namespace {

class SampleBatch final : public RowInsertBatch
{
public:
    SampleBatch()
        : RowInsertBatch(u"samples"_s,
                         { { u"n"_s, u"bigint"_s },
                           { u"label"_s, u"text"_s },
                           { u"at"_s, u"timestamptz"_s } })
    { }
};

void createSamples(const Database &database)
{
    database.executeRaw(database.dialect() == SqlDialect::Postgres
                                ? u"CREATE TABLE samples (id BIGINT GENERATED ALWAYS AS IDENTITY "
                                  "PRIMARY KEY, n BIGINT, label TEXT, at TIMESTAMPTZ)"_s
                                : u"CREATE TABLE samples (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                  "n INTEGER, label TEXT, at TEXT)"_s);
}

} // namespace

class TestRowInsertBatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsGoInTogetherAsGiven_data();
    void rowsGoInTogetherAsGiven();
};

void TestRowInsertBatch::rowsGoInTogetherAsGiven_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<int>("rows");
    QTest::newRow("one row on SQLite") << SqlDialect::Sqlite << 1;
    QTest::newRow("300 rows on SQLite") << SqlDialect::Sqlite << 300;
    QTest::newRow("one row on PostgreSQL") << SqlDialect::Postgres << 1;
    QTest::newRow("300 rows on PostgreSQL") << SqlDialect::Postgres << 300;
}

void TestRowInsertBatch::rowsGoInTogetherAsGiven()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(int, rows);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &database = *scratch.database;
    createSamples(database);
    const QDateTime start(QDate(2030, 1, 1), QTime(12, 0), QTimeZone::utc());
    // Text that JSON must carry: quotes, a backslash, a line break, a NUL-free control
    // character, non-Latin letters, an emoji; and SQL that must stay text.
    const QStringList labels{ u"plain"_s, u"\"quoted\" \\ back"_s, u"line\nbreak\ttab\x01"_s,
                              u"Grüße, 日本, 🎉"_s, u"'); DROP TABLE samples; --"_s };
    SampleBatch batch;
    for (int n = 0; n < rows; ++n) {
        const bool none = n % 7 == 3;
        batch.add({ qint64(n) * 1'000'000'007LL,
                    none ? QVariant(QMetaType::fromType<QString>()) : QVariant(labels.at(n % 5)),
                    none ? QVariant(QMetaType::fromType<QString>())
                         : Database::bindTime(start.addSecs(n)) });
    }
    const auto counted = [&] {
        return database.fetchOne(u"SELECT count(*) FROM samples"_s)->value(0).toInt();
    };
    QCOMPARE(counted(), 0); // held until flushed
    batch.flush(database);
    batch.flush(database); // nothing left: inserts nothing more
    QCOMPARE(counted(), rows);
    const QList<QSqlRecord> found
            = database.fetchAll(u"SELECT n, label, at FROM samples ORDER BY id"_s);
    QCOMPARE(found.size(), rows);
    for (int n = 0; n < rows; ++n) {
        const QSqlRecord &row = found.at(n);
        QCOMPARE(row.value(0).toLongLong(), qint64(n) * 1'000'000'007LL); // in the order added
        if (n % 7 == 3) {
            QVERIFY(row.isNull(1));
            QVERIFY(row.isNull(2));
        } else {
            QCOMPARE(row.value(1).toString(), labels.at(n % 5));
            QCOMPARE(Database::readTime(row.value(2)), start.addSecs(n));
        }
    }
}

QTEST_GUILESS_MAIN(TestRowInsertBatch)
#include "tst_rowinsertbatch.moc"
