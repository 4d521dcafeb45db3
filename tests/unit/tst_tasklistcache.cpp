// TaskListCache: pages by user and key; a user's pages forgotten together, never given back by
// a read that started before the forget (even once the record of forgets is pruned); trusted
// for their lifetime only; bounded by bytes and by pages per user.
#include "tasklistcache.h"

#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestTaskListCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rememberIsOrderedAfterForgets_data();
    void rememberIsOrderedAfterForgets();
    void forgettingAUserForgetsAllOfItsPagesAndNoOneElses();
    void prunedForgetsRefuseEveryEarlierRead();
    void pagesAreTrustedForTheirLifetimeOnly();
    void boundsHold();
};

void TestTaskListCache::rememberIsOrderedAfterForgets_data()
{
    QTest::addColumn<bool>("forgetBeforeSnapshot");
    QTest::addColumn<bool>("forgetAfterSnapshot");
    QTest::addColumn<bool>("forgetOtherUser");
    QTest::addColumn<bool>("kept");
    QTest::newRow("no forget") << false << false << false << true;
    QTest::newRow("forgotten before the read began") << true << false << false << true;
    QTest::newRow("forgotten while the read ran") << false << true << false << false;
    QTest::newRow("another user forgotten meanwhile") << false << false << true << true;
}

void TestTaskListCache::rememberIsOrderedAfterForgets()
{
    QFETCH(bool, forgetBeforeSnapshot);
    QFETCH(bool, forgetAfterSnapshot);
    QFETCH(bool, forgetOtherUser);
    QFETCH(bool, kept);
    TaskListCache cache(-1, 1 << 20);
    if (forgetBeforeSnapshot)
        cache.forgetUser(7);
    const auto readAt = cache.snapshot();
    if (forgetAfterSnapshot)
        cache.forgetUser(7);
    if (forgetOtherUser)
        cache.forgetUser(8);
    QCOMPARE(cache.remember(7, u"sort=due"_s, "{\"items\":[]}", readAt), kept);
    QCOMPARE(cache.find(7, u"sort=due"_s).has_value(), kept);
    QVERIFY(!cache.find(7, u"sort=title"_s));
}

void TestTaskListCache::forgettingAUserForgetsAllOfItsPagesAndNoOneElses()
{
    TaskListCache cache(-1, 1 << 20);
    QVERIFY(cache.remember(7, u"a"_s, "7a", cache.snapshot()));
    QVERIFY(cache.remember(7, u"b"_s, "7b", cache.snapshot()));
    QVERIFY(cache.remember(8, u"a"_s, "8a", cache.snapshot()));
    cache.forgetUser(7);
    QVERIFY(!cache.find(7, u"a"_s));
    QVERIFY(!cache.find(7, u"b"_s));
    QCOMPARE(cache.find(8, u"a"_s).value_or(QByteArray()), QByteArray("8a"));
}

void TestTaskListCache::prunedForgetsRefuseEveryEarlierRead()
{
    TaskListCache cache(-1, 1 << 20);
    const auto early = cache.snapshot();
    for (qint64 user = 1000; user <= 1000 + TaskListCache::MaxForgets; ++user)
        cache.forgetUser(user);
    QVERIFY(!cache.remember(7, u"a"_s, "7a", early));
    QVERIFY(cache.remember(7, u"a"_s, "7a", cache.snapshot()));
}

void TestTaskListCache::pagesAreTrustedForTheirLifetimeOnly()
{
    TaskListCache cache(100, 1 << 20);
    QVERIFY(cache.remember(7, u"a"_s, "7a", cache.snapshot()));
    QVERIFY(cache.find(7, u"a"_s));
    QThread::msleep(150);
    QVERIFY(!cache.find(7, u"a"_s));
    TaskListCache off(0, 1 << 20);
    QVERIFY(!off.remember(7, u"a"_s, "7a", off.snapshot()));
}

void TestTaskListCache::boundsHold()
{
    const QByteArray page(10'000, 'x');
    TaskListCache cache(-1, 200'000);
    for (qint64 user = 1; user <= 100; ++user)
        cache.remember(user, u"a"_s, page, cache.snapshot());
    QVERIFY2(cache.bytes() <= 200'000, QByteArray::number(cache.bytes()).constData());
    QVERIFY(cache.find(100, u"a"_s)); // the most recent user's page is kept
    QVERIFY(!cache.find(1, u"a"_s));
    // One user's pages: at most PagesPerUser, the newest kept.
    TaskListCache one(-1, 1 << 24);
    for (int i = 0; i < 3 * TaskListCache::PagesPerUser; ++i)
        one.remember(7, QString::number(i), "p", one.snapshot());
    int found = 0;
    for (int i = 0; i < 3 * TaskListCache::PagesPerUser; ++i)
        found += one.find(7, QString::number(i)) ? 1 : 0;
    QCOMPARE(found, int(TaskListCache::PagesPerUser));
    QVERIFY(one.find(7, QString::number(3 * TaskListCache::PagesPerUser - 1)));
}

QTEST_GUILESS_MAIN(TestTaskListCache)
#include "tst_tasklistcache.moc"
