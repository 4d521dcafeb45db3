// Sign-up, login, refresh-token rotation and logout against a real tasklaned.
#include "testserver.h"
#include "tokenpair.h"
#include "user.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestAuthApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void signupCreatesAccount();
    void signupRejectsBadInput_data();
    void signupRejectsBadInput();
    void signupRefusesTakenEmail();
    void loginAnswersTokens();
    void loginFailureLooksTheSame_data();
    void loginFailureLooksTheSame();
    void loginFailureTakesTheSameTime();
    void refreshRotatesAndDetectsReuse();
    void concurrentRefreshesOfOneTokenEndTheFamily();
    void refreshRejectsGarbage();
    void logoutRevokesFamilyAndAccessToken();
    void passwordIsHashedWithArgon2id();
    void storedSecretsAreHashes();
    void revocationByAnotherProcessTakesEffectWithinTheCacheLifetime_data();
    void revocationByAnotherProcessTakesEffectWithinTheCacheLifetime();
    void signupPasswordLength_data();
    void signupPasswordLength();
    void refreshRefusesAnExpiredToken();
    void logoutWithAnotherUsersRefreshTokenLeavesItAlone();
    void forgedAccessTokens_data();
    void forgedAccessTokens();

private:
    // How many of the user's refresh tokens are not revoked, read in the database (-1: no answer).
    int liveRefreshTokens(qint64 userId);

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<ApiClient> m_client;
};

int TestAuthApi::liveRefreshTokens(qint64 userId)
{
    const auto rows = m_server->querySql(
            u"SELECT COUNT(*) FROM refresh_tokens WHERE user_id = %1 AND revoked_at IS NULL"_s.arg(
                    userId));
    return rows.size() == 1 ? rows.first().first().toInt() : -1;
}

void TestAuthApi::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    m_client = std::make_unique<ApiClient>(m_server->url());
}

void TestAuthApi::cleanupTestCase()
{
    m_client.reset();
    QCOMPARE(m_server->stop(), 0);
}

void TestAuthApi::signupCreatesAccount()
{
    const QString password = strongPassword();
    ApiReply *reply = m_client->signup(u"New.Person@Example.COM"_s, password, u"New Person"_s);
    QVERIFY(waitFor(reply));
    // Accepted, without the account: the answer is the same for an address that has one.
    QCOMPARE(reply->status(), 202);
    QVERIFY(reply->header("Content-Type").startsWith("application/json"));
    QCOMPARE(reply->json(), (QJsonObject{ { u"email"_s, u"new.person@example.com"_s } }));
    QVERIFY(!reply->body().contains(password.toUtf8()));

    ApiClient client(m_server->url());
    ApiReply *login = client.login(u"new.person@example.com"_s, password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200); // an unverified account signs in
    client.setAccessToken(login->json().value(u"access_token"_s).toString());
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    const auto user = User::fromJson(me->json());
    QVERIFY(user);
    QVERIFY(user->id > 0);
    QCOMPARE(user->email, u"new.person@example.com"_s);
    QCOMPARE(user->displayName, u"New Person"_s);
    QCOMPARE(user->role, Role::User);
    QVERIFY(user->createdAt.isValid());
    QCOMPARE(me->json().value(u"email_verified"_s), QJsonValue(false));
    QVERIFY(!me->json().contains(u"password"_s));
    QVERIFY(!me->json().contains(u"password_hash"_s));
}

void TestAuthApi::signupRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");

    const QString validation = u"urn:tasklane:problem:validation-failed"_s;
    QTest::newRow("a missing email is required")
            << QByteArray(R"({"password":"Quite-Long-Passphrase-9","display_name":"A"})") << 422
            << validation << u"email"_s << u"required"_s;
    QTest::newRow("an email that is a number has the wrong type")
            << QByteArray(R"({"email":42,"password":"Quite-Long-Passphrase-9","display_name":"A"})")
            << 422 << validation << u"email"_s << u"wrong_type"_s;
    QTest::newRow("an address without a domain is invalid") << QByteArray(
            R"({"email":"nobody@","password":"Quite-Long-Passphrase-9","display_name":"A"})")
                                                            << 422 << validation << u"email"_s
                                                            << u"invalid_format"_s;
    QTest::newRow("an 11-character password is too short")
            << QByteArray(
                       R"({"email":"a@example.com","password":"Short-pass1","display_name":"A"})")
            << 422 << validation << u"password"_s << u"too_short"_s;
    QTest::newRow("a 129-character password is too long, not truncated")
            << (R"({"email":"a@example.com","password":")" + QByteArray(129, 'x')
                + R"(","display_name":"A"})")
            << 422 << validation << u"password"_s << u"too_long"_s;
    QTest::newRow("a common password is refused")
            << QByteArray(
                       R"({"email":"a@example.com","password":"Password1234","display_name":"A"})")
            << 422 << validation << u"password"_s << u"common_password"_s;
    QTest::newRow("an unknown field is named") << QByteArray(
            R"({"email":"a@example.com","password":"Quite-Long-Passphrase-9","display_name":"A","admin":true})")
                                               << 422 << validation << u"admin"_s
                                               << u"unknown_field"_s;
    QTest::newRow("a 101-character display name is too long")
            << (R"({"email":"a@example.com","password":"Quite-Long-Passphrase-9","display_name":")"
                + QByteArray(101, 'n') + R"("})")
            << 422 << validation << u"display_name"_s << u"too_long"_s;
    QTest::newRow("a blank display name is invalid") << QByteArray(
            R"({"email":"a@example.com","password":"Quite-Long-Passphrase-9","display_name":"   "})")
                                                     << 422 << validation << u"display_name"_s
                                                     << u"invalid_format"_s;
    QTest::newRow("a body that is not JSON is malformed")
            << QByteArray(R"({"email": "a@example.com",)") << 400
            << u"urn:tasklane:problem:malformed-json"_s << QString() << QString();
    QTest::newRow("a JSON array is not an object")
            << QByteArray(R"(["a@example.com"])") << 400 << u"urn:tasklane:problem:malformed-json"_s
            << QString() << QString();
    QTest::newRow("an empty body is malformed")
            << QByteArray() << 400 << u"urn:tasklane:problem:malformed-json"_s << QString()
            << QString();
}

void TestAuthApi::signupRejectsBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QString, field);
    QFETCH(QString, code);

    ApiReply *reply = m_client->send("POST", u"/api/v1/auth/signup"_s, body,
                                     { { "Content-Type", "application/json" } });
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    const auto problem = reply->problem();
    QVERIFY2(problem, reply->body().constData());
    QCOMPARE(problem->type, type);
    QCOMPARE(problem->status, status);
    QVERIFY(!problem->requestId.isEmpty());
    if (!field.isEmpty()) {
        const bool named = std::any_of(problem->errors.cbegin(), problem->errors.cend(),
                                       [&](const FieldError &error) {
                                           return error.field == field && error.code == code;
                                       });
        QVERIFY2(named, reply->body().constData());
    }
}

void TestAuthApi::signupRefusesTakenEmail()
{
    const QString email = u"taken-%1@example.com"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const QString firstPassword = strongPassword();
    ApiReply *first = m_client->signup(email, firstPassword, u"First"_s);
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 202);
    ApiReply *second = m_client->signup(email.toUpper(), strongPassword(), u"Second"_s);
    QVERIFY(waitFor(second));
    // The same answer (tst_accountrecovery compares them in full): no second account, and the
    // first keeps its password.
    QCOMPARE(second->status(), 202);
    QCOMPARE(second->json(), first->json());
    ApiReply *login = m_client->login(email, firstPassword);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200);
}

void TestAuthApi::loginAnswersTokens()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(!user.accessToken.isEmpty());
    ApiReply *login = client.login(user.email, user.password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200);
    const auto pair = TokenPair::fromJson(login->json());
    QVERIFY(pair);
    QCOMPARE(pair->tokenType, u"Bearer"_s);
    QCOMPARE(pair->expiresIn, 900);
    // 256 random bits, base64url without padding.
    QCOMPARE(pair->refreshToken.size(), 43);
    QCOMPARE(pair->accessToken.count(u'.'), 2);
    const QJsonObject claims
            = QJsonDocument::fromJson(
                      QByteArray::fromBase64(pair->accessToken.section(u'.', 1, 1).toLatin1(),
                                             QByteArray::Base64UrlEncoding))
                      .object();
    for (const QString &claim : { u"iss"_s, u"aud"_s, u"sub"_s, u"iat"_s, u"exp"_s, u"jti"_s })
        QVERIFY2(claims.contains(claim), qPrintable(claim));
    QCOMPARE(claims.value(u"sub"_s).toString(), QString::number(user.id));
    QCOMPARE(claims.value(u"exp"_s).toInteger() - claims.value(u"iat"_s).toInteger(), 900);

    client.setAccessToken(pair->accessToken);
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->status(), 200);
    QCOMPARE(me->json().value(u"email"_s).toString(), user.email.toLower());
}

void TestAuthApi::loginFailureLooksTheSame_data()
{
    QTest::addColumn<bool>("knownEmail");
    QTest::newRow("a wrong password for a known email") << true;
    QTest::newRow("an email nobody registered") << false;
}

void TestAuthApi::loginFailureLooksTheSame()
{
    QFETCH(bool, knownEmail);
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const QString email = knownEmail ? user.email : u"nobody-at-all@example.com"_s;
    ApiReply *reply = client.login(email, u"Not-The-Password-123"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 401);
    const auto problem = reply->problem();
    QVERIFY(problem);
    QCOMPARE(problem->type, u"urn:tasklane:problem:invalid-credentials"_s);
    QCOMPARE(problem->detail, u"The email or password is wrong."_s);
    QCOMPARE(reply->header("WWW-Authenticate"), QByteArray("Bearer realm=\"tasklane\""));
}

void TestAuthApi::loginFailureTakesTheSameTime()
{
    // An unknown email costs one Argon2id verification, as a wrong password does: without it the
    // answer would come an order of magnitude sooner and tell which emails have accounts.
    // Interleaved samples, medians, and a wide bound keep this steady on a busy machine.
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const auto timeLogin = [&](const QString &email) {
        QElapsedTimer timer;
        timer.start();
        ApiReply *reply = client.login(email, u"Not-The-Password-123"_s);
        if (!waitFor(reply) || reply->status() != 401)
            return qint64(-1);
        return timer.nsecsElapsed();
    };
    QList<qint64> wrongPassword, unknownEmail;
    for (int i = 0; i < 7; ++i) {
        wrongPassword.append(timeLogin(user.email));
        unknownEmail.append(timeLogin(u"nobody-%1@example.com"_s.arg(i)));
    }
    QVERIFY(!wrongPassword.contains(-1) && !unknownEmail.contains(-1));
    std::sort(wrongPassword.begin(), wrongPassword.end());
    std::sort(unknownEmail.begin(), unknownEmail.end());
    const double ratio = double(unknownEmail.at(3)) / double(wrongPassword.at(3));
    QVERIFY2(ratio > 0.5 && ratio < 2.0,
             qPrintable(u"unknown email %1 ms, wrong password %2 ms (medians)"_s
                                .arg(double(unknownEmail.at(3)) / 1e6)
                                .arg(double(wrongPassword.at(3)) / 1e6)));
}

void TestAuthApi::refreshRotatesAndDetectsReuse()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);

    ApiReply *first = client.refreshToken(user.refreshToken);
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 200);
    const auto rotated = TokenPair::fromJson(first->json());
    QVERIFY(rotated);
    QVERIFY(rotated->refreshToken != user.refreshToken);

    // Presenting the spent token again is reuse: refused, and the whole family ends.
    ApiReply *reuse = client.refreshToken(user.refreshToken);
    QVERIFY(waitFor(reuse));
    QCOMPARE(reuse->status(), 401);
    QCOMPARE(reuse->problem()->type, u"urn:tasklane:problem:invalid-refresh-token"_s);

    ApiReply *successor = client.refreshToken(rotated->refreshToken);
    QVERIFY(waitFor(successor));
    QCOMPARE(successor->status(), 401);
}

void TestAuthApi::concurrentRefreshesOfOneTokenEndTheFamily()
{
    // The same refresh token sent on several connections at once: whichever request rotates it
    // first, every other one is reuse, so at most one pair is issued and it ends with the family.
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    constexpr int Racers = 6;
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<ApiReply *> replies;
    for (int i = 0; i < Racers; ++i) {
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        replies.append(clients.back()->refreshToken(user.refreshToken));
    }
    QStringList issued;
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QVERIFY2(reply->status() == 200 || reply->status() == 401, reply->body().constData());
        if (reply->status() == 200)
            issued.append(TokenPair::fromJson(reply->json())->refreshToken);
    }
    QVERIFY(issued.size() <= 1);
    for (const QString &token : std::as_const(issued)) {
        ApiReply *successor = client.refreshToken(token);
        QVERIFY(waitFor(successor));
        QCOMPARE(successor->status(), 401);
    }
    QCOMPARE(liveRefreshTokens(user.id), 0);
}

void TestAuthApi::refreshRejectsGarbage()
{
    ApiReply *reply = m_client->refreshToken(u"not-a-token"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 401);
    ApiReply *empty = m_client->sendJson("POST", u"/api/v1/auth/refresh-token"_s, {});
    QVERIFY(waitFor(empty));
    QCOMPARE(empty->status(), 422);
}

void TestAuthApi::logoutRevokesFamilyAndAccessToken()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);

    ApiReply *logout = client.logout(user.refreshToken);
    QVERIFY(waitFor(logout));
    QCOMPARE(logout->status(), 204);
    QVERIFY(logout->body().isEmpty());

    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->status(), 401);
    QCOMPARE(me->problem()->type, u"urn:tasklane:problem:unauthorized"_s);

    ApiReply *refresh = client.refreshToken(user.refreshToken);
    QVERIFY(waitFor(refresh));
    QCOMPARE(refresh->status(), 401);
    // A token revoked by logout is not a leaked one: no reuse alarm in the log for it.
    const QByteArray requestId = refresh->header("X-Request-Id");
    for (const QByteArray &line : m_server->logs().split('\n'))
        QVERIFY2(!(line.contains(requestId) && line.contains("reuse")), line.constData());

    // Logging out needs a valid access token.
    client.setAccessToken({});
    ApiReply *anonymous = client.logout(user.refreshToken);
    QVERIFY(waitFor(anonymous));
    QCOMPARE(anonymous->status(), 401);
}

void TestAuthApi::passwordIsHashedWithArgon2id()
{
    // The stored hash never leaves the server, but `user create` and the log must not show the
    // password either; what is stored is checked through the database in tst_cli. Here: the
    // password must never appear in the server's log.
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(!m_server->logs().contains(user.password.toUtf8()));
    QVERIFY(!m_server->logs().contains(user.refreshToken.toUtf8()));
    QVERIFY(!m_server->logs().contains(user.accessToken.toUtf8()));
    // tasklaned checks at start-up that libsodium's memory comes from its per-thread arena
    // (Argon2ArenaScope), i.e. that its mmap really stands in for the C library's.
    QVERIFY2(!m_server->logs().contains("memory is not kept"), m_server->logs().constData());
}

void TestAuthApi::storedSecretsAreHashes()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const auto users
            = m_server->querySql(u"SELECT password_hash FROM users WHERE id = %1"_s.arg(user.id));
    QCOMPARE(users.size(), 1);
    const QString hash = users.first().first().toString();
    // Argon2id at OWASP's floor: 19 MiB, 2 passes, 1 lane.
    QVERIFY2(hash.startsWith(u"$argon2id$v=19$m=19456,t=2,p=1$"_s), qPrintable(hash));
    QVERIFY(!hash.contains(user.password));

    const auto tokens = m_server->querySql(
            u"SELECT token_hash FROM refresh_tokens WHERE user_id = %1"_s.arg(user.id));
    QCOMPARE(tokens.size(), 1);
    const QByteArray expected
            = QCryptographicHash::hash(user.refreshToken.toUtf8(), QCryptographicHash::Sha256)
                      .toHex();
    QCOMPARE(tokens.first().first().toString().toLatin1(), expected);
}

void TestAuthApi::revocationByAnotherProcessTakesEffectWithinTheCacheLifetime_data()
{
    QTest::addColumn<int>("cacheMs");
    QTest::newRow("without a cache, at once") << 0;
    QTest::newRow("with a 400 ms cache, within 400 ms") << 400;
}

void TestAuthApi::revocationByAnotherProcessTakesEffectWithinTheCacheLifetime()
{
    QFETCH(int, cacheMs);
    TestServer::Options options;
    options.arguments = { u"--auth-cache-ttl-ms"_s, QString::number(cacheMs) };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *before = client.me();
    QVERIFY(waitFor(before));
    QCOMPARE(before->status(), 200);

    // Another tasklaned on the same database logs the token out: it writes the revocation.
    const QString jti
            = QJsonDocument::fromJson(
                      QByteArray::fromBase64(user.accessToken.section(u'.', 1, 1).toLatin1(),
                                             QByteArray::Base64UrlEncoding))
                      .object()
                      .value(u"jti"_s)
                      .toString();
    QVERIFY(server.executeSql(u"INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ('%1', "
                              "'2999-01-01T00:00:00.000Z')"_s.arg(jti)));
    QElapsedTimer sinceRevocation;
    sinceRevocation.start();
    int status = 200;
    int acceptedAfterRevocation = -1;
    while (status == 200 && sinceRevocation.elapsed() < 5000) {
        ApiReply *after = client.me();
        QVERIFY(waitFor(after));
        status = after->status();
        ++acceptedAfterRevocation;
        if (status == 200)
            QTest::qWait(20);
    }
    QCOMPARE(status, 401);
    if (cacheMs == 0)
        QCOMPARE(acceptedAfterRevocation, 0);
    // The slack covers request time on a slow (sanitizer) build, not the cache.
    QVERIFY2(sinceRevocation.elapsed() <= cacheMs + 1000,
             qPrintable(u"still accepted after %1 ms"_s.arg(sinceRevocation.elapsed())));
}

void TestAuthApi::signupPasswordLength_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("status");
    QTest::newRow("an 11-character password is too short") << u"Eleven-char"_s << 422;
    QTest::newRow("a 12-character password is enough") << u"Twelve-chars"_s << 202;
}

void TestAuthApi::signupPasswordLength()
{
    QFETCH(QString, password);
    QFETCH(int, status);
    QCOMPARE(password.size(), status == 202 ? 12 : 11);
    const QString email
            = u"length-%1@example.com"_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(10));
    ApiReply *reply = m_client->signup(email, password, u"Length"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    if (status == 422) {
        const auto problem = reply->problem();
        QVERIFY(problem);
        QVERIFY2(std::any_of(problem->errors.cbegin(), problem->errors.cend(),
                             [](const FieldError &error) {
                                 return error.field == u"password"_s
                                         && error.code == u"too_short"_s;
                             }),
                 reply->body().constData());
    }
    ApiReply *login = m_client->login(email, password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), status == 202 ? 200 : 401);
}

void TestAuthApi::refreshRefusesAnExpiredToken()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(m_server->executeSql(u"UPDATE refresh_tokens SET expires_at = "
                                 "'2020-01-01T00:00:00.000Z' WHERE user_id = %1"_s.arg(user.id)));
    ApiReply *refresh = client.refreshToken(user.refreshToken);
    QVERIFY(waitFor(refresh));
    QCOMPARE(refresh->status(), 401);
    QCOMPARE(refresh->problem()->type, u"urn:tasklane:problem:invalid-refresh-token"_s);
}

void TestAuthApi::logoutWithAnotherUsersRefreshTokenLeavesItAlone()
{
    ApiClient alice(m_server->url()), bob(m_server->url());
    const SignedInUser a = signUpAndLogIn(alice, u"alice"_s);
    const SignedInUser b = signUpAndLogIn(bob, u"bob"_s);

    // Alice presents Bob's refresh token: her own access token ends, Bob's session does not.
    ApiReply *logout = alice.logout(b.refreshToken);
    QVERIFY(waitFor(logout));
    QCOMPARE(logout->status(), 204);
    QCOMPARE(liveRefreshTokens(b.id), 1);
    ApiReply *bobMe = bob.me();
    QVERIFY(waitFor(bobMe));
    QCOMPARE(bobMe->status(), 200);
    ApiReply *refresh = bob.refreshToken(b.refreshToken);
    QVERIFY(waitFor(refresh));
    QCOMPARE(refresh->status(), 200);
    // Alice's refresh token was not hers to keep either way: it is left alone too.
    ApiReply *aliceRefresh = alice.refreshToken(a.refreshToken);
    QVERIFY(waitFor(aliceRefresh));
    QCOMPARE(aliceRefresh->status(), 200);
}

void TestAuthApi::forgedAccessTokens_data()
{
    // Tokens signed with the server's own key, so only the named claim is wrong.
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("status");
    QTest::newRow("a well-formed token is accepted (the forging is right)") << QString() << 200;
    QTest::newRow("an expired token is refused") << u"expired"_s << 401;
    QTest::newRow("a token for another audience is refused") << u"wrong aud"_s << 401;
    QTest::newRow("a token without an audience is refused") << u"no aud"_s << 401;
    QTest::newRow("a token without an issuer is refused") << u"no iss"_s << 401;
    QTest::newRow("a token without an issue time is refused") << u"no iat"_s << 401;
    QTest::newRow("a token with a truncated signature is refused")
            << u"truncated signature"_s << 401;
}

void TestAuthApi::forgedAccessTokens()
{
    QFETCH(QString, change);
    QFETCH(int, status);
    const QByteArray key
            = m_server->process().processEnvironment().value(u"TASKLANE_JWT_SECRET"_s).toUtf8();
    QVERIFY(!key.isEmpty());
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject payload{ { u"iss"_s, u"tasklane"_s },
                         { u"aud"_s, u"tasklane-api"_s },
                         { u"sub"_s, QString::number(user.id) },
                         { u"iat"_s, now },
                         { u"nbf"_s, now },
                         { u"exp"_s, now + 600 },
                         { u"jti"_s, QUuid::createUuid().toString(QUuid::Id128) } };
    if (change == u"expired") {
        payload.insert(u"iat"_s, now - 1000);
        payload.insert(u"nbf"_s, now - 1000);
        payload.insert(u"exp"_s, now - 100); // beyond the 30 s leeway
    } else if (change == u"wrong aud") {
        payload.insert(u"aud"_s, u"another-api"_s);
    } else if (change.startsWith(u"no "_s)) {
        payload.remove(change.mid(3));
    }
    const auto encode = [](const QByteArray &data) {
        return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray input = encode(R"({"alg":"HS256","typ":"JWT"})") + '.'
            + encode(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    QByteArray token = input + '.'
            + encode(QMessageAuthenticationCode::hash(input, key, QCryptographicHash::Sha256));
    if (change == u"truncated signature")
        token.chop(4);

    client.setAccessToken(QString::fromLatin1(token));
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->status(), status);
    if (status == 401) {
        QCOMPARE(me->problem()->type, u"urn:tasklane:problem:unauthorized"_s);
        ApiReply *rename = client.updateMe({ { u"display_name"_s, u"Forged"_s } });
        QVERIFY(waitFor(rename));
        QCOMPARE(rename->status(), 401);
    } else {
        QCOMPARE(me->json().value(u"id"_s).toInteger(), user.id);
    }
}

QTEST_GUILESS_MAIN(TestAuthApi)
#include "tst_authapi.moc"
