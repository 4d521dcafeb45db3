// Web Push encryption and VAPID (WebPushCrypto, P256Key) on OpenSSL 3: the RFC 8291 worked
// example reproduced byte for byte, keys refused when they are not P-256 points, and ES256
// signatures in JWS's raw r || s form that OpenSSL verifies once turned back into DER.
#include "webpushcrypto.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestWebPushCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theRfc8291ExampleIsReproduced();
    void subscriptionKeysAreChecked_data();
    void subscriptionKeysAreChecked();
    void vapidTokensVerify();
};

namespace {
QByteArray b64(const char *text)
{
    return fromBase64Url(QString::fromLatin1(text)).value_or(QByteArray());
}

// Verifies a raw r || s ES256 signature with OpenSSL, through DER.
bool verifies(const QByteArray &publicKey, const QByteArray &input, const QByteArray &raw)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(
            sig, BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), 32, nullptr),
            BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + 32, 32, nullptr));
    unsigned char *der = nullptr;
    const int derLength = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    // The key again, made here: P256Key keeps its EVP_PKEY to itself.
    EVP_PKEY *pkey = nullptr;
    {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string("group", const_cast<char *>("P-256"), 0),
            OSSL_PARAM_construct_octet_string("pub", const_cast<char *>(publicKey.constData()),
                                              size_t(publicKey.size())),
            OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
        EVP_PKEY_fromdata_init(ctx);
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
        EVP_PKEY_CTX_free(ctx);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const bool ok = pkey
            && EVP_DigestVerifyInit_ex(md, nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) == 1
            && EVP_DigestVerify(md, der, size_t(derLength),
                                reinterpret_cast<const unsigned char *>(input.constData()),
                                size_t(input.size()))
                    == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    OPENSSL_free(der);
    return ok;
}
} // namespace

void TestWebPushCrypto::theRfc8291ExampleIsReproduced()
{
    // RFC 8291, section 5 and appendix A.
    const QByteArray plaintext = "When I grow up, I want to be a watermelon";
    const QByteArray authSecret = b64("BTBZMqHH6r4Tts7J_aSIgg");
    const QByteArray uaPublic
            = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyP"
                  "js7Vd8pZGH6SRpkNtoIAiw4");
    const P256Key sender = P256Key::fromPrivate(b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"));
    QCOMPARE(base64Url(sender.publicBytes()),
             QByteArray("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wE"
                        "qKK6PBru3jl7A8"));
    const auto receiver = P256Key::fromPublic(uaPublic);
    QVERIFY(receiver);
    QCOMPARE(base64Url(sender.agree(*receiver)),
             QByteArray("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"));
    // The receiver's side agrees on the same secret.
    const P256Key uaKey = P256Key::fromPrivate(b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"));
    QCOMPARE(uaKey.publicBytes(), uaPublic);
    QCOMPARE(uaKey.agree(*P256Key::fromPublic(sender.publicBytes())), sender.agree(*receiver));

    const QByteArray body = WebPushCrypto::encrypt(plaintext, uaPublic, authSecret, sender,
                                                   b64("DGv6ra1nlYgDCS1FRnbzlw"));
    QCOMPARE(body.size(), 144);
    QCOMPARE(base64Url(body),
             QByteArray("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDl"
                        "l6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2"
                        "Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"));
    // A fresh key and salt each time otherwise.
    QVERIFY(WebPushCrypto::encrypt(plaintext, uaPublic, authSecret)
            != WebPushCrypto::encrypt(plaintext, uaPublic, authSecret));
    QVERIFY_THROWS_EXCEPTION(
            WebPushError,
            WebPushCrypto::encrypt(QByteArray(WebPushCrypto::MaxPlaintext + 1, 'x'), uaPublic,
                                   authSecret));
}

void TestWebPushCrypto::subscriptionKeysAreChecked_data()
{
    QTest::addColumn<QByteArray>("point");
    QTest::addColumn<bool>("valid");
    const QByteArray good
            = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7"
                  "Vd8pZGH6SRpkNtoIAiw4");
    QByteArray flipped = good;
    flipped[40] = char(flipped[40] ^ 0x01);
    QByteArray compressedPrefix = good;
    compressedPrefix[0] = 0x02;
    QTest::newRow("a point on the curve") << good << true;
    QTest::newRow("one bit flipped: off the curve") << flipped << false;
    QTest::newRow("not the uncompressed form") << compressedPrefix << false;
    QTest::newRow("too short") << good.left(64) << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestWebPushCrypto::subscriptionKeysAreChecked()
{
    QFETCH(QByteArray, point);
    QFETCH(bool, valid);
    QCOMPARE(P256Key::fromPublic(point).has_value(), valid);
}

void TestWebPushCrypto::vapidTokensVerify()
{
    const P256Key key = P256Key::generate();
    QCOMPARE(P256Key::fromPrivate(key.privateBytes()).publicBytes(), key.publicBytes());
    // Signatures whose r or s is short (about one in 150) are padded, not cut.
    for (int i = 0; i < 300; ++i) {
        const QByteArray input = "message " + QByteArray::number(i);
        const QByteArray signature = key.signEs256(input);
        QCOMPARE(signature.size(), 64);
        QVERIFY2(verifies(key.publicBytes(), input, signature), input.constData());
    }
    const QDateTime expires = QDateTime::currentDateTimeUtc().addSecs(12 * 3600);
    const QByteArray header = WebPushCrypto::vapidAuthorization(
            key, u"https://push.example.net"_s, u"mailto:ops@tasklane.example"_s, expires);
    QVERIFY(header.startsWith("vapid t="));
    const QList<QByteArray> parts = header.mid(8).split(',');
    QCOMPARE(parts.size(), 2);
    const QList<QByteArray> jwt = parts[0].split('.');
    QCOMPARE(jwt.size(), 3);
    QCOMPARE(parts[1].trimmed(), "k=" + base64Url(key.publicBytes()));
    const QJsonObject claims
            = QJsonDocument::fromJson(*fromBase64Url(QString::fromLatin1(jwt[1]))).object();
    QCOMPARE(claims.value(u"aud"_s).toString(), u"https://push.example.net"_s);
    QCOMPARE(claims.value(u"sub"_s).toString(), u"mailto:ops@tasklane.example"_s);
    QCOMPARE(claims.value(u"exp"_s).toInteger(), expires.toSecsSinceEpoch());
    QVERIFY(verifies(key.publicBytes(), jwt[0] + '.' + jwt[1],
                     *fromBase64Url(QString::fromLatin1(jwt[2]))));
}

QTEST_GUILESS_MAIN(TestWebPushCrypto)
#include "tst_webpushcrypto.moc"
