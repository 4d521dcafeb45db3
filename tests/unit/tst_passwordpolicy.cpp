// PasswordPolicy: the shipped list of common passwords, compared without case.
#include "passwordpolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestPasswordPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void commonPasswordsAreRefused_data();
    void commonPasswordsAreRefused();

private:
    std::unique_ptr<PasswordPolicy> m_policy;
};

void TestPasswordPolicy::initTestCase()
{
    m_policy = std::make_unique<PasswordPolicy>();
}

void TestPasswordPolicy::commonPasswordsAreRefused_data()
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

void TestPasswordPolicy::commonPasswordsAreRefused()
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

QTEST_GUILESS_MAIN(TestPasswordPolicy)
#include "tst_passwordpolicy.moc"
