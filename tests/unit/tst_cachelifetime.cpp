// spreadCacheLifetime: a new cache entry is trusted for half its lifetime or more, never longer,
// and entries made at the same moment expire at different moments; 0 keeps nothing, and a
// negative lifetime is forever.
#include "cachelifetime.h"

#include <QTest>

#include <algorithm>

using namespace Tasklane;

class TestCacheLifetime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void entriesExpireApartWithinTheLifetime_data();
    void entriesExpireApartWithinTheLifetime();
};

void TestCacheLifetime::entriesExpireApartWithinTheLifetime_data()
{
    QTest::addColumn<int>("lifetimeMs");
    QTest::addColumn<qint64>("shortestMs");
    QTest::addColumn<qint64>("longestMs");
    QTest::newRow("the default 2 s") << 2000 << qint64(1000) << qint64(2000);
    QTest::newRow("an odd lifetime") << 301 << qint64(151) << qint64(301);
    QTest::newRow("1 ms") << 1 << qint64(0) << qint64(1);
    QTest::newRow("0: nothing kept") << 0 << qint64(0) << qint64(0);
    QTest::newRow("forever") << -1 << qint64(-1) << qint64(-1);
}

void TestCacheLifetime::entriesExpireApartWithinTheLifetime()
{
    QFETCH(int, lifetimeMs);
    QFETCH(qint64, shortestMs);
    QFETCH(qint64, longestMs);
    // Deadlines made now, measured against a moment taken just before (remainingTime counts
    // down from the deadline's making, so a slow loop only lowers what is measured).
    QList<qint64> remaining;
    for (int i = 0; i < 1000; ++i)
        remaining.append(spreadCacheLifetime(lifetimeMs).remainingTime());
    const auto [low, high] = std::minmax_element(remaining.cbegin(), remaining.cend());
    if (lifetimeMs < 0) {
        QCOMPARE(*low, -1); // QDeadlineTimer::Forever
        QCOMPARE(*high, -1);
        return;
    }
    QVERIFY2(*high <= longestMs, qPrintable(QString::number(*high)));
    // A deadline made a moment ago may have lost a millisecond or two of it since.
    QVERIFY2(*low >= shortestMs - 20 || shortestMs == 0, qPrintable(QString::number(*low)));
    if (lifetimeMs >= 300) {
        // Spread over the range, not bunched: some in its lowest tenth, some in its highest.
        const qint64 tenth = (longestMs - shortestMs) / 10;
        QVERIFY2(*low <= shortestMs + tenth, qPrintable(QString::number(*low)));
        QVERIFY2(*high >= longestMs - tenth, qPrintable(QString::number(*high)));
    }
}

QTEST_GUILESS_MAIN(TestCacheLifetime)
#include "tst_cachelifetime.moc"
