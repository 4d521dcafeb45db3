// Sessions through the real tasklaned (issue 11, point 5): each refresh-token family is a
// session, listed with where and from what it was last used; ending one, or all but the
// current, stops their access and refresh tokens at once in this process, and within the
// principal cache's lifetime in another process on the same PostgreSQL database; another
// user's session is a 404.
#include "session.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "tokenpair.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
// A login as `user` from `userAgent` (and, through the trusted proxy, from `client`).
TokenPair loginFrom(const QUrl &server, const SignedInUser &user, const QByteArray &userAgent,
                    const QByteArray &client = {})
{
    ApiClient api(server);
    RawHeaders headers{ { "Content-Type", "application/json" }, { "User-Agent", userAgent } };
    if (!client.isEmpty())
        headers.append({ "X-Forwarded-For", client });
    const QByteArray body = QJsonDocument(QJsonObject{ { u"email"_s, user.email },
                                                       { u"password"_s, user.password } })
                                    .toJson(QJsonDocument::Compact);
    ApiReply *reply = finished(api.send("POST", u"/api/v1/auth/login"_s, body, headers));
    return TokenPair::fromJson(reply->json()).value_or(TokenPair());
}

SessionList sessionsOf(ApiClient &client)
{
    ApiReply *reply = finished(client.send("GET", u"/api/v1/users/me/sessions"_s));
    if (reply->status() != 200)
        qWarning("sessions: %d %s", reply->status(), reply->body().constData());
    return SessionList::fromJson(reply->json()).value_or(SessionList());
}

int status(ApiReply *reply)
{
    return finished(reply)->status();
}
} // namespace

class TestSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void eachSessionIsListedWithItsOrigin();
    void endingASessionStopsItsTokensAtOnce();
    void anotherUsersSessionIsNotFound();
    void endingTheOthersKeepsTheCurrentOne();
    void anEndedSessionStopsInAnotherProcessWithinTheCacheTime();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestSessions::initTestCase()
{
    TestServer::Options options;
    options.arguments = { u"--trusted-proxies"_s, u"127.0.0.1"_s };
    m_server = std::make_unique<TestServer>(options);
    QVERIFY2(m_server->start(), m_server->logs().constData());
}

void TestSessions::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestSessions::eachSessionIsListedWithItsOrigin()
{
    Account ann = signUpAccount(m_server->url(), u"ann"_s);
    const TokenPair phone = loginFrom(m_server->url(), ann.user, "PhoneApp/2.1", "203.0.113.10");
    const TokenPair laptop = loginFrom(m_server->url(), ann.user, "Firefox/140", "198.51.100.20");
    QVERIFY(!phone.accessToken.isEmpty() && !laptop.accessToken.isEmpty());
    ApiClient viaLaptop(m_server->url());
    viaLaptop.setAccessToken(laptop.accessToken);
    SessionList list = sessionsOf(viaLaptop);
    QCOMPARE(list.items.size(), 3); // the sign-up fixture's login too
    // The most recently used first: the laptop's, which is the one asking.
    QCOMPARE(list.items.at(0).userAgent, u"Firefox/140"_s);
    QCOMPARE(list.items.at(0).clientAddress, u"198.51.100.20"_s);
    QVERIFY(list.items.at(0).current);
    QCOMPARE(list.items.at(1).userAgent, u"PhoneApp/2.1"_s);
    QCOMPARE(list.items.at(1).clientAddress, u"203.0.113.10"_s);
    QVERIFY(!list.items.at(1).current);
    QVERIFY(!list.items.at(2).current);
    for (const Session &session : list.items)
        QVERIFY(session.createdAt.isValid() && session.lastUsedAt >= session.createdAt);

    // A refresh is a use: the phone's session moves to the top, from where it was used now.
    ApiClient refresher(m_server->url());
    ApiReply *refreshed = finished(
            refresher.send("POST", u"/api/v1/auth/refresh-token"_s,
                           QJsonDocument(QJsonObject{ { u"refresh_token"_s, phone.refreshToken } })
                                   .toJson(QJsonDocument::Compact),
                           { { "Content-Type", "application/json" },
                             { "User-Agent", "PhoneApp/2.2" },
                             { "X-Forwarded-For", "203.0.113.11" } }));
    QCOMPARE(refreshed->status(), 200);
    list = sessionsOf(viaLaptop);
    QCOMPARE(list.items.size(), 3); // the same session, not a new one
    QCOMPARE(list.items.at(0).userAgent, u"PhoneApp/2.2"_s);
    QCOMPARE(list.items.at(0).clientAddress, u"203.0.113.11"_s);
    QVERIFY(!list.items.at(0).current);
    // The refreshed token belongs to the same session: it is the current one when it asks.
    ApiClient viaPhone(m_server->url());
    viaPhone.setAccessToken(TokenPair::fromJson(refreshed->json())->accessToken);
    const SessionList phoneView = sessionsOf(viaPhone);
    QVERIFY(phoneView.items.at(0).current);
    QCOMPARE(phoneView.items.at(0).id, list.items.at(0).id);
}

void TestSessions::endingASessionStopsItsTokensAtOnce()
{
    Account bob = signUpAccount(m_server->url(), u"bob"_s);
    const TokenPair other = loginFrom(m_server->url(), bob.user, "Tablet/1");
    ApiClient tablet(m_server->url());
    tablet.setAccessToken(other.accessToken);
    QCOMPARE(status(tablet.me()), 200); // now in this process's principal cache
    qint64 tabletSession = 0;
    for (const Session &session : sessionsOf(tablet).items)
        if (session.current)
            tabletSession = session.id;
    QVERIFY(tabletSession > 0);

    QCOMPARE(status(bob.api().send("DELETE", u"/api/v1/users/me/sessions/%1"_s.arg(tabletSession))),
             204);
    // At once: no waiting out the cache.
    QCOMPARE(status(tablet.me()), 401);
    QCOMPARE(status(tablet.refreshToken(other.refreshToken)), 401);
    QCOMPARE(status(bob.api().me()), 200);
    for (const Session &session : sessionsOf(bob.api()).items)
        QVERIFY(session.id != tabletSession);
    // Gone means gone: a second end is a 404.
    QCOMPARE(status(bob.api().send("DELETE", u"/api/v1/users/me/sessions/%1"_s.arg(tabletSession))),
             404);
}

void TestSessions::anotherUsersSessionIsNotFound()
{
    Account cat = signUpAccount(m_server->url(), u"cat"_s);
    Account dan = signUpAccount(m_server->url(), u"dan"_s);
    const qint64 dansSession = sessionsOf(dan.api()).items.value(0).id;
    QVERIFY(dansSession > 0);
    ApiReply *refused = finished(
            cat.api().send("DELETE", u"/api/v1/users/me/sessions/%1"_s.arg(dansSession)));
    QCOMPARE(refused->status(), 404);
    QCOMPARE(refused->problem()->slug(), u"not-found"_s);
    QCOMPARE(status(cat.api().send("DELETE", u"/api/v1/users/me/sessions/abc"_s)), 404);
    QCOMPARE(status(dan.api().me()), 200);
    QCOMPARE(sessionsOf(dan.api()).items.size(), 1);
    // Without a token, nothing.
    ApiClient anonymous(m_server->url());
    QCOMPARE(status(anonymous.send("GET", u"/api/v1/users/me/sessions"_s)), 401);
    QCOMPARE(status(anonymous.send("DELETE", u"/api/v1/users/me/sessions"_s)), 401);
}

void TestSessions::endingTheOthersKeepsTheCurrentOne()
{
    Account eve = signUpAccount(m_server->url(), u"eve"_s);
    QList<TokenPair> others;
    for (const QByteArray &agent : { QByteArray("One/1"), QByteArray("Two/1") })
        others.append(loginFrom(m_server->url(), eve.user, agent));
    ApiReply *ended = finished(eve.api().send("DELETE", u"/api/v1/users/me/sessions"_s));
    QCOMPARE(ended->status(), 200);
    QCOMPARE(ended->json().value(u"ended"_s).toInt(), 2);
    for (const TokenPair &pair : others) {
        ApiClient client(m_server->url());
        client.setAccessToken(pair.accessToken);
        QCOMPARE(status(client.me()), 401);
        QCOMPARE(status(client.refreshToken(pair.refreshToken)), 401);
    }
    QCOMPARE(status(eve.api().me()), 200);
    QCOMPARE(status(eve.api().refreshToken(eve.user.refreshToken)), 200);
    const SessionList left = sessionsOf(eve.api());
    QCOMPARE(left.items.size(), 1);
    QVERIFY(left.items.at(0).current);
}

void TestSessions::anEndedSessionStopsInAnotherProcessWithinTheCacheTime()
{
    if (!TestServer::usingPostgres())
        QSKIP("several servers share one database on PostgreSQL only (SQLite is one process's)");
    // A second server on the same database, its principal cache at the default 2 s.
    TestServer::Options options;
    options.useDatabase = false;
    options.arguments = { u"--db"_s, m_server->databaseUrl() };
    options.environment.insert(u"TASKLANE_DB_PASSWORD"_s,
                               qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
    TestServer second(options);
    QVERIFY2(second.start(), second.logs().constData());
    Account fay = signUpAccount(m_server->url(), u"fay"_s);
    const TokenPair elsewhere = loginFrom(m_server->url(), fay.user, "Elsewhere/1");
    ApiClient onSecond(second.url());
    onSecond.setAccessToken(elsewhere.accessToken);
    QCOMPARE(status(onSecond.me()), 200); // cached there now
    qint64 target = 0;
    for (const Session &session : sessionsOf(onSecond).items)
        if (session.current)
            target = session.id;
    QVERIFY(target > 0);
    QCOMPARE(status(fay.api().send("DELETE", u"/api/v1/users/me/sessions/%1"_s.arg(target))), 204);
    QElapsedTimer timer;
    timer.start();
    int answer = 200;
    while (answer == 200 && timer.elapsed() < 10'000) {
        answer = status(onSecond.me());
        if (answer == 200)
            QTest::qWait(100);
    }
    QCOMPARE(answer, 401);
    qInfo("the other process refused the ended session's token after %lld ms", timer.elapsed());
    // auth_cache_ttl_ms (2 s) and the refresher's margin; generous for a loaded machine.
    QVERIFY2(timer.elapsed() < 6'000, qPrintable(u"%1 ms"_s.arg(timer.elapsed())));
    QCOMPARE(second.stop(), 0);
}

QTEST_GUILESS_MAIN(TestSessions)
#include "tst_sessions.moc"
