// PrincipalCache: found by token, forgotten by token or user through its indexes, bounded, and
// never given back what a forget cleared by a read that started before the forget.
#include "principalcache.h"

#include <QDateTime>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
Principal principal(qint64 userId, const QString &jti, qint64 expiresInSeconds = 600)
{
    Principal p;
    p.user.id = userId;
    p.user.email = u"user%1@example.com"_s.arg(userId);
    p.user.displayName = u"User %1"_s.arg(userId);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    p.token = AccessClaims{ userId, jti, now, now.addSecs(expiresInSeconds) };
    return p;
}

QByteArray tokenOf(const QString &jti)
{
    return "token-" + jti.toLatin1();
}
} // namespace

class TestPrincipalCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rememberIsOrderedAfterForgets_data();
    void rememberIsOrderedAfterForgets();
    void entriesAreFoundByToken();
    void forgetUserRemovesAllOfItsTokens();
    void forgetTokenRemovesOnlyThatToken();
    void capacityBoundHolds_data();
    void capacityBoundHolds();
    void expiredEntriesAreNotReturned_data();
    void expiredEntriesAreNotReturned();
    void entriesRememberedTogetherExpireApart();
    void snapshotsOlderThanPrunedForgetsAreRefused();
    void aDisabledCacheKeepsNothing();
};

void TestPrincipalCache::rememberIsOrderedAfterForgets_data()
{
    // A worker snapshots, reads "user 1, token a, not revoked", then remembers; meanwhile
    // something is forgotten, before or after the snapshot.
    QTest::addColumn<QString>("forget");
    QTest::addColumn<bool>("afterSnapshot");
    QTest::addColumn<bool>("kept");
    QTest::newRow("a logout of the token after the snapshot refuses it")
            << u"token a"_s << true << false;
    QTest::newRow("a change of its user after the snapshot refuses it")
            << u"user 1"_s << true << false;
    QTest::newRow("a logout of the token before the snapshot does not")
            << u"token a"_s << false << true;
    QTest::newRow("a change of its user before the snapshot does not")
            << u"user 1"_s << false << true;
    QTest::newRow("a logout of another token after the snapshot does not")
            << u"token b"_s << true << true;
    QTest::newRow("a change of another user after the snapshot does not")
            << u"user 2"_s << true << true;
}

void TestPrincipalCache::rememberIsOrderedAfterForgets()
{
    QFETCH(QString, forget);
    QFETCH(bool, afterSnapshot);
    QFETCH(bool, kept);
    PrincipalCache cache(60'000);
    const auto doForget = [&] {
        if (forget.startsWith(u"token "_s))
            cache.forgetToken(forget.mid(6));
        else
            cache.forgetUser(forget.mid(5).toLongLong());
    };
    if (!afterSnapshot)
        doForget();
    const PrincipalCache::Generation readAt = cache.snapshot();
    if (afterSnapshot)
        doForget();
    QCOMPARE(cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), readAt), kept);
    QCOMPARE(cache.find(tokenOf(u"a"_s)).has_value(), kept);
    // A read that starts after the forget is remembered again.
    QVERIFY(cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), cache.snapshot()));
    QVERIFY(cache.find(tokenOf(u"a"_s)));
}

void TestPrincipalCache::entriesAreFoundByToken()
{
    PrincipalCache cache(60'000);
    QVERIFY(cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), cache.snapshot()));
    QVERIFY(cache.remember(tokenOf(u"b"_s), principal(2, u"b"_s), cache.snapshot()));
    const auto a = cache.find(tokenOf(u"a"_s));
    QVERIFY(a);
    QCOMPARE(a->user.id, 1);
    QCOMPARE(a->token.jti, u"a"_s);
    QVERIFY(a->userJson.contains("user1@example.com")); // serialised once, on the way in
    QCOMPARE(cache.find(tokenOf(u"b"_s))->user.id, 2);
    QVERIFY(!cache.find(tokenOf(u"c"_s)));
    QVERIFY(!cache.find("a"));
}

void TestPrincipalCache::forgetUserRemovesAllOfItsTokens()
{
    PrincipalCache cache(60'000);
    for (const QString &jti : { u"a1"_s, u"a2"_s, u"a3"_s })
        QVERIFY(cache.remember(tokenOf(jti), principal(1, jti), cache.snapshot()));
    QVERIFY(cache.remember(tokenOf(u"b1"_s), principal(2, u"b1"_s), cache.snapshot()));
    cache.forgetUser(1);
    for (const QString &jti : { u"a1"_s, u"a2"_s, u"a3"_s })
        QVERIFY2(!cache.find(tokenOf(jti)), qPrintable(jti));
    QVERIFY(cache.find(tokenOf(u"b1"_s)));
    QCOMPARE(cache.size(), 1);
}

void TestPrincipalCache::forgetTokenRemovesOnlyThatToken()
{
    PrincipalCache cache(60'000);
    QVERIFY(cache.remember(tokenOf(u"a1"_s), principal(1, u"a1"_s), cache.snapshot()));
    QVERIFY(cache.remember(tokenOf(u"a2"_s), principal(1, u"a2"_s), cache.snapshot()));
    cache.forgetToken(u"a1"_s);
    QVERIFY(!cache.find(tokenOf(u"a1"_s)));
    QVERIFY(cache.find(tokenOf(u"a2"_s)));
    cache.forgetUser(1); // the user index no longer holds a1 either
    QVERIFY(!cache.find(tokenOf(u"a2"_s)));
    QCOMPARE(cache.size(), 0);
}

void TestPrincipalCache::capacityBoundHolds_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("inserted");
    QTest::newRow("3 kept at most when 10 fresh ones come") << 3 << 10;
    QTest::newRow("1 kept at most when 5 fresh ones come") << 1 << 5;
    QTest::newRow("100 kept at most when 1000 fresh ones come") << 100 << 1000;
}

void TestPrincipalCache::capacityBoundHolds()
{
    QFETCH(int, capacity);
    QFETCH(int, inserted);
    PrincipalCache cache(60'000, capacity);
    for (int i = 0; i < inserted; ++i) {
        const QString jti = QString::number(i);
        QVERIFY(cache.remember(tokenOf(jti), principal(i % 7 + 1, jti), cache.snapshot()));
        QVERIFY(cache.size() <= capacity);
        QVERIFY(cache.find(tokenOf(jti))); // the newest is always there
    }
    // Forgets are bounded too, and still order what comes after them.
    for (int i = 0; i < inserted; ++i)
        cache.forgetToken(QString::number(i));
    QCOMPARE(cache.size(), 0);
}

void TestPrincipalCache::expiredEntriesAreNotReturned_data()
{
    QTest::addColumn<int>("lifetimeMs");
    QTest::addColumn<qint64>("tokenExpiresIn");
    QTest::addColumn<bool>("found");
    QTest::newRow("a fresh entry of a live token is returned") << 60'000 << qint64(600) << true;
    QTest::newRow("an entry past the cache lifetime is not") << 30 << qint64(600) << false;
    QTest::newRow("an entry whose token has expired is not") << 60'000 << qint64(-1) << false;
}

void TestPrincipalCache::expiredEntriesAreNotReturned()
{
    QFETCH(int, lifetimeMs);
    QFETCH(qint64, tokenExpiresIn);
    QFETCH(bool, found);
    PrincipalCache cache(lifetimeMs);
    QVERIFY(cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s, tokenExpiresIn),
                           cache.snapshot()));
    QTest::qSleep(60);
    QCOMPARE(cache.find(tokenOf(u"a"_s)).has_value(), found);
}

void TestPrincipalCache::entriesRememberedTogetherExpireApart()
{
    // Each is kept for half the lifetime or more, at random (spreadCacheLifetime): between the
    // two, some are gone and some are kept.
    PrincipalCache cache(4000);
    const PrincipalCache::Generation readAt = cache.snapshot();
    for (int i = 1; i <= 200; ++i) {
        const QString name = QString::number(i);
        QVERIFY(cache.remember(tokenOf(name), principal(i, name), readAt));
    }
    QTest::qSleep(2200);
    // Of those kept, the ones within the last quarter of their lifetime ask to be read again
    // (CacheRefresher), each once.
    int kept = 0;
    int due = 0;
    QSet<int> asked;
    for (int i = 1; i <= 200; ++i) {
        bool refreshDue = false;
        kept += cache.find(tokenOf(QString::number(i)), &refreshDue) ? 1 : 0;
        due += refreshDue ? 1 : 0;
        if (refreshDue)
            asked.insert(i);
    }
    QVERIFY2(kept > 0 && kept < 200, qPrintable(QString::number(kept)));
    QVERIFY2(due > 0 && due < kept, qPrintable(u"%1 of %2"_s.arg(due).arg(kept)));
    for (int i = 1; i <= 200; ++i) {
        bool refreshDue = false;
        cache.find(tokenOf(QString::number(i)), &refreshDue);
        // Each asks once: one that asked before does not again (another may have entered its
        // last quarter since the first pass, and asks now for its first time).
        if (refreshDue) {
            QVERIFY(!asked.contains(i));
            asked.insert(i);
        }
    }
}

void TestPrincipalCache::snapshotsOlderThanPrunedForgetsAreRefused()
{
    // Forgets are kept for a lifetime only; a read that began before a pruned forget cannot
    // tell whether it concerned it, so it is not cached (the answer itself stays right).
    PrincipalCache cache(30);
    const PrincipalCache::Generation readAt = cache.snapshot();
    cache.forgetUser(1);
    QTest::qSleep(60);
    cache.forgetUser(2); // prunes the forget of user 1
    QVERIFY(!cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), readAt));
    QVERIFY(!cache.remember(tokenOf(u"c"_s), principal(3, u"c"_s), readAt));
    QVERIFY(cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), cache.snapshot()));
}

void TestPrincipalCache::aDisabledCacheKeepsNothing()
{
    PrincipalCache cache(0);
    QVERIFY(!cache.isEnabled());
    QVERIFY(!cache.remember(tokenOf(u"a"_s), principal(1, u"a"_s), cache.snapshot()));
    QVERIFY(!cache.find(tokenOf(u"a"_s)));
    QCOMPARE(cache.size(), 0);
}

QTEST_GUILESS_MAIN(TestPrincipalCache)
#include "tst_principalcache.moc"
