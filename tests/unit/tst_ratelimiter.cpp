// Rate limits' arithmetic: fixed windows aligned to the epoch, the state the RateLimit-*
// headers carry, per-user counts in memory, IPv6 clients counted by their /64, and the login
// throttle's growing delays.
#include "loginthrottle.h"
#include "ratelimiter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowState_data();
    void windowState();
    void memoryCountsPerKeyAndWindow();
    void offMeansNoLimit();
    void addressBuckets_data();
    void addressBuckets();
    void throttleDelays_data();
    void throttleDelays();
};

void TestRateLimiter::windowState_data()
{
    QTest::addColumn<int>("hits");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<int>("remaining");
    QTest::addColumn<qint64>("reset");
    // Limit 3 per 60 s; windows start at multiples of 60 (1,000,020 is one).
    QTest::newRow("first") << 1 << qint64(1'000'040) << true << 2 << qint64(40);
    QTest::newRow("the last allowed") << 3 << qint64(1'000'040) << true << 0 << qint64(40);
    QTest::newRow("one over") << 4 << qint64(1'000'040) << false << 0 << qint64(40);
    QTest::newRow("at a window's start") << 1 << qint64(999'960) << true << 2 << qint64(60);
    QTest::newRow("at a window's last second") << 2 << qint64(1'000'019) << true << 1 << qint64(1);
}

void TestRateLimiter::windowState()
{
    QFETCH(int, hits);
    QFETCH(qint64, time);
    QFETCH(bool, allowed);
    QFETCH(int, remaining);
    QFETCH(qint64, reset);
    const RateWindow window{ 3, 60 };
    const RateLimitState state = window.stateAfter(hits, time);
    QCOMPARE(state.allowed, allowed);
    QCOMPARE(state.limit, 3);
    QCOMPARE(state.remaining, remaining);
    QCOMPARE(state.resetSeconds, reset);
}

void TestRateLimiter::memoryCountsPerKeyAndWindow()
{
    MemoryRateLimiter limiter(RateWindow{ 2, 10 });
    QVERIFY(limiter.hit(7, 100).allowed);
    QVERIFY(limiter.hit(7, 101).allowed);
    QVERIFY(!limiter.hit(7, 109).allowed);
    QVERIFY(limiter.hit(8, 109).allowed); // another user
    QVERIFY(limiter.hit(7, 110).allowed); // the next window
    QCOMPARE(limiter.hit(7, 110).remaining, 0);
}

void TestRateLimiter::offMeansNoLimit()
{
    const RateWindow off{ 0, 60 };
    const RateWindow on{ 1, 60 };
    QVERIFY(!off.enabled());
    QVERIFY(!MemoryRateLimiter(off).enabled());
    QVERIFY(on.enabled());
}

void TestRateLimiter::addressBuckets_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("bucket");
    QTest::newRow("IPv4") << u"203.0.113.9"_s << u"203.0.113.9"_s;
    QTest::newRow("IPv4-mapped IPv6") << u"::ffff:203.0.113.9"_s << u"203.0.113.9"_s;
    QTest::newRow("IPv6: its /64")
            << u"2001:db8:1:2:aaaa:bbbb:cccc:dddd"_s << u"2001:db8:1:2::/64"_s;
    QTest::newRow("another address of the same /64")
            << u"2001:db8:1:2::1"_s << u"2001:db8:1:2::/64"_s;
}

void TestRateLimiter::addressBuckets()
{
    QFETCH(QString, address);
    QFETCH(QString, bucket);
    QCOMPARE(addressBucket(QHostAddress(address)), bucket);
}

void TestRateLimiter::throttleDelays_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("delay");
    QTest::newRow("none yet") << 0 << qint64(0);
    QTest::newRow("two") << 2 << qint64(0);
    QTest::newRow("three: a second") << 3 << qint64(1);
    QTest::newRow("four") << 4 << qint64(2);
    QTest::newRow("five") << 5 << qint64(4);
    QTest::newRow("eight") << 8 << qint64(32);
    QTest::newRow("nine: capped at a minute") << 9 << qint64(60);
    QTest::newRow("a hundred") << 100 << qint64(60);
}

void TestRateLimiter::throttleDelays()
{
    QFETCH(int, failures);
    QFETCH(qint64, delay);
    QCOMPARE(LoginThrottle::delayAfter(failures), delay);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
