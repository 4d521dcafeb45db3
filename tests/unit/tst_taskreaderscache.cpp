// TaskReadersCache: who may read a task, by id; forgotten when a write commits, never given
// back by a read that started before that forget (even once the record of forgets is pruned),
// trusted for its lifetime only, bounded (all of it ForgetfulCache's, which
// NotificationSettingsCache shares); and the access each reader has.
#include "taskreaderscache.h"

#include <QSet>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
TaskReaders readers(qint64 version, qint64 ownerId, QList<Assignee> shares = {})
{
    TaskReaders result;
    result.version = version;
    result.ownerId = ownerId;
    result.shares = std::move(shares);
    return result;
}
} // namespace

class TestTaskReadersCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rememberIsOrderedAfterForgets_data();
    void rememberIsOrderedAfterForgets();
    void prunedForgetsRefuseEveryEarlierRead();
    void entriesAreTrustedForTheirLifetimeOnly();
    void aLifetimeOfZeroKeepsNothing();
    void capacityBoundHolds();
    void accessOfEachReader_data();
    void accessOfEachReader();
};

void TestTaskReadersCache::rememberIsOrderedAfterForgets_data()
{
    // A read's snapshot is taken before it reads the database; a forget comes after a commit.
    QTest::addColumn<bool>("forgetBeforeSnapshot");
    QTest::addColumn<bool>("forgetAfterSnapshot");
    QTest::addColumn<bool>("forgetOtherTask");
    QTest::addColumn<bool>("kept");
    QTest::newRow("no forget") << false << false << false << true;
    QTest::newRow("forgotten before the read began") << true << false << false << true;
    QTest::newRow("forgotten while the read ran") << false << true << false << false;
    QTest::newRow("another task forgotten meanwhile") << false << false << true << true;
}

void TestTaskReadersCache::rememberIsOrderedAfterForgets()
{
    QFETCH(bool, forgetBeforeSnapshot);
    QFETCH(bool, forgetAfterSnapshot);
    QFETCH(bool, forgetOtherTask);
    QFETCH(bool, kept);
    TaskReadersCache cache(-1);
    if (forgetBeforeSnapshot)
        cache.forget(7);
    const auto readAt = cache.snapshot();
    if (forgetAfterSnapshot)
        cache.forget(7);
    if (forgetOtherTask)
        cache.forget(8);
    QCOMPARE(cache.remember(7, readers(3, 1), readAt), kept);
    QCOMPARE(cache.find(7).has_value(), kept);
    if (kept)
        QCOMPARE(cache.find(7)->version, 3);
    // A later read, after every forget, is kept whatever happened before.
    QVERIFY(cache.remember(7, readers(4, 1), cache.snapshot()));
    QCOMPARE(cache.find(7)->version, 4);
    cache.forget(7);
    QVERIFY(!cache.find(7));
}

void TestTaskReadersCache::prunedForgetsRefuseEveryEarlierRead()
{
    TaskReadersCache cache(-1);
    const auto early = cache.snapshot();
    // Enough forgets of other tasks to prune the record: the read begun before them can no
    // longer be told apart from one that missed a forget of its own task.
    for (qint64 id = 1000; id <= 1000 + TaskReadersCache::MaxForgets; ++id)
        cache.forget(id);
    QVERIFY(!cache.remember(7, readers(1, 1), early));
    QVERIFY(cache.remember(7, readers(1, 1), cache.snapshot()));
}

void TestTaskReadersCache::entriesAreTrustedForTheirLifetimeOnly()
{
    TaskReadersCache cache(100);
    QVERIFY(cache.remember(7, readers(1, 1), cache.snapshot()));
    QVERIFY(cache.find(7));
    QThread::msleep(150);
    QVERIFY(!cache.find(7));

    // Entries remembered together expire apart (spreadCacheLifetime): between half the
    // lifetime and all of it, some are gone and some are kept.
    TaskReadersCache spread(4000);
    const auto generation = spread.snapshot();
    for (qint64 taskId = 1; taskId <= 200; ++taskId)
        QVERIFY(spread.remember(taskId, readers(1, 1), generation));
    QThread::msleep(2200);
    // Of those kept, the ones within the last quarter of their lifetime ask to be read again
    // (CacheRefresher), each once.
    int kept = 0;
    int due = 0;
    QSet<qint64> asked;
    for (qint64 taskId = 1; taskId <= 200; ++taskId) {
        bool refreshDue = false;
        kept += spread.find(taskId, &refreshDue) ? 1 : 0;
        due += refreshDue ? 1 : 0;
        if (refreshDue)
            asked.insert(taskId);
    }
    QVERIFY2(kept > 0 && kept < 200, qPrintable(QString::number(kept)));
    QVERIFY2(due > 0 && due < kept, qPrintable(u"%1 of %2"_s.arg(due).arg(kept)));
    for (qint64 taskId = 1; taskId <= 200; ++taskId) {
        bool refreshDue = false;
        spread.find(taskId, &refreshDue);
        // Each asks once: one that asked before does not again (another may have entered its
        // last quarter since the first pass, and asks now for its first time).
        if (refreshDue) {
            QVERIFY(!asked.contains(taskId));
            asked.insert(taskId);
        }
    }
    // What was read again is a new entry, trusted afresh.
    QVERIFY(spread.remember(1, readers(2, 1), spread.snapshot()));
    bool refreshDue = false;
    QCOMPARE(spread.find(1, &refreshDue)->version, qint64(2));
    QVERIFY(!refreshDue);

    // Entries kept until they are forgotten (SQLite) never ask.
    TaskReadersCache forever(-1);
    QVERIFY(forever.remember(1, readers(1, 1), forever.snapshot()));
    QVERIFY(forever.find(1, &refreshDue));
    QVERIFY(!refreshDue);
}

void TestTaskReadersCache::aLifetimeOfZeroKeepsNothing()
{
    TaskReadersCache cache(0);
    QVERIFY(!cache.isEnabled());
    QVERIFY(!cache.remember(7, readers(1, 1), cache.snapshot()));
    QVERIFY(!cache.find(7));
}

void TestTaskReadersCache::capacityBoundHolds()
{
    TaskReadersCache cache(-1, 100);
    for (qint64 id = 1; id <= 1000; ++id)
        cache.remember(id, readers(1, 1), cache.snapshot());
    QCOMPARE(cache.size(), 100);
    QVERIFY(cache.find(1000)); // the most recent are kept
    QVERIFY(!cache.find(1));
}

void TestTaskReadersCache::accessOfEachReader_data()
{
    QTest::addColumn<qint64>("userId");
    QTest::addColumn<int>("access"); // -1: may not see the task
    QTest::newRow("owner") << qint64(1) << int(TaskAccess::Owner);
    QTest::newRow("editor") << qint64(2) << int(TaskAccess::Edit);
    QTest::newRow("viewer") << qint64(3) << int(TaskAccess::View);
    QTest::newRow("stranger") << qint64(4) << -1;
}

void TestTaskReadersCache::accessOfEachReader()
{
    QFETCH(qint64, userId);
    QFETCH(int, access);
    const TaskReaders task
            = readers(1, 1, { { 2, SharePermission::Edit }, { 3, SharePermission::View } });
    const auto found = task.accessOf(userId);
    QCOMPARE(found ? int(*found) : -1, access);
}

QTEST_GUILESS_MAIN(TestTaskReadersCache)
#include "tst_taskreaderscache.moc"
