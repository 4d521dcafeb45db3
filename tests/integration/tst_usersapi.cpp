// One's own account: reading it, and changing name, email and password, never one's role.
#include "accountfixtures.h"
#include "testserver.h"
#include "tokenpair.h"
#include "user.h"

#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestUsersApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void meShowsOnlyOneself();
    void updateChangesTheDisplayName();
    void updateAcceptsMergePatch();
    void profileFieldsAreKeptAndShown();
    void updateRefusesInvalidChanges_data();
    void updateRefusesInvalidChanges();
    void nobodyChangesTheirOwnRole_data();
    void nobodyChangesTheirOwnRole();
    void emailChangeNeedsTheCurrentPasswordAndAFreeAddress();
    void concurrentChangesToOneEmailLetOneWin();
    void passwordChangeEndsOtherSessions();
    void passwordChangeRevokesEarlierAccessTokensAtOnce();
    void newPasswordLength_data();
    void newPasswordLength();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestUsersApi::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestUsersApi::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestUsersApi::meShowsOnlyOneself()
{
    ApiClient alice(m_server->url()), bob(m_server->url());
    const SignedInUser a = signUpAndLogIn(alice, u"alice"_s);
    const SignedInUser b = signUpAndLogIn(bob, u"bob"_s);
    ApiReply *meA = alice.me();
    ApiReply *meB = bob.me();
    QVERIFY(waitFor(meA) && waitFor(meB));
    QCOMPARE(meA->json().value(u"id"_s).toInteger(), a.id);
    QCOMPARE(meB->json().value(u"id"_s).toInteger(), b.id);
    QVERIFY(a.id != b.id);
}

void TestUsersApi::updateChangesTheDisplayName()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *update = client.updateMe({ { u"display_name"_s, u"Zoë Ünïcode 🚀"_s } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 200);
    const auto user = User::fromJson(update->json());
    QVERIFY(user);
    QCOMPARE(user->displayName, u"Zoë Ünïcode 🚀"_s);
    QVERIFY(user->updatedAt >= user->createdAt);
    // Acknowledged means committed: a fresh read shows it.
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"display_name"_s).toString(), u"Zoë Ünïcode 🚀"_s);
}

void TestUsersApi::updateAcceptsMergePatch()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *update = client.send("PATCH", u"/api/v1/users/me"_s, R"({"display_name":"Merged"})",
                                   { { "Content-Type", "application/merge-patch+json" } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 200);
    QCOMPARE(update->json().value(u"display_name"_s).toString(), u"Merged"_s);
}

void TestUsersApi::profileFieldsAreKeptAndShown()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const QString bio = u"Gardener. Zweiter Absatz: Grüße!\nLine two."_s;
    ApiReply *changed = client.updateMe({ { u"bio"_s, bio },
                                          { u"phone"_s, u"+49 (30) 1234-5678"_s },
                                          { u"locale"_s, u"de-at"_s },
                                          { u"time_zone"_s, u"Europe/Vienna"_s } });
    QVERIFY(waitFor(changed));
    QCOMPARE(changed->status(), 200);
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    const QJsonObject user = me->json();
    QCOMPARE(user.value(u"bio"_s).toString(), bio);
    QCOMPARE(user.value(u"phone"_s).toString(), u"+493012345678"_s); // normalised
    QCOMPARE(user.value(u"locale"_s).toString(), u"de-AT"_s);
    QCOMPARE(user.value(u"language"_s).toString(), u"de"_s); // the locale's, for email
    QCOMPARE(user.value(u"time_zone"_s).toString(), u"Europe/Vienna"_s);
    // A locale whose language the email is not written in falls back to English.
    ApiReply *portuguese = client.updateMe({ { u"locale"_s, u"pt-BR"_s } });
    QVERIFY(waitFor(portuguese));
    QCOMPARE(portuguese->json().value(u"language"_s).toString(), u"en"_s);
    // Empty clears; leaving a field out keeps it.
    ApiReply *cleared = client.updateMe({ { u"bio"_s, u""_s }, { u"phone"_s, u""_s } });
    QVERIFY(waitFor(cleared));
    QCOMPARE(cleared->json().value(u"bio"_s), QJsonValue(u""_s));
    QVERIFY(cleared->json().value(u"phone"_s).isNull());
    QCOMPARE(cleared->json().value(u"locale"_s).toString(), u"pt-BR"_s);
    // 2,000 characters (not bytes) fit; one more does not.
    ApiReply *longest = client.updateMe({ { u"bio"_s, QString(2000, u'é') } });
    QVERIFY(waitFor(longest));
    QCOMPARE(longest->status(), 200);
    ApiReply *tooLong = client.updateMe({ { u"bio"_s, QString(2001, u'é') } });
    QVERIFY(waitFor(tooLong));
    QCOMPARE(tooLong->status(), 422);
}

void TestUsersApi::updateRefusesInvalidChanges_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    QTest::newRow("an empty display name")
            << QByteArray(R"({"display_name":""})") << u"display_name"_s << u"required"_s;
    QTest::newRow("a display name with a control character")
            << QByteArray("{\"display_name\":\"bell\\u0007\"}") << u"display_name"_s
            << u"invalid_format"_s;
    QTest::newRow("a numeric display name")
            << QByteArray(R"({"display_name":5})") << u"display_name"_s << u"wrong_type"_s;
    QTest::newRow("an unknown field")
            << QByteArray(R"({"nickname":"x"})") << u"nickname"_s << u"unknown_field"_s;
    QTest::newRow("a password change without the current password")
            << QByteArray(R"({"password":"A-New-Long-Passphrase-1"})") << u"current_password"_s
            << u"required"_s;
    QTest::newRow("a password change with a wrong current password") << QByteArray(
            R"({"password":"A-New-Long-Passphrase-1","current_password":"wrong-one-123"})")
                                                                     << u"current_password"_s
                                                                     << u"invalid"_s;
    QTest::newRow("a new password that is common")
            << QByteArray(R"({"password":"password1234","current_password":"CURRENT"})")
            << u"password"_s << u"common_password"_s;
    QTest::newRow("an email change to something that is not an address")
            << QByteArray(R"({"email":"not-an-address","current_password":"CURRENT"})")
            << u"email"_s << u"invalid_format"_s;
}

void TestUsersApi::updateRefusesInvalidChanges()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    body.replace("CURRENT", user.password.toUtf8());
    ApiReply *update = client.send("PATCH", u"/api/v1/users/me"_s, body,
                                   { { "Content-Type", "application/json" } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 422);
    const auto problem = update->problem();
    QVERIFY(problem);
    const bool named = std::any_of(
            problem->errors.cbegin(), problem->errors.cend(),
            [&](const FieldError &error) { return error.field == field && error.code == code; });
    QVERIFY2(named, update->body().constData());
    // Nothing changed.
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"display_name"_s).toString(), u"Test User"_s);
    QCOMPARE(me->json().value(u"email"_s).toString(), user.email.toLower());
}

void TestUsersApi::nobodyChangesTheirOwnRole_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("role alone") << QByteArray(R"({"role":"admin"})");
    QTest::newRow("role beside a harmless change")
            << QByteArray(R"({"display_name":"Sneaky","role":"admin"})");
    QTest::newRow("role asking for less") << QByteArray(R"({"role":"user"})");
}

void TestUsersApi::nobodyChangesTheirOwnRole()
{
    QFETCH(QByteArray, body);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *update = client.send("PATCH", u"/api/v1/users/me"_s, body,
                                   { { "Content-Type", "application/json" } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 403);
    QCOMPARE(update->problem()->type, u"urn:tasklane:problem:forbidden"_s);
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"role"_s).toString(), u"user"_s);
    QCOMPARE(me->json().value(u"display_name"_s).toString(), u"Test User"_s);
}

void TestUsersApi::emailChangeNeedsTheCurrentPasswordAndAFreeAddress()
{
    ApiClient client(m_server->url()), other(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const SignedInUser someoneElse = signUpAndLogIn(other);
    const MailSource mail = outboxOf(*m_server);

    // An address another account has is not refused here (that would tell anyone whether an
    // address has an account): its link, followed, is.
    ApiReply *taken = client.updateMe(
            { { u"email"_s, someoneElse.email }, { u"current_password"_s, user.password } });
    QVERIFY(waitFor(taken));
    QCOMPARE(taken->status(), 200);
    QCOMPARE(taken->json().value(u"pending_email"_s).toString(), someoneElse.email);
    const QString takenToken = awaitLinkToken(mail, someoneElse.email, u"/verify-email"_s, 2);
    QVERIFY(!takenToken.isEmpty());
    ApiReply *refused = client.verifyEmail(takenToken);
    QVERIFY(waitFor(refused));
    QCOMPARE(refused->status(), 409);

    // The new address waits for its link; until then the old one stays the account's.
    const QString fresh = u"renamed-"_s + user.email;
    ApiReply *renamed = client.updateMe(
            { { u"email"_s, fresh.toUpper() }, { u"current_password"_s, user.password } });
    QVERIFY(waitFor(renamed));
    QCOMPARE(renamed->status(), 200);
    QCOMPARE(renamed->json().value(u"email"_s).toString(), user.email);
    QCOMPARE(renamed->json().value(u"pending_email"_s).toString(), fresh.toLower());
    ApiReply *stillOld = client.login(user.email, user.password);
    QVERIFY(waitFor(stillOld));
    QCOMPARE(stillOld->status(), 200);

    // The old address is told, with the new one named.
    const auto toldOld = [&] {
        const QList<ReceivedMail> received = mailTo(mail, user.email);
        return std::any_of(received.cbegin(), received.cend(), [&](const ReceivedMail &message) {
            return message.text.contains(fresh.toLower());
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(toldOld(), 10'000);
    QVERIFY(verifyAddress(client, fresh, mail));
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"email"_s).toString(), fresh.toLower());
    QCOMPARE(me->json().value(u"email_verified"_s), QJsonValue(true));
    QCOMPARE(me->json().value(u"pending_email"_s), QJsonValue(QJsonValue::Null));

    ApiReply *login = client.login(fresh, user.password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200);
    ApiReply *oldLogin = client.login(user.email, user.password);
    QVERIFY(waitFor(oldLogin));
    QCOMPARE(oldLogin->status(), 401);
}

void TestUsersApi::concurrentChangesToOneEmailLetOneWin()
{
    // Several accounts claim one free address, and all follow their links at once: the unique
    // index decides, and every loser hears 409, never a 500.
    constexpr int Claimants = 4;
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<SignedInUser> users;
    for (int i = 0; i < Claimants; ++i) {
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        users.append(signUpAndLogIn(*clients.back(), u"claimant"_s));
    }
    const QString wanted = u"wanted-%1@example.com"_s.arg(users.first().id);
    for (int i = 0; i < Claimants; ++i) {
        ApiReply *claim = clients[size_t(i)]->updateMe(
                { { u"email"_s, wanted }, { u"current_password"_s, users[i].password } });
        QVERIFY(waitFor(claim));
        QCOMPARE(claim->status(), 200);
    }
    // Each claimant's link is the newest of its own; all reached the one address.
    QVERIFY(!awaitLinkToken(outboxOf(*m_server), wanted, u"/verify-email"_s, Claimants).isEmpty());
    const QRegularExpression link(u"/verify-email\\?token=([A-Za-z0-9_-]+)"_s);
    ApiClient anonymous(m_server->url()); // a link works without signing in
    QList<ApiReply *> replies;
    for (const ReceivedMail &message : mailTo(outboxOf(*m_server), wanted))
        replies.append(anonymous.verifyEmail(link.match(message.text).captured(1)));
    QCOMPARE(replies.size(), Claimants);
    int won = 0;
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QVERIFY2(reply->status() == 200 || reply->status() == 409, reply->body().constData());
        if (reply->status() == 409)
            QCOMPARE(reply->problem()->type, u"urn:tasklane:problem:conflict"_s);
        won += reply->status() == 200;
    }
    QCOMPARE(won, 1);
}

void TestUsersApi::passwordChangeEndsOtherSessions()
{
    // Two sessions; the password changes through the first: the second's refresh token dies,
    // the first's goes on (issue 11: "ends all other sessions").
    ApiClient client(m_server->url()), other(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *secondLogin = other.login(user.email, user.password);
    QVERIFY(waitFor(secondLogin));
    QCOMPARE(secondLogin->status(), 200);
    const TokenPair second = *TokenPair::fromJson(secondLogin->json());
    const QString newPassword = strongPassword();
    ApiReply *change = client.updateMe(
            { { u"password"_s, newPassword }, { u"current_password"_s, user.password } });
    QVERIFY(waitFor(change));
    QCOMPARE(change->status(), 200);

    ApiReply *otherRefresh = other.refreshToken(second.refreshToken);
    QVERIFY(waitFor(otherRefresh));
    QCOMPARE(otherRefresh->status(), 401);
    ApiReply *ownRefresh = client.refreshToken(user.refreshToken);
    QVERIFY(waitFor(ownRefresh));
    QCOMPARE(ownRefresh->status(), 200);
    ApiReply *oldPassword = client.login(user.email, user.password);
    QVERIFY(waitFor(oldPassword));
    QCOMPARE(oldPassword->status(), 401);
    ApiReply *newLogin = client.login(user.email, newPassword);
    QVERIFY(waitFor(newLogin));
    QCOMPARE(newLogin->status(), 200);
}

void TestUsersApi::passwordChangeRevokesEarlierAccessTokensAtOnce()
{
    // Two sessions of one account, both answered from this process's principal cache; the
    // password changes through the first. The other session's access token stops working at
    // once, for reading and for changing the account; the first's goes on.
    ApiClient client(m_server->url()), other(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *secondLogin = other.login(user.email, user.password);
    QVERIFY(waitFor(secondLogin));
    QCOMPARE(secondLogin->status(), 200);
    other.setAccessToken(TokenPair::fromJson(secondLogin->json())->accessToken);
    for (ApiClient *session : { &client, &other }) {
        ApiReply *me = session->me();
        QVERIFY(waitFor(me));
        QCOMPARE(me->status(), 200);
    }

    const QString newPassword = strongPassword();
    ApiReply *change = client.updateMe(
            { { u"password"_s, newPassword }, { u"current_password"_s, user.password } });
    QVERIFY(waitFor(change));
    QCOMPARE(change->status(), 200);

    ApiReply *me = other.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->status(), 401);
    QCOMPARE(me->problem()->type, u"urn:tasklane:problem:unauthorized"_s);
    ApiReply *rename = other.updateMe({ { u"display_name"_s, u"Still Here"_s } });
    QVERIFY(waitFor(rename));
    QCOMPARE(rename->status(), 401);

    ApiReply *ownRename = client.updateMe({ { u"display_name"_s, u"Renamed After"_s } });
    QVERIFY(waitFor(ownRename));
    QCOMPARE(ownRename->status(), 200);
    ApiReply *ownMe = client.me();
    QVERIFY(waitFor(ownMe));
    QCOMPARE(ownMe->status(), 200);
    QCOMPARE(ownMe->json().value(u"display_name"_s).toString(), u"Renamed After"_s);
}

void TestUsersApi::newPasswordLength_data()
{
    // The minimum is 12 characters, the same as on sign-up.
    QTest::addColumn<QString>("newPassword");
    QTest::addColumn<int>("status");
    QTest::newRow("an 11-character new password is too short") << u"Eleven-char"_s << 422;
    QTest::newRow("a 12-character new password is accepted") << u"Twelve-chars"_s << 200;
}

void TestUsersApi::newPasswordLength()
{
    QFETCH(QString, newPassword);
    QFETCH(int, status);
    QCOMPARE(newPassword.size(), status == 200 ? 12 : 11);
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *change = client.updateMe(
            { { u"password"_s, newPassword }, { u"current_password"_s, user.password } });
    QVERIFY(waitFor(change));
    QCOMPARE(change->status(), status);
    if (status == 422) {
        const auto problem = change->problem();
        QVERIFY(problem);
        QVERIFY2(std::any_of(problem->errors.cbegin(), problem->errors.cend(),
                             [](const FieldError &error) {
                                 return error.field == u"password"_s
                                         && error.code == u"too_short"_s;
                             }),
                 change->body().constData());
    }
    // The password that counts is the one the answer says.
    ApiReply *login = client.login(user.email, status == 200 ? newPassword : user.password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200);
}

QTEST_GUILESS_MAIN(TestUsersApi)
#include "tst_usersapi.moc"
