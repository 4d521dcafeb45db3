// PasswordHasher: Argon2id at OWASP's floor (19 MiB, 2 passes, 1 lane) through libsodium.
#include "argon2arena.h"
#include "passwordhasher.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hashesWithArgon2id();
    void verifies_data();
    void verifies();
    void asksForRehashWhenCheaper();
    void keepsItsMemoryBetweenHashes();

private:
    std::unique_ptr<PasswordHasher> m_hasher;
    QString m_hash;
};

void TestPasswordHasher::initTestCase()
{
    m_hasher = std::make_unique<PasswordHasher>();
    m_hash = m_hasher->hash(u"Grüße aus Köln, 🚀!"_s);
}

void TestPasswordHasher::hashesWithArgon2id()
{
    QVERIFY2(m_hash.startsWith(u"$argon2id$v=19$m=19456,t=2,p=1$"_s), qPrintable(m_hash));
    QVERIFY(m_hasher->hash(u"Grüße aus Köln, 🚀!"_s) != m_hash); // salted
}

void TestPasswordHasher::verifies_data()
{
    QTest::addColumn<QString>("hash");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("matches");
    QTest::newRow("the same password matches") << QString() << u"Grüße aus Köln, 🚀!"_s << true;
    QTest::newRow("another password does not") << QString() << u"Grüsse aus Köln, 🚀!"_s << false;
    QTest::newRow("a prefix does not") << QString() << u"Grüße aus Köln"_s << false;
    QTest::newRow("a garbage hash matches nothing") << u"$argon2id$nonsense"_s << u"x"_s << false;
    QTest::newRow("an over-long stored hash matches nothing")
            << QString(500, u'$') << u"x"_s << false;
    QTest::newRow("an empty stored hash matches nothing") << u""_s << u""_s << false;
}

void TestPasswordHasher::verifies()
{
    QFETCH(QString, hash);
    QFETCH(QString, password);
    QFETCH(bool, matches);
    if (hash.isNull())
        hash = m_hash;
    QCOMPARE(m_hasher->verify(hash, password), matches);
}

void TestPasswordHasher::asksForRehashWhenCheaper()
{
    QVERIFY(!m_hasher->needsRehash(m_hash));
    const PasswordHasher cheap(PasswordHashCost{ 1, 8 * 1024 * 1024 });
    const QString weak = cheap.hash(u"some password"_s);
    QVERIFY(m_hasher->needsRehash(weak));
    QVERIFY(m_hasher->verify(weak, u"some password"_s)); // still verifies, then gets upgraded
}

void TestPasswordHasher::keepsItsMemoryBetweenHashes()
{
    // Hashing and verifying (with the stored hash's own memory parameter) use the thread's
    // arena, not a mapping of libsodium's own each time (tst_argon2arena tests the arena).
    const PasswordHasher cheap(PasswordHashCost{ 1, 8 * 1024 * 1024 });
    const QString weak = cheap.hash(u"some password"_s);
    const std::uint64_t before = Argon2ArenaScope::lentCount();
    const QString hash = m_hasher->hash(u"some password"_s);
    QCOMPARE(Argon2ArenaScope::lentCount(), before + 1);
    QVERIFY(m_hasher->verify(hash, u"some password"_s));
    QCOMPARE(Argon2ArenaScope::lentCount(), before + 2);
    QVERIFY(m_hasher->verify(weak, u"some password"_s));
    QCOMPARE(Argon2ArenaScope::lentCount(), before + 3);
    QVERIFY(!m_hasher->verify(u"$argon2id$v=19$m=x,t=2,p=1$c2FsdA$aGFzaA"_s, u"x"_s));
    QCOMPARE(Argon2ArenaScope::lentCount(), before + 3);
}

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
