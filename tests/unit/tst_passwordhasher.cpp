// PasswordHasher and PasswordPolicy: Argon2id at OWASP's floor, and the common-password list.
#include "passwordhasher.h"
#include "passwordpolicy.h"

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
    void commonPasswordsAreRefused_data();
    void commonPasswordsAreRefused();

private:
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<PasswordPolicy> m_policy;
    QString m_hash;
};

void TestPasswordHasher::initTestCase()
{
    m_hasher = std::make_unique<PasswordHasher>();
    m_policy = std::make_unique<PasswordPolicy>();
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

void TestPasswordHasher::commonPasswordsAreRefused_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("common");
    QTest::newRow("password1234") << u"password1234"_s << true;
    QTest::newRow("upper case makes no difference") << u"PASSWORD1234"_s << true;
    QTest::newRow("surrounding spaces make no difference") << u"  qwertyuiop12 "_s << true;
    QTest::newRow("a keyboard walk") << u"1qaz2wsx3edc"_s << false;
    QTest::newRow("a season, a year and bangs") << u"Summer2024!!"_s << true;
    QTest::newRow("an unusual sentence") << u"my cat eats kiwis at noon"_s << false;
    QTest::newRow("iloveyou1234") << u"iloveyou1234"_s << true;
    QTest::newRow("twelve ones") << u"111111111111"_s << true;
    QTest::newRow("the product's own name padded") << u"tasklane1234"_s << true;
    QTest::newRow("a random passphrase") << u"violet-anchor-spruce-42"_s << false;
}

void TestPasswordHasher::commonPasswordsAreRefused()
{
    QFETCH(QString, password);
    QFETCH(bool, common);
    QCOMPARE(m_policy->isCommon(password), common);
    const FieldErrors errors = m_policy->check(u"password"_s, password);
    QCOMPARE(errors.isEmpty(), !common);
    if (common)
        QCOMPARE(errors.first().code, u"common_password"_s);
    QVERIFY(m_policy->listSize() > 10'000);
}

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
