// The two-factor request parsers of common/: codes normalised as people type them, exactly
// one second factor, every field error named.
#include "fielderrortext.h"
#include "jsonfieldreader.h"
#include "twofactor.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestTwoFactorRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void totpCodes_data();
    void totpCodes();
    void recoveryCodes_data();
    void recoveryCodes();
    void proof_data();
    void proof();
    void secondFactorLogin_data();
    void secondFactorLogin();
    void accountClosure_data();
    void accountClosure();
    void answersRoundTrip();
};

void TestTwoFactorRequests::totpCodes_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("normalized"); // empty: refused
    QTest::newRow("six digits") << u"050471"_s << u"050471"_s;
    QTest::newRow("grouped with a space") << u"050 471"_s << u"050471"_s;
    QTest::newRow("five digits") << u"05047"_s << QString();
    QTest::newRow("seven digits") << u"0504711"_s << QString();
    QTest::newRow("a letter") << u"05047a"_s << QString();
    QTest::newRow("Arabic-Indic digits") << u"٠٥٠٤٧١"_s << QString();
    QTest::newRow("a hyphen") << u"050-471"_s << QString();
}

void TestTwoFactorRequests::totpCodes()
{
    QFETCH(QString, typed);
    QFETCH(QString, normalized);
    QCOMPARE(normalizeTotpCode(typed).value_or(QString()), normalized);
}

void TestTwoFactorRequests::recoveryCodes_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("normalized"); // empty: refused
    QTest::newRow("a 9 (not base32)") << u"7k2m-q9xd-4hpt-w3ne"_s << QString();
    QTest::newRow("base32 as shown") << u"7k2m-qaxd-4hpt-w3ne"_s << u"7k2mqaxd4hptw3ne"_s;
    QTest::newRow("upper case, spaces") << u"7K2M QAXD 4HPT W3NE"_s << u"7k2mqaxd4hptw3ne"_s;
    QTest::newRow("no separators") << u"7k2mqaxd4hptw3ne"_s << u"7k2mqaxd4hptw3ne"_s;
    QTest::newRow("fifteen characters") << u"7k2m-qaxd-4hpt-w3n"_s << QString();
    QTest::newRow("seventeen characters") << u"7k2m-qaxd-4hpt-w3nea"_s << QString();
    QTest::newRow("a 1 (not base32)") << u"1k2m-qaxd-4hpt-w3ne"_s << QString();
    QTest::newRow("an underscore") << u"7k2m_qaxd_4hpt_w3ne"_s << QString();
}

void TestTwoFactorRequests::recoveryCodes()
{
    QFETCH(QString, typed);
    QFETCH(QString, normalized);
    const auto code = normalizeRecoveryCode(typed);
    QCOMPARE(code.value_or(QString()), normalized);
    if (code) // shown again as four groups of four
        QCOMPARE(normalizeRecoveryCode(formatRecoveryCode(*code)), code);
}

void TestTwoFactorRequests::proof_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::newRow("password and code")
            << QByteArray(R"({"password":"p","code":"123456"})") << QStringList();
    QTest::newRow("password and recovery code")
            << QByteArray(R"({"password":"p","recovery_code":"aaaa-bbbb-cccc-dddd"})")
            << QStringList();
    QTest::newRow("both factors") << QByteArray(
            R"({"password":"p","code":"123456","recovery_code":"aaaabbbbccccdddd"})")
                                  << QStringList{ u"recovery_code:conflict"_s };
    QTest::newRow("no factor") << QByteArray(R"({"password":"p"})")
                               << QStringList{ u"code:required"_s };
    QTest::newRow("no password") << QByteArray(R"({"code":"123456"})")
                                 << QStringList{ u"password:required"_s };
    QTest::newRow("a code of letters") << QByteArray(R"({"password":"p","code":"abcdef"})")
                                       << QStringList{ u"code:invalid_format"_s };
    QTest::newRow("a code as a number") << QByteArray(R"({"password":"p","code":123456})")
                                        << QStringList{ u"code:wrong_type"_s };
    QTest::newRow("a malformed recovery code")
            << QByteArray(R"({"password":"p","recovery_code":"0000-0000-0000-0000"})")
            << QStringList{ u"recovery_code:invalid_format"_s };
    QTest::newRow("an unknown field")
            << QByteArray(R"({"password":"p","code":"123456","remember":true})")
            << QStringList{ u"remember:unknown_field"_s };
}

void TestTwoFactorRequests::proof()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    FieldErrors found;
    const auto request = TwoFactorProofRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    QCOMPARE(request.has_value(), errors.isEmpty());
    if (request) // what the API client sends parses back to the same
        QCOMPARE(TwoFactorProofRequest::fromJson(request->toJson(), nullptr)->factor.value,
                 request->factor.value);
}

void TestTwoFactorRequests::accountClosure_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<bool>("withFactor");
    QTest::newRow("password alone") << QByteArray(R"({"password":"p"})") << QStringList() << false;
    QTest::newRow("password and code")
            << QByteArray(R"({"password":"p","code":"123 456"})") << QStringList() << true;
    QTest::newRow("password and recovery code")
            << QByteArray(R"({"password":"p","recovery_code":"aaaa-bbbb-cccc-dddd"})")
            << QStringList() << true;
    QTest::newRow("both factors") << QByteArray(
            R"({"password":"p","code":"123456","recovery_code":"aaaabbbbccccdddd"})")
                                  << QStringList{ u"recovery_code:conflict"_s } << false;
    QTest::newRow("no password") << QByteArray(R"({"code":"123456"})")
                                 << QStringList{ u"password:required"_s } << false;
    QTest::newRow("an empty password")
            << QByteArray(R"({"password":""})") << QStringList{ u"password:required"_s } << false;
    QTest::newRow("a malformed code") << QByteArray(R"({"password":"p","code":"12ab"})")
                                      << QStringList{ u"code:invalid_format"_s } << false;
    QTest::newRow("an unknown field") << QByteArray(R"({"password":"p","forever":true})")
                                      << QStringList{ u"forever:unknown_field"_s } << false;
}

void TestTwoFactorRequests::accountClosure()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    QFETCH(bool, withFactor);
    FieldErrors found;
    const auto request = AccountClosureRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    QCOMPARE(request.has_value(), errors.isEmpty());
    if (!request)
        return;
    QCOMPARE(request->factor.has_value(), withFactor);
    const auto again = AccountClosureRequest::fromJson(request->toJson(), nullptr);
    QVERIFY(again);
    QCOMPARE(again->password, request->password);
    QCOMPARE(again->factor.has_value(), withFactor);
    if (withFactor)
        QCOMPARE(again->factor->value, request->factor->value);
}

void TestTwoFactorRequests::secondFactorLogin_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::newRow("token and code")
            << QByteArray(R"({"mfa_token":"t","code":"123 456"})") << QStringList();
    QTest::newRow("no token") << QByteArray(R"({"code":"123456"})")
                              << QStringList{ u"mfa_token:required"_s };
    QTest::newRow("a 257-character token")
            << (R"({"code":"123456","mfa_token":")" + QByteArray(257, 't') + "\"}")
            << QStringList{ u"mfa_token:too_long"_s };
}

void TestTwoFactorRequests::secondFactorLogin()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    FieldErrors found;
    const auto request = SecondFactorLoginRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    if (request)
        QCOMPARE(request->factor.value, u"123456"_s);
}

void TestTwoFactorRequests::answersRoundTrip()
{
    const MfaChallenge challenge{ u"token"_s, 300 };
    QCOMPARE(challenge.toJson().value(u"mfa_required"_s), QJsonValue(true));
    QCOMPARE(MfaChallenge::fromJson(challenge.toJson())->mfaToken, u"token"_s);
    const RecoveryCodes codes{ { u"aaaa-bbbb-cccc-dddd"_s } };
    QCOMPARE(RecoveryCodes::fromJson(codes.toJson())->codes, codes.codes);
    const TwoFactorSetup setup{ u"S"_s, u"otpauth://totp/x"_s, u"<svg/>"_s };
    QCOMPARE(TwoFactorSetup::fromJson(setup.toJson())->qrSvg, setup.qrSvg);
    // A token pair is not a challenge.
    QVERIFY(!MfaChallenge::fromJson(QJsonObject{ { u"access_token"_s, u"a"_s } }));
}

QTEST_GUILESS_MAIN(TestTwoFactorRequests)
#include "tst_twofactorrequests.moc"
