// JwtCodec: what it issues verifies; everything else is refused, whatever the header claims.
#include "jwtcodec.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
const QByteArray Key = "unit-test-signing-key-0123456789abcdef";

QByteArray encode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray craft(const QJsonObject &header, const QJsonObject &payload, const QByteArray &key = Key)
{
    const QByteArray input = encode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
            + encode(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return input + '.'
            + encode(QMessageAuthenticationCode::hash(input, key, QCryptographicHash::Sha256));
}

QJsonObject validPayload()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return { { u"iss"_s, u"tasklane"_s }, { u"aud"_s, u"tasklane-api"_s },
             { u"sub"_s, u"7"_s },        { u"iat"_s, now },
             { u"nbf"_s, now },           { u"exp"_s, now + 600 },
             { u"jti"_s, u"abc"_s } };
}

const QJsonObject Hs256{ { u"alg"_s, u"HS256"_s }, { u"typ"_s, u"JWT"_s } };
} // namespace

class TestJwtCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void issuedTokensVerify();
    void craftedTokens_data();
    void craftedTokens();
    void malformedTokens_data();
    void malformedTokens();
};

void TestJwtCodec::issuedTokensVerify()
{
    const JwtCodec codec(Key, u"tasklane"_s, u"tasklane-api"_s, 900);
    AccessClaims issued;
    const QString token = codec.issue(42, 0, &issued);
    const auto claims = codec.verify(token.toLatin1());
    QVERIFY(claims);
    QCOMPARE(claims->userId, 42);
    QCOMPARE(claims->jti, issued.jti);
    QCOMPARE(claims->expiresAt.toSecsSinceEpoch() - claims->issuedAt.toSecsSinceEpoch(), 900);
    // The issue time survives to the millisecond (iat_ms), for revocation within a second.
    QCOMPARE(claims->issuedAt, issued.issuedAt);
    QCOMPARE(claims->issuedAt.toMSecsSinceEpoch(), issued.issuedAt.toMSecsSinceEpoch());
    QVERIFY(codec.issue(42) != token); // a new jti each time
    QCOMPARE(claims->sessionId, 0); // none asked for
    // The session travels in the sid claim.
    const auto inSession = codec.verify(codec.issue(42, 7).toLatin1());
    QVERIFY(inSession);
    QCOMPARE(inSession->sessionId, 7);
    const JwtCodec otherKey("another-key-entirely-0123456789abcdef", u"tasklane"_s,
                            u"tasklane-api"_s, 900);
    QVERIFY(!otherKey.verify(token.toLatin1()));
}

void TestJwtCodec::craftedTokens_data()
{
    QTest::addColumn<QJsonObject>("header");
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("accepted");

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    auto with = [](QJsonObject object, const QString &name, const QJsonValue &value) {
        if (value.isUndefined())
            object.remove(name);
        else
            object.insert(name, value);
        return object;
    };
    const QJsonObject valid = validPayload();
    QTest::newRow("a well-formed token is accepted") << Hs256 << valid << Key << true;
    QTest::newRow("an audience list containing ours is accepted")
            << Hs256 << with(valid, u"aud"_s, QJsonArray{ u"x"_s, u"tasklane-api"_s }) << Key
            << true;
    QTest::newRow("a session id is accepted") << Hs256 << with(valid, u"sid"_s, 7) << Key << true;
    QTest::newRow("a session id of text is refused")
            << Hs256 << with(valid, u"sid"_s, u"7"_s) << Key << false;
    QTest::newRow("a session id of zero is refused")
            << Hs256 << with(valid, u"sid"_s, 0) << Key << false;
    QTest::newRow("a token expired a minute ago is refused")
            << Hs256 << with(valid, u"exp"_s, now - 60) << Key << false;
    QTest::newRow("a token expired within the leeway is accepted")
            << Hs256 << with(valid, u"exp"_s, now - 5) << Key << true;
    QTest::newRow("a token not valid for another hour is refused")
            << Hs256 << with(valid, u"nbf"_s, now + 3600) << Key << false;
    QTest::newRow("a token issued in the future is refused")
            << Hs256 << with(valid, u"iat"_s, now + 3600) << Key << false;
    QTest::newRow("another issuer is refused")
            << Hs256 << with(valid, u"iss"_s, u"someone-else"_s) << Key << false;
    QTest::newRow("another audience is refused")
            << Hs256 << with(valid, u"aud"_s, u"other-api"_s) << Key << false;
    QTest::newRow("an audience list without ours is refused")
            << Hs256 << with(valid, u"aud"_s, QJsonArray{ u"x"_s }) << Key << false;
    QTest::newRow("a missing audience is refused")
            << Hs256 << with(valid, u"aud"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("an empty audience is refused")
            << Hs256 << with(valid, u"aud"_s, u""_s) << Key << false;
    QTest::newRow("a missing issuer is refused")
            << Hs256 << with(valid, u"iss"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("a missing issue time is refused")
            << Hs256 << with(valid, u"iat"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("a string issue time is refused")
            << Hs256 << with(valid, u"iat"_s, u"now"_s) << Key << false;
    QTest::newRow("an iat_ms within iat's second is accepted")
            << Hs256 << with(valid, u"iat_ms"_s, now * 1000 + 999) << Key << true;
    QTest::newRow("an iat_ms in another second than iat is refused")
            << Hs256 << with(valid, u"iat_ms"_s, (now - 1) * 1000 + 999) << Key << false;
    QTest::newRow("a string iat_ms is refused")
            << Hs256 << with(valid, u"iat_ms"_s, QString::number(now * 1000)) << Key << false;
    QTest::newRow("a missing expiry is refused")
            << Hs256 << with(valid, u"exp"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("a string expiry is refused")
            << Hs256 << with(valid, u"exp"_s, u"tomorrow"_s) << Key << false;
    QTest::newRow("a missing subject is refused")
            << Hs256 << with(valid, u"sub"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("a non-numeric subject is refused")
            << Hs256 << with(valid, u"sub"_s, u"admin"_s) << Key << false;
    QTest::newRow("a missing token id is refused")
            << Hs256 << with(valid, u"jti"_s, QJsonValue::Undefined) << Key << false;
    QTest::newRow("a token signed with another key is refused")
            << Hs256 << valid << QByteArray("not-the-key-0123456789-0123456789") << false;
    QTest::newRow("HS512 is not on the allow-list")
            << QJsonObject{ { u"alg"_s, u"HS512"_s } } << valid << Key << false;
    QTest::newRow("RS256 is not on the allow-list")
            << QJsonObject{ { u"alg"_s, u"RS256"_s } } << valid << Key << false;
    QTest::newRow("lower-case hs256 is not on the allow-list")
            << QJsonObject{ { u"alg"_s, u"hs256"_s } } << valid << Key << false;
    QTest::newRow("a header without alg is refused")
            << QJsonObject{ { u"typ"_s, u"JWT"_s } } << valid << Key << false;
    QTest::newRow("critical header extensions are refused")
            << with(Hs256, u"crit"_s, QJsonArray{ u"exp"_s }) << valid << Key << false;
}

void TestJwtCodec::craftedTokens()
{
    QFETCH(QJsonObject, header);
    QFETCH(QJsonObject, payload);
    QFETCH(QByteArray, key);
    QFETCH(bool, accepted);
    const JwtCodec codec(Key, u"tasklane"_s, u"tasklane-api"_s, 900);
    QString reason;
    const auto claims = codec.verify(craft(header, payload, key), &reason);
    QVERIFY2(claims.has_value() == accepted, qPrintable(reason));
    if (accepted) {
        QCOMPARE(claims->userId, 7);
        // Without iat_ms the issue time is the start of iat's second; with it, iat_ms.
        const QJsonValue iatMs = payload.value(u"iat_ms"_s);
        QCOMPARE(claims->issuedAt.toMSecsSinceEpoch(),
                 iatMs.isUndefined() ? payload.value(u"iat"_s).toInteger() * 1000
                                     : iatMs.toInteger());
    }
}

void TestJwtCodec::malformedTokens_data()
{
    QTest::addColumn<QByteArray>("token");
    const QByteArray good = craft(Hs256, validPayload());
    const QList<QByteArray> parts = good.split('.');
    const QByteArray none = encode(R"({"alg":"none"})") + '.' + parts.at(1) + '.';
    QTest::newRow("alg none with an empty signature") << none;
    QTest::newRow("alg none with the real signature")
            << encode(R"({"alg":"none"})") + '.' + parts.at(1) + '.' + parts.at(2);
    QTest::newRow("an empty token") << QByteArray();
    QTest::newRow("two parts") << parts.at(0) + '.' + parts.at(1);
    QTest::newRow("four parts") << good + ".extra";
    QTest::newRow("a truncated signature") << good.left(good.size() - 3);
    QTest::newRow("padding characters") << good + "==";
    QTest::newRow("characters outside base64url") << parts.at(0) + '.' + parts.at(1) + ".a+b/c";
    QTest::newRow("a payload that is not JSON")
            << parts.at(0) + '.' + encode("not json") + '.' + parts.at(2);
    QTest::newRow("a tampered payload") << parts.at(0) + '.'
                    + encode(QJsonDocument(QJsonObject(validPayload()))
                                     .toJson(QJsonDocument::Compact)
                                     .replace("\"7\"", "\"8\""))
                    + '.' + parts.at(2);
    QTest::newRow("more than 4 KiB") << QByteArray(5000, 'a') + '.' + QByteArray(5, 'b') + ".c";
    QTest::newRow("dots only") << QByteArray("..");
}

void TestJwtCodec::malformedTokens()
{
    QFETCH(QByteArray, token);
    const JwtCodec codec(Key, u"tasklane"_s, u"tasklane-api"_s, 900);
    QVERIFY(!codec.verify(token));
}

QTEST_GUILESS_MAIN(TestJwtCodec)
#include "tst_jwtcodec.moc"
