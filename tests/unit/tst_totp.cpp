// Totp: RFC 6238's own test vectors, the one-step window either side, the base32 and the
// Key URI format authenticator apps read; anything but six digits matches nothing.
#include "totp.h"

#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890".
const QByteArray Rfc6238Seed = "12345678901234567890";
} // namespace

class TestTotp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfc6238Vectors_data();
    void rfc6238Vectors();
    void window_data();
    void window();
    void malformedCodesMatchNothing_data();
    void malformedCodesMatchNothing();
    void base32_data();
    void base32();
    void malformedBase32IsRefused();
    void provisioningUri();
    void newSecretsAreRandom();
};

void TestTotp::rfc6238Vectors_data()
{
    QTest::addColumn<qint64>("time");
    QTest::addColumn<QString>("eightDigits");
    // Appendix B, SHA1 column. Six digits are the last six of eight (the same number mod 10^6).
    QTest::newRow("59") << qint64(59) << u"94287082"_s;
    QTest::newRow("1111111109") << qint64(1111111109) << u"07081804"_s;
    QTest::newRow("1111111111") << qint64(1111111111) << u"14050471"_s;
    QTest::newRow("1234567890") << qint64(1234567890) << u"89005924"_s;
    QTest::newRow("2000000000") << qint64(2000000000) << u"69279037"_s;
    QTest::newRow("20000000000") << qint64(20000000000) << u"65353130"_s;
}

void TestTotp::rfc6238Vectors()
{
    QFETCH(qint64, time);
    QFETCH(QString, eightDigits);
    const QString code = eightDigits.right(6);
    QCOMPARE(Totp::codeAt(Rfc6238Seed, time), code);
    QCOMPARE(Totp::matchingStep(Rfc6238Seed, code, time), std::optional<qint64>(time / 30));
}

void TestTotp::window_data()
{
    QTest::addColumn<int>("stepOffset");
    QTest::addColumn<bool>("matches");
    QTest::newRow("two steps before") << -2 << false;
    QTest::newRow("one step before") << -1 << true;
    QTest::newRow("this step") << 0 << true;
    QTest::newRow("one step after") << 1 << true;
    QTest::newRow("two steps after") << 2 << false;
}

void TestTotp::window()
{
    QFETCH(int, stepOffset);
    QFETCH(bool, matches);
    const qint64 now = 1111111111;
    const qint64 codeTime = now + qint64(stepOffset) * Totp::StepSeconds;
    const auto step = Totp::matchingStep(Rfc6238Seed, Totp::codeAt(Rfc6238Seed, codeTime), now);
    QCOMPARE(step.has_value(), matches);
    if (matches) // the step of the code, not of the clock: what replay protection records
        QCOMPARE(*step, codeTime / Totp::StepSeconds);
}

void TestTotp::malformedCodesMatchNothing_data()
{
    QTest::addColumn<QString>("code");
    const QString right = Totp::codeAt(Rfc6238Seed, 1111111111);
    QTest::newRow("five digits") << right.left(5);
    QTest::newRow("seven digits") << right + u'0';
    QTest::newRow("leading space") << u' ' + right.left(5);
    QTest::newRow("empty") << QString();
    QTest::newRow("non-ASCII digits") << u"١٢٣٤٥٦"_s;
    QTest::newRow("one digit wrong")
            << right.left(5) + QChar(u'0' + (right.at(5).digitValue() + 1) % 10);
}

void TestTotp::malformedCodesMatchNothing()
{
    QFETCH(QString, code);
    QCOMPARE(Totp::matchingStep(Rfc6238Seed, code, 1111111111), std::nullopt);
}

void TestTotp::base32_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("encoded");
    // RFC 4648 section 10, padding removed as authenticator URIs carry it.
    QTest::newRow("f") << QByteArray("f") << u"MY"_s;
    QTest::newRow("foob") << QByteArray("foob") << u"MZXW6YQ"_s;
    QTest::newRow("foobar") << QByteArray("foobar") << u"MZXW6YTBOI"_s;
    QTest::newRow("RFC 6238 seed") << Rfc6238Seed << u"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"_s;
}

void TestTotp::base32()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, encoded);
    QCOMPARE(Totp::base32(input), encoded);
    QCOMPARE(Totp::fromBase32(encoded), std::optional(input));
    QCOMPARE(Totp::fromBase32(encoded.toLower()), std::optional(input));
}

void TestTotp::malformedBase32IsRefused()
{
    QCOMPARE(Totp::fromBase32(u"MZXW-6YQ"_s), std::nullopt);
    QCOMPARE(Totp::fromBase32(u"MZXW16YQ"_s), std::nullopt);
}

void TestTotp::provisioningUri()
{
    const QString uri = Totp::provisioningUri(u"Tasklane"_s, u"jürgen@example.org"_s, Rfc6238Seed);
    QCOMPARE(uri,
             u"otpauth://totp/Tasklane:j%C3%BCrgen%40example.org?secret="
             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tasklane"_s);
    // A space is %20, never +; a colon would split the label, so it cannot pass.
    const QString spaced = Totp::provisioningUri(u"Acme Tasks"_s, u"a:b@example.org"_s, "x");
    QVERIFY2(spaced.startsWith(u"otpauth://totp/Acme%20Tasks:a%20b%40example.org?"_s),
             qPrintable(spaced));
    QVERIFY(spaced.endsWith(u"&issuer=Acme%20Tasks"_s));
}

void TestTotp::newSecretsAreRandom()
{
    const QByteArray first = Totp::newSecret();
    QCOMPARE(first.size(), Totp::SecretBytes);
    QVERIFY(first != Totp::newSecret());
    QCOMPARE(Totp::base32(first).size(), 32); // 160 bits: no padding to strip
}

QTEST_GUILESS_MAIN(TestTotp)
#include "tst_totp.moc"
