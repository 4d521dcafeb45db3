// SecretBox: what it seals opens with the same key and context only; any change to the sealed
// value, another key, another context or a malformed value opens nothing.
#include "secretbox.h"
#include "securerandom.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
const QByteArray Key
        = QByteArray::fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const QByteArray Secret = "twenty bytes secret!";
const QByteArray Context = "tasklane totp user 7";

QByteArray flipped(QByteArray sealed, qsizetype at)
{
    bool ok = false;
    QByteArray raw = base64UrlDecode(sealed, &ok);
    raw[at] = char(raw.at(at) ^ 0x01);
    return base64UrlEncode(raw);
}
} // namespace

class TestSecretBox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sealedOpens();
    void sealingTwiceDiffers();
    void tampering_data();
    void tampering();
    void keyFromText_data();
    void keyFromText();
    void keysOfTheWrongSizeAreRefused();
};

void TestSecretBox::sealedOpens()
{
    const SecretBox box(Key);
    const QByteArray sealed = box.seal(Secret, Context);
    QVERIFY(!sealed.contains(Secret));
    QCOMPARE(box.open(sealed, Context), std::optional<QByteArray>(Secret));
}

void TestSecretBox::sealingTwiceDiffers()
{
    const SecretBox box(Key);
    // A fresh nonce every time: equal secrets do not look equal at rest.
    QVERIFY(box.seal(Secret, Context) != box.seal(Secret, Context));
}

void TestSecretBox::tampering_data()
{
    QTest::addColumn<QByteArray>("sealed");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("context");
    const QByteArray good = SecretBox(Key).seal(Secret, Context);
    QByteArray otherKey = Key;
    otherKey[0] = char(otherKey.at(0) ^ 0x80);
    bool ok = false;
    const qsizetype size = base64UrlDecode(good, &ok).size();
    QTest::newRow("version byte") << flipped(good, 0) << Key << Context;
    QTest::newRow("nonce") << flipped(good, 5) << Key << Context;
    QTest::newRow("ciphertext") << flipped(good, 14) << Key << Context;
    QTest::newRow("tag") << flipped(good, size - 1) << Key << Context;
    QTest::newRow("another key") << good << otherKey << Context;
    QTest::newRow("another row") << good << Key << QByteArray("tasklane totp user 8");
    QTest::newRow("truncated") << good.left(good.size() - 4) << Key << Context;
    QTest::newRow("not base64url") << QByteArray("!!!") << Key << Context;
    QTest::newRow("empty") << QByteArray() << Key << Context;
}

void TestSecretBox::tampering()
{
    QFETCH(QByteArray, sealed);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, context);
    QCOMPARE(SecretBox(key).open(sealed, context), std::nullopt);
}

void TestSecretBox::keyFromText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("64 hex digits") << Key.toHex() << true;
    QTest::newRow("with a newline") << Key.toHex() + '\n' << true;
    QTest::newRow("upper case") << Key.toHex().toUpper() << true;
    QTest::newRow("62 digits") << Key.toHex().left(62) << false;
    QTest::newRow("66 digits") << Key.toHex() + "00" << false;
    QTest::newRow("not hex") << QByteArray(64, 'g') << false;
    QTest::newRow("base64 of 32 bytes") << Key.toBase64() << false;
}

void TestSecretBox::keyFromText()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    const auto key = SecretBox::keyFromText(text);
    QCOMPARE(key.has_value(), valid);
    if (valid)
        QCOMPARE(*key, Key);
}

void TestSecretBox::keysOfTheWrongSizeAreRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SecretBox(QByteArray(16, 'k')));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SecretBox(QByteArray(33, 'k')));
}

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
