// The token characters of RFC 9110, section 5.6.2, for every byte value, whatever the locale; the
// credentials of a Bearer Authorization header.
#include "httpsyntax.h"

#include <QTest>

#include <clocale>

using namespace Tasklane;

class TestHttpSyntax : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenCharactersAreExactlyTheRfcOnes_data();
    void tokenCharactersAreExactlyTheRfcOnes();
    void tokens_data();
    void tokens();
    void bearerCredentials_data();
    void bearerCredentials();
};

void TestHttpSyntax::tokenCharactersAreExactlyTheRfcOnes_data()
{
    QTest::addColumn<QByteArray>("locale");
    QTest::newRow("in the C locale") << QByteArray("C");
    // A locale whose isalnum() takes bytes above 127 for letters would widen a check built on
    // it; the explicit set stays the same (skipped where no such locale is installed).
    QTest::newRow("in a Latin-1 locale") << QByteArray("de_DE.ISO-8859-1");
    QTest::newRow("in a UTF-8 locale") << QByteArray("C.UTF-8");
}

void TestHttpSyntax::tokenCharactersAreExactlyTheRfcOnes()
{
    QFETCH(QByteArray, locale);
    const char *previous = std::setlocale(LC_CTYPE, nullptr);
    const QByteArray saved = previous ? QByteArray(previous) : QByteArray("C");
    if (!std::setlocale(LC_CTYPE, locale.constData()))
        QSKIP("locale not installed");
    const QByteArray symbols = "!#$%&'*+-.^_`|~";
    for (int value = 0; value < 256; ++value) {
        const char ch = char(value);
        const bool expected = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                || (ch >= '0' && ch <= '9') || (ch != 0 && symbols.contains(ch));
        QVERIFY2(HttpSyntax::isTokenChar(ch) == expected, qPrintable(QString::number(value)));
    }
    std::setlocale(LC_CTYPE, saved.constData());
}

void TestHttpSyntax::tokens_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("token");
    QTest::newRow("a header name") << QByteArray("X-Request-Id") << true;
    QTest::newRow("every symbol") << QByteArray("!#$%&'*+-.^_`|~") << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("a space") << QByteArray("X Y") << false;
    QTest::newRow("a colon") << QByteArray("X:Y") << false;
    QTest::newRow("a Latin-1 letter") << QByteArray("Gr\xfc\xdf") << false;
    QTest::newRow("a UTF-8 letter") << QByteArray("Gr\xc3\xbc\xc3\x9f") << false;
    QTest::newRow("a control character") << QByteArray("X\x01Y") << false;
}

void TestHttpSyntax::tokens()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, token);
    QCOMPARE(HttpSyntax::isToken(text), token);
}

void TestHttpSyntax::bearerCredentials_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("credentials");
    QTest::newRow("bearer") << QByteArray("Bearer abc.def") << QByteArray("abc.def");
    QTest::newRow("scheme in any case") << QByteArray("bEARER abc") << QByteArray("abc");
    QTest::newRow("trimmed") << QByteArray("Bearer  abc \t") << QByteArray("abc");
    QTest::newRow("nothing after the scheme") << QByteArray("Bearer ") << QByteArray();
    QTest::newRow("only spaces after it") << QByteArray("Bearer    ") << QByteArray();
    QTest::newRow("no space") << QByteArray("Bearerabc") << QByteArray();
    QTest::newRow("another scheme") << QByteArray("Basic YTpi") << QByteArray();
    QTest::newRow("none") << QByteArray() << QByteArray();
}

void TestHttpSyntax::bearerCredentials()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, credentials);
    QCOMPARE(HttpSyntax::bearerCredentials(authorization), credentials);
}

QTEST_GUILESS_MAIN(TestHttpSyntax)
#include "tst_httpsyntax.moc"
