// TokenPair: the OAuth 2 shaped answer of login and refresh.
#include "tokenpair.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestTokenPair : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenPairRoundTrips();
};

void TestTokenPair::tokenPairRoundTrips()
{
    TokenPair pair{ u"a.b.c"_s, u"refresh"_s, u"Bearer"_s, 900 };
    const auto back = TokenPair::fromJson(pair.toJson());
    QVERIFY(back);
    QCOMPARE(back->accessToken, pair.accessToken);
    QCOMPARE(back->expiresIn, 900);
    QVERIFY(!TokenPair::fromJson({}));
}

QTEST_GUILESS_MAIN(TestTokenPair)
#include "tst_tokenpair.moc"
