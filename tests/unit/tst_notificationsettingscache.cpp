// NotificationSettingsCache: users' settings read once and kept, the defaults for those who saved
// none; forgotten when a save commits; what the reader's own open transaction saved read from it
// and never kept (it may roll back). On both dialects, against a real database. The ordering of
// forgets and reads, lifetimes and the bound are ForgetfulCache's (tst_taskreaderscache).
#include "database.h"
#include "migrator.h"
#include "notificationsettingscache.h"
#include "notificationsettingsrepository.h"
#include "scratchdatabase.h"
#include "storagefixtures.h"
#include "userrepository.h"

#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::makeUser;
using Tasklane::Test::ScratchDatabase;

namespace {
// The defaults with "changed" turned off on every channel: told apart from them.
NotificationSettings quietAboutChanges()
{
    NotificationSettings settings = NotificationSettings::defaults();
    settings.channels[u"changed"_s].clear();
    return settings;
}

} // namespace

class TestNotificationSettingsCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsOnceAndForgetsOnCommit_data();
    void readsOnceAndForgetsOnCommit();
};

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
    // Someone whose address is not verified yet is read without the email channel.
    const qint64 cal = makeUser(database, u"cal"_s, false);
    const NotificationSettings unverified = cache.settingsOf(database, { cal }).value(cal);
    QVERIFY(!unverified.channels.isEmpty());
    for (auto channels = unverified.channels.cbegin(); channels != unverified.channels.cend();
         ++channels) {
        QVERIFY2(!channels->contains(u"email"_s), qPrintable(channels.key()));
        QCOMPARE(*channels,
                 NotificationSettings::defaults().channels.value(channels.key())
                         - QSet<QString>{ u"email"_s });
    }

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

QTEST_GUILESS_MAIN(TestNotificationSettingsCache)
#include "tst_notificationsettingscache.moc"
