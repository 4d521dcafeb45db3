// CacheRefresher: re-reads go to the pool it was given, at most `maxInFlight` at once (the rest
// refused, so a flood of hits cannot grow a queue); nothing goes before it is wired or after it
// stopped; a re-read that throws is dropped and frees its place.
#include "cacherefresher.h"

#include <QSemaphore>
#include <QTest>
#include <QThreadPool>

#include <stdexcept>

using namespace Tasklane;

class TestCacheRefresher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reReadsAreBoundedAndNeverBlock_data();
    void reReadsAreBoundedAndNeverBlock();
};

void TestCacheRefresher::reReadsAreBoundedAndNeverBlock_data()
{
    QTest::addColumn<int>("maxInFlight");
    QTest::addColumn<int>("asked");
    QTest::newRow("fewer than the limit") << 4 << 3;
    QTest::newRow("as many as the limit") << 4 << 4;
    QTest::newRow("many more than the limit") << 4 << 50;
    QTest::newRow("a limit of one") << 1 << 5;
}

void TestCacheRefresher::reReadsAreBoundedAndNeverBlock()
{
    QFETCH(int, maxInFlight);
    QFETCH(int, asked);
    CacheRefresher refresher(maxInFlight);
    std::atomic<int> ran{ 0 };
    QVERIFY(!refresher.refresh([&ran] { ++ran; })); // not wired yet

    QThreadPool pool;
    pool.setMaxThreadCount(2);
    refresher.setPost([&pool](std::function<void()> task) {
        pool.start(std::move(task));
        return true;
    });
    // Every re-read waits until released: those taken stay in flight meanwhile.
    QSemaphore release;
    int queued = 0;
    for (int i = 0; i < asked; ++i) {
        queued += refresher.refresh([&] {
            release.acquire();
            ++ran;
        })
                ? 1
                : 0;
    }
    QCOMPARE(queued, std::min(asked, maxInFlight));
    QCOMPARE(refresher.inFlight(), queued);
    release.release(queued);
    pool.waitForDone();
    QCOMPARE(ran.load(), queued);
    QCOMPARE(refresher.inFlight(), 0);

    // A re-read that throws is dropped, and its place is free again.
    QVERIFY(refresher.refresh([] { throw std::runtime_error("the database went away"); }));
    pool.waitForDone();
    QCOMPARE(refresher.inFlight(), 0);
    // A pool that refuses: nothing in flight.
    refresher.setPost([](std::function<void()>) { return false; });
    QVERIFY(!refresher.refresh([&ran] { ++ran; }));
    QCOMPARE(refresher.inFlight(), 0);
    // Stopped: nothing more.
    refresher.setPost([&pool](std::function<void()> task) {
        pool.start(std::move(task));
        return true;
    });
    refresher.stop();
    QVERIFY(!refresher.refresh([&ran] { ++ran; }));
    pool.waitForDone();
    QCOMPARE(ran.load(), queued);
}

QTEST_GUILESS_MAIN(TestCacheRefresher)
#include "tst_cacherefresher.moc"
