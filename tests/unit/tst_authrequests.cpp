// The account request parsers of common/: every field error named, lengths in characters.
#include "authrequests.h"
#include "fielderrortext.h"
#include "jsonfieldreader.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
QString repeat(const QString &text, int times)
{
    QString out;
    for (int i = 0; i < times; ++i)
        out += text;
    return out;
}
} // namespace

class TestAuthRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signup_data();
    void signup();
    void passwordLengthCountsCharacters_data();
    void passwordLengthCountsCharacters();
    void login_data();
    void login();
    void updateMe_data();
    void updateMe();
    void normalizeLocale_data();
    void normalizeLocale();
    void normalizeEmail_data();
    void normalizeEmail();
    void displayName_data();
    void displayName();
    void errorListIsBounded();
};

void TestAuthRequests::signup_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::newRow("a complete request parses") << QByteArray(
            R"({"email":"A@B.example","password":"long enough pass","display_name":"A"})")
                                               << QStringList();
    QTest::newRow("an empty object names all three fields")
            << QByteArray("{}")
            << QStringList{ u"email:required"_s, u"password:required"_s,
                            u"display_name:required"_s };
    QTest::newRow("wrong types are named")
            << QByteArray(R"({"email":1,"password":true,"display_name":[]})")
            << QStringList{ u"email:wrong_type"_s, u"password:wrong_type"_s,
                            u"display_name:wrong_type"_s };
    QTest::newRow("unknown fields are named in order") << QByteArray(
            R"({"email":"a@b.co","password":"long enough pass","display_name":"A","z":1,"role":"admin"})")
                                                       << QStringList{ u"role:unknown_field"_s,
                                                                       u"z:unknown_field"_s };
    QTest::newRow("a short password is too short")
            << QByteArray(R"({"email":"a@b.co","password":"short","display_name":"A"})")
            << QStringList{ u"password:too_short"_s };
    QTest::newRow("an 11-character password is too short")
            << QByteArray(R"({"email":"a@b.co","password":"eleven-char","display_name":"A"})")
            << QStringList{ u"password:too_short"_s };
    QTest::newRow("a 12-character password is long enough")
            << QByteArray(R"({"email":"a@b.example","password":"twelve-chars","display_name":"A"})")
            << QStringList();
    QTest::newRow("an address without @ is invalid")
            << QByteArray(R"({"email":"ab.co","password":"long enough pass","display_name":"A"})")
            << QStringList{ u"email:invalid_format"_s };
    QTest::newRow("null counts as missing")
            << QByteArray(R"({"email":null,"password":"long enough pass","display_name":"A"})")
            << QStringList{ u"email:required"_s };
}

void TestAuthRequests::signup()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    FieldErrors found;
    const auto request = SignupRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    QCOMPARE(request.has_value(), errors.isEmpty());
    if (request)
        QCOMPARE(request->email, u"a@b.example"_s);
}

void TestAuthRequests::passwordLengthCountsCharacters_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QStringList>("errors");
    const QString rocket = u"🚀"_s; // two UTF-16 units, one character
    QTest::newRow("6 rockets are 6 characters, too short")
            << repeat(rocket, 6) << QStringList{ u"password:too_short"_s };
    QTest::newRow("11 rockets are 11 characters, too short")
            << repeat(rocket, 11) << QStringList{ u"password:too_short"_s };
    QTest::newRow("12 rockets are enough") << repeat(rocket, 12) << QStringList();
    QTest::newRow("11 ASCII characters are too short")
            << QString(11, u'x') << QStringList{ u"password:too_short"_s };
    QTest::newRow("12 ASCII characters are enough") << QString(12, u'x') << QStringList();
    QTest::newRow("128 rockets are the most") << repeat(rocket, 128) << QStringList();
    QTest::newRow("129 rockets are too many")
            << repeat(rocket, 129) << QStringList{ u"password:too_long"_s };
    QTest::newRow("128 ASCII characters are the most") << QString(128, u'x') << QStringList();
}

void TestAuthRequests::passwordLengthCountsCharacters()
{
    QFETCH(QString, password);
    QFETCH(QStringList, errors);
    FieldErrors found;
    const auto request = SignupRequest::fromJson({ { u"email"_s, u"a@b.co"_s },
                                                   { u"password"_s, password },
                                                   { u"display_name"_s, u"A"_s } },
                                                 &found);
    QCOMPARE(describeErrors(found), errors);
    if (request)
        QCOMPARE(request->password, password); // never truncated
}

void TestAuthRequests::login_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::newRow("a login parses")
            << QByteArray(R"({"email":"X@Y.co","password":"p"})") << QStringList();
    QTest::newRow("a malformed address still parses: it just won't match")
            << QByteArray(R"({"email":"not an address","password":"p"})") << QStringList();
    QTest::newRow("an empty password is required")
            << QByteArray(R"({"email":"x@y.co","password":""})")
            << QStringList{ u"password:required"_s };
    QTest::newRow("a 129-character password is too long")
            << (R"({"email":"x@y.co","password":")" + QByteArray(129, 'p') + "\"}")
            << QStringList{ u"password:too_long"_s };
}

void TestAuthRequests::login()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    FieldErrors found;
    const auto request = LoginRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    if (request && request->email.contains(u'@'))
        QCOMPARE(request->email, request->email.toLower());
}

void TestAuthRequests::updateMe_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<bool>("role");
    QTest::newRow("an empty change parses") << QByteArray("{}") << QStringList() << false;
    QTest::newRow("a new name parses")
            << QByteArray(R"({"display_name":"New"})") << QStringList() << false;
    QTest::newRow("a new email needs the current password")
            << QByteArray(R"({"email":"n@e.co"})") << QStringList{ u"current_password:required"_s }
            << false;
    QTest::newRow("a new password needs the current password")
            << QByteArray(R"({"password":"another long pass"})")
            << QStringList{ u"current_password:required"_s } << false;
    QTest::newRow("a new password with the current one parses")
            << QByteArray(R"({"password":"another long pass","current_password":"old"})")
            << QStringList() << false;
    QTest::newRow("an 11-character new password is too short")
            << QByteArray(R"({"password":"eleven-char","current_password":"old"})")
            << QStringList{ u"password:too_short"_s } << false;
    QTest::newRow("a 12-character new password is long enough")
            << QByteArray(R"({"password":"twelve-chars","current_password":"old"})")
            << QStringList() << false;
    QTest::newRow("role is recognised, to be refused")
            << QByteArray(R"({"role":"admin"})") << QStringList() << true;
    QTest::newRow("an unknown field is named")
            << QByteArray(R"({"avatar":"x"})") << QStringList{ u"avatar:unknown_field"_s } << false;
    QTest::newRow("a profile parses")
            << QByteArray(R"({"bio":"Line one\nand two\twith a tab","phone":"+49 30 1234-5678",)"
                          R"("locale":"de-at"})")
            << QStringList() << false;
    QTest::newRow("an empty bio and phone clear them")
            << QByteArray(R"({"bio":"","phone":""})") << QStringList() << false;
    QTest::newRow("a bio of 2,001 characters is too long")
            << (R"({"bio":")" + QByteArray(2001, 'b') + R"("})") << QStringList{ u"bio:too_long"_s }
            << false;
    QTest::newRow("a bio with a control character")
            << QByteArray(R"({"bio":"bell\u0007"})") << QStringList{ u"bio:invalid_format"_s }
            << false;
    QTest::newRow("a phone number without its country")
            << QByteArray(R"({"phone":"030 1234567"})") << QStringList{ u"phone:invalid_format"_s }
            << false;
    QTest::newRow("a locale nobody speaks") << QByteArray(R"({"locale":"qq"})")
                                            << QStringList{ u"locale:invalid_value"_s } << false;
    QTest::newRow("a locale of the wrong shape")
            << QByteArray(R"({"locale":"english"})") << QStringList{ u"locale:invalid_value"_s }
            << false;
    QTest::newRow("null does not keep a field, leaving it out does")
            << QByteArray(R"({"display_name":null})") << QStringList{ u"display_name:wrong_type"_s }
            << false;
    QTest::newRow("null is no email, password or current password")
            << QByteArray(R"({"email":null,"password":null,"current_password":null})")
            << QStringList{ u"email:wrong_type"_s, u"password:wrong_type"_s,
                            u"current_password:wrong_type"_s }
            << false;
}

void TestAuthRequests::updateMe()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, errors);
    QFETCH(bool, role);
    FieldErrors found;
    const auto request = UpdateMeRequest::fromJson(jsonObjectOf(body), &found);
    QCOMPARE(describeErrors(found), errors);
    if (request)
        QCOMPARE(request->triesToChangeRole, role);
}

void TestAuthRequests::normalizeLocale_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("canonical"); // empty: refused
    QTest::newRow("a language") << u"de"_s << u"de"_s;
    QTest::newRow("language and region, any case") << u"DE-at"_s << u"de-AT"_s;
    QTest::newRow("an underscore") << u"pt_BR"_s << u"pt-BR"_s;
    QTest::newRow("a script") << u"zh-hant-tw"_s << u"zh-Hant-TW"_s;
    QTest::newRow("a numeric region") << u"es-419"_s << u"es-419"_s;
    QTest::newRow("an unknown language") << u"qq"_s << QString();
    QTest::newRow("a word") << u"english"_s << QString();
    QTest::newRow("empty") << QString() << QString();
}

void TestAuthRequests::normalizeLocale()
{
    QFETCH(QString, typed);
    QFETCH(QString, canonical);
    QCOMPARE(Tasklane::normalizeLocale(typed).value_or(QString()), canonical);
}

void TestAuthRequests::normalizeEmail_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("normalized");
    QTest::newRow("mixed case is lowered")
            << u"Ada.Lovelace@Example.COM"_s << u"ada.lovelace@example.com"_s;
    QTest::newRow("plus addressing is kept")
            << u"ada+tasks@example.com"_s << u"ada+tasks@example.com"_s;
    QTest::newRow("an international domain is kept") << u"zoë@exämple.de"_s << u"zoë@exämple.de"_s;
    QTest::newRow("no domain dot") << u"ada@localhost"_s << QString();
    QTest::newRow("no local part") << u"@example.com"_s << QString();
    QTest::newRow("a space inside") << u"ada lovelace@example.com"_s << QString();
    QTest::newRow("two dots in a row") << u"ada..l@example.com"_s << QString();
    QTest::newRow("an empty domain label") << u"ada@example..com"_s << QString();
    QTest::newRow("a hyphen at a label's edge") << u"ada@-example.com"_s << QString();
    QTest::newRow("a newline") << u"ada@example.com\n"_s << QString();
    QTest::newRow("a 65-character local part")
            << QString(65, u'a') + u"@example.com"_s << QString();
}

void TestAuthRequests::normalizeEmail()
{
    QFETCH(QString, input);
    QFETCH(QString, normalized);
    QCOMPARE(Tasklane::normalizeEmail(input).value_or(QString()), normalized);
}

void TestAuthRequests::displayName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("a plain name") << u"Ada Lovelace"_s << true;
    QTest::newRow("emoji are fine") << u"Ada 🚀"_s << true;
    QTest::newRow("100 characters are the most") << QString(100, u'a') << true;
    QTest::newRow("101 characters are too many") << QString(101, u'a') << false;
    QTest::newRow("blank is not a name") << u"   "_s << false;
    QTest::newRow("a tab is a control character") << u"Ada\tL"_s << false;
    QTest::newRow("a right-to-left override is refused") << u"Ada\u202EL"_s << false;
}

void TestAuthRequests::displayName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidDisplayName(name), valid);
}

void TestAuthRequests::errorListIsBounded()
{
    // A body of many unknown keys (10 MiB holds about a million) must not get an answer, and a
    // heap, many times its size: the first errors are named, the rest left out.
    QJsonObject body;
    for (int i = 0; i < 5000; ++i)
        body.insert(u"k%1"_s.arg(i, 5, 10, QChar(u'0')), 0);
    FieldErrors found;
    QVERIFY(!SignupRequest::fromJson(body, &found));
    QCOMPARE(found.size(), JsonFieldReader::MaxErrors);
    QCOMPARE(found.first().field, u"email"_s); // the request's own fields first
    QCOMPARE(found.at(3).field, u"k00000"_s); // then the unknown ones in order
    QCOMPARE(found.last().field, u"k00016"_s);
}

QTEST_GUILESS_MAIN(TestAuthRequests)
#include "tst_authrequests.moc"
