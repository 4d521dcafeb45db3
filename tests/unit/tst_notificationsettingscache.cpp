// NotificationSettingsCache: users' settings read once and kept; forgotten when a save commits,
// never given back by a read that started before that forget; never keeping what the reader's
// own open transaction saved (it may roll back); trusted for its lifetime only; bounded. On both
// dialects, against a real database.
#include "database.h"
#include "migrator.h"
#include "notificationsettingscache.h"
#include "notificationsettingsrepository.h"
#include "scratchdatabase.h"
#include "userrepository.h"

#include <QDateTime>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

namespace {
// The defaults with "changed" turned off on every channel: told apart from them.
NotificationSettings quietAboutChanges()
{
    NotificationSettings settings = NotificationSettings::defaults();
    settings.channels[u"changed"_s].clear();
    return settings;
}

qint64 makeUser(const Database &database, const QString &name)
{
    const auto user = UserRepository(database).create(name + u"@example.com"_s, name, u"hash"_s,
                                                      Role::User);
    return user ? user->id : 0;
}
} // namespace

class TestNotificationSettingsCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rememberIsOrderedAfterForgets_data();
    void rememberIsOrderedAfterForgets();
    void prunedForgetsRefuseEveryEarlierRead();
    void readsOnceAndForgetsOnCommit_data();
    void readsOnceAndForgetsOnCommit();
    void entriesAreTrustedForTheirLifetimeOnly();
    void capacityBoundHolds();
};

void TestNotificationSettingsCache::rememberIsOrderedAfterForgets_data()
{
    // A read's snapshot is taken before it reads the database; a forget comes after a commit.
    QTest::addColumn<bool>("forgetBeforeSnapshot");
    QTest::addColumn<bool>("forgetAfterSnapshot");
    QTest::addColumn<bool>("forgetOtherUser");
    QTest::addColumn<bool>("kept");
    QTest::newRow("no forget") << false << false << false << true;
    QTest::newRow("forgotten before the read began") << true << false << false << true;
    QTest::newRow("forgotten while the read ran") << false << true << false << false;
    QTest::newRow("another user forgotten meanwhile") << false << false << true << true;
}

void TestNotificationSettingsCache::rememberIsOrderedAfterForgets()
{
    QFETCH(bool, forgetBeforeSnapshot);
    QFETCH(bool, forgetAfterSnapshot);
    QFETCH(bool, forgetOtherUser);
    QFETCH(bool, kept);
    NotificationSettingsCache cache(-1);
    if (forgetBeforeSnapshot)
        cache.forget(7);
    const auto readAt = cache.snapshot();
    if (forgetAfterSnapshot)
        cache.forget(7);
    if (forgetOtherUser)
        cache.forget(8);
    QCOMPARE(cache.remember(7, quietAboutChanges(), readAt), kept);
    QList<qint64> missing;
    const auto found = cache.find({ 7, 9 }, &missing);
    QCOMPARE(found.contains(7), kept);
    const QList<qint64> expectedMissing = kept ? QList<qint64>{ 9 } : QList<qint64>{ 7, 9 };
    QCOMPARE(missing, expectedMissing);
    if (kept)
        QCOMPARE(found.value(7), quietAboutChanges());
    cache.forget(7);
    missing.clear();
    QVERIFY(cache.find({ 7 }, &missing).isEmpty());
    QCOMPARE(missing, QList<qint64>{ 7 });
}

void TestNotificationSettingsCache::prunedForgetsRefuseEveryEarlierRead()
{
    NotificationSettingsCache cache(-1);
    const auto early = cache.snapshot();
    for (qint64 id = 1000; id <= 1000 + NotificationSettingsCache::MaxForgets; ++id)
        cache.forget(id);
    QVERIFY(!cache.remember(7, quietAboutChanges(), early));
    QVERIFY(cache.remember(7, quietAboutChanges(), cache.snapshot()));
}

void TestNotificationSettingsCache::readsOnceAndForgetsOnCommit_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("SQLite") << SqlDialect::Sqlite;
    QTest::newRow("PostgreSQL") << SqlDialect::Postgres;
}

void TestNotificationSettingsCache::readsOnceAndForgetsOnCommit()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Database &database = *scratch.database;
    Migrator(database).migrate();
    const qint64 ada = makeUser(database, u"ada"_s);
    const qint64 bob = makeUser(database, u"bob"_s);
    const NotificationSettingsRepository repository(database);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    repository.save(ada, quietAboutChanges(), now);

    NotificationSettingsCache cache(-1);
    // Each user's stored settings, or the defaults for one who never saved any.
    auto found = cache.settingsOf(database, { ada, bob });
    QCOMPARE(found.value(ada), quietAboutChanges());
    QCOMPARE(found.value(bob), NotificationSettings::defaults());
    QCOMPARE(cache.size(), 2);

    // Kept: a save nobody hears of (no observer yet) is not seen...
    repository.save(ada, NotificationSettings::defaults(), now);
    QCOMPARE(cache.settingsOf(database, { ada }).value(ada), quietAboutChanges());
    // ...and a committed save that is heard of is.
    database.addCommitObserver([&cache](Database::Change change, qint64 id) {
        if (change == Database::Change::NotificationSettings)
            cache.forget(id);
    });
    repository.save(ada, NotificationSettings::defaults(), now);
    QCOMPARE(cache.settingsOf(database, { ada }).value(ada), NotificationSettings::defaults());

    // What a transaction saved is read by it, but not kept: rolled back, it never was.
    {
        Transaction transaction(database);
        repository.save(bob, quietAboutChanges(), now);
        QCOMPARE(cache.settingsOf(database, { bob, ada }).value(bob), quietAboutChanges());
    } // rolled back
    found = cache.settingsOf(database, { bob, ada });
    QCOMPARE(found.value(bob), NotificationSettings::defaults());
    QCOMPARE(found.value(ada), NotificationSettings::defaults());
    // Committed, it is heard of and read afresh.
    {
        Transaction transaction(database);
        repository.save(bob, quietAboutChanges(), now);
        QCOMPARE(cache.settingsOf(database, { bob }).value(bob), quietAboutChanges());
        transaction.commit();
    }
    QCOMPARE(cache.settingsOf(database, { bob }).value(bob), quietAboutChanges());
}

void TestNotificationSettingsCache::entriesAreTrustedForTheirLifetimeOnly()
{
    NotificationSettingsCache cache(100);
    QVERIFY(cache.remember(7, quietAboutChanges(), cache.snapshot()));
    QList<qint64> missing;
    QVERIFY(cache.find({ 7 }, &missing).contains(7));
    QThread::msleep(150);
    QVERIFY(cache.find({ 7 }, &missing).isEmpty());
    QCOMPARE(missing, QList<qint64>{ 7 });

    NotificationSettingsCache nothing(0);
    QVERIFY(!nothing.remember(7, quietAboutChanges(), nothing.snapshot()));
    QCOMPARE(nothing.size(), 0);
}

void TestNotificationSettingsCache::capacityBoundHolds()
{
    NotificationSettingsCache cache(-1, 100);
    for (qint64 id = 1; id <= 1000; ++id)
        cache.remember(id, quietAboutChanges(), cache.snapshot());
    QCOMPARE(cache.size(), 100);
    QList<qint64> missing;
    QVERIFY(cache.find({ 1000 }, &missing).contains(1000)); // the most recent are kept
    QVERIFY(cache.find({ 1 }, &missing).isEmpty());
}

QTEST_GUILESS_MAIN(TestNotificationSettingsCache)
#include "tst_notificationsettingscache.moc"
