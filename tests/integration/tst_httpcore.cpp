// What every client sees of the HTTP layer: problem+json errors, 404/405/HEAD/OPTIONS, the
// standard headers, request ids, CORS, bad bodies, bearer tokens, and the request log.
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const QByteArray AllowedOrigin = "https://app.example.com";
const RawHeaders JsonType{ { "Content-Type", "application/json" } };
} // namespace

class TestHttpCore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyResponseCarriesTheStandardHeaders_data();
    void everyResponseCarriesTheStandardHeaders();
    void unknownPathIsNotFound();
    void wrongMethodIsNotAllowed_data();
    void wrongMethodIsNotAllowed();
    void headAnswersWithoutBody_data();
    void headAnswersWithoutBody();
    void optionsListsTheMethods();
    void requestIdIsKeptWhenSane_data();
    void requestIdIsKeptWhenSane();
    void corsFollowsTheAllowList_data();
    void corsFollowsTheAllowList();
    void corsPreflight();
    void badBodiesGetClearErrors_data();
    void badBodiesGetClearErrors();
    void bearerTokensAreChecked_data();
    void bearerTokensAreChecked();
    void logsOneJsonLinePerRequestWithoutSecrets();
    void everyAnsweredRequestIsLoggedBeforeExit();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<ApiClient> m_client;
    SignedInUser m_user;
};

void TestHttpCore::initTestCase()
{
    TestServer::Options options;
    options.environment.insert(u"TASKLANE_CORS_ORIGINS"_s,
                               QString::fromLatin1(AllowedOrigin) + u", https://other.example"_s);
    m_server = std::make_unique<TestServer>(options);
    QVERIFY(m_server->start());
    m_client = std::make_unique<ApiClient>(m_server->url());
    m_user = signUpAndLogIn(*m_client);
    QVERIFY(!m_user.accessToken.isEmpty());
}

void TestHttpCore::cleanupTestCase()
{
    m_client.reset();
    QCOMPARE(m_server->stop(), 0);
}

void TestHttpCore::everyResponseCarriesTheStandardHeaders_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("a liveness probe") << QByteArray("GET") << u"/healthz"_s << 200;
    QTest::newRow("the signed-in user") << QByteArray("GET") << u"/api/v1/users/me"_s << 200;
    QTest::newRow("a missing page") << QByteArray("GET") << u"/api/v1/nothing"_s << 404;
    QTest::newRow("a wrong method") << QByteArray("PUT") << u"/healthz"_s << 405;
    QTest::newRow("an options request") << QByteArray("OPTIONS") << u"/healthz"_s << 204;
}

void TestHttpCore::everyResponseCarriesTheStandardHeaders()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    ApiReply *reply = m_client->send(method, path);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    QCOMPARE(reply->header("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(reply->header("Cache-Control"), QByteArray("no-store"));
    QCOMPARE(reply->header("Content-Security-Policy"), QByteArray("frame-ancestors 'none'"));
    QCOMPARE(reply->header("Referrer-Policy"), QByteArray("no-referrer"));
    QVERIFY(!reply->header("X-Request-Id").isEmpty());
    QVERIFY(reply->header("Server").isEmpty());
    QVERIFY(reply->header("X-Powered-By").isEmpty());
    if (status >= 400) {
        QCOMPARE(reply->header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(reply->problem()->requestId, QString::fromLatin1(reply->header("X-Request-Id")));
    }
}

void TestHttpCore::unknownPathIsNotFound()
{
    ApiReply *reply = m_client->send("GET", u"/api/v1/does-not-exist"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 404);
    const auto problem = reply->problem();
    QVERIFY(problem);
    QCOMPARE(problem->type, u"urn:tasklane:problem:not-found"_s);
    QCOMPARE(problem->title, u"Not found"_s);
    QCOMPARE(problem->status, 404);
    QCOMPARE(problem->instance, u"/api/v1/does-not-exist"_s);
}

void TestHttpCore::wrongMethodIsNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("allow");
    QTest::newRow("PUT on one's own account") << QByteArray("PUT") << u"/api/v1/users/me"_s
                                              << QByteArray("GET, PATCH, DELETE, HEAD, OPTIONS");
    QTest::newRow("GET on login") << QByteArray("GET") << u"/api/v1/auth/login"_s
                                  << QByteArray("POST, OPTIONS");
    QTest::newRow("POST on the liveness probe")
            << QByteArray("POST") << u"/healthz"_s << QByteArray("GET, HEAD, OPTIONS");
}

void TestHttpCore::wrongMethodIsNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, allow);
    ApiReply *reply = m_client->send(method, path);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 405);
    QCOMPARE(reply->header("Allow"), allow);
    QCOMPARE(reply->problem()->type, u"urn:tasklane:problem:method-not-allowed"_s);
}

void TestHttpCore::headAnswersWithoutBody_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("a route") << QByteArray("/healthz") << 200;
    QTest::newRow("an authenticated route without a token")
            << QByteArray("/api/v1/users/me") << 401;
    QTest::newRow("nothing there") << QByteArray("/nope") << 404;
    QTest::newRow("a route without GET") << QByteArray("/api/v1/auth/login") << 405;
}

void TestHttpCore::headAnswersWithoutBody()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    const RawResult get = rawExchange(
            m_server->port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // Pipelined, so that a body the HEAD answer should not have would show up before the next.
    const RawResult head = rawExchange(
            m_server->port(),
            "HEAD " + path
                    + " HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(get.bytes), status);
    QCOMPARE(statusOf(head.bytes), status);
    const qsizetype end = head.bytes.indexOf("\r\n\r\n");
    QVERIFY(end > 0);
    QVERIFY2(head.bytes.mid(end + 4).startsWith("HTTP/1.1 200"), head.bytes.constData());
    if (status == 200) { // the length GET's body would have (problem bodies differ by request id)
        const qsizetype bodyStart = get.bytes.indexOf("\r\n\r\n") + 4;
        const QByteArray length
                = "Content-Length: " + QByteArray::number(get.bytes.size() - bodyStart);
        QVERIFY(head.bytes.left(end).contains(length));
    }
}

void TestHttpCore::optionsListsTheMethods()
{
    ApiReply *reply = m_client->send("OPTIONS", u"/api/v1/users/me"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 204);
    QCOMPARE(reply->header("Allow"), QByteArray("GET, PATCH, DELETE, HEAD, OPTIONS"));
    QVERIFY(reply->body().isEmpty());
}

void TestHttpCore::requestIdIsKeptWhenSane_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::addColumn<bool>("kept");
    QTest::newRow("a plain id is kept") << QByteArray("req-42.abc_DEF:1") << true;
    QTest::newRow("an id with spaces is replaced") << QByteArray("two words") << false;
    QTest::newRow("an id with a quote is replaced") << QByteArray("x\"y") << false;
    QTest::newRow("a 129-character id is replaced") << QByteArray(129, 'a') << false;
}

void TestHttpCore::requestIdIsKeptWhenSane()
{
    QFETCH(QByteArray, sent);
    QFETCH(bool, kept);
    ApiReply *reply = m_client->send("GET", u"/nowhere"_s, {}, { { "X-Request-Id", sent } });
    QVERIFY(waitFor(reply));
    const QByteArray echoed = reply->header("X-Request-Id");
    QCOMPARE(echoed == sent, kept);
    QVERIFY(!echoed.isEmpty());
    QCOMPARE(reply->problem()->requestId, QString::fromLatin1(echoed));
}

void TestHttpCore::corsFollowsTheAllowList_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("an allowed origin is echoed") << AllowedOrigin << true;
    QTest::newRow("the second allowed origin is echoed")
            << QByteArray("https://other.example") << true;
    QTest::newRow("an unknown origin gets nothing") << QByteArray("https://evil.example") << false;
    QTest::newRow("a look-alike origin gets nothing")
            << QByteArray("https://app.example.com.evil.example") << false;
    QTest::newRow("the null origin gets nothing") << QByteArray("null") << false;
}

void TestHttpCore::corsFollowsTheAllowList()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    ApiReply *reply = m_client->send("GET", u"/api/v1/users/me"_s, {}, { { "Origin", origin } });
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->header("Access-Control-Allow-Origin"), allowed ? origin : QByteArray());
    QCOMPARE(reply->header("Vary"), allowed ? QByteArray("Origin") : QByteArray());
    QCOMPARE(reply->header("Access-Control-Allow-Credentials"), QByteArray());
}

void TestHttpCore::corsPreflight()
{
    const RawHeaders preflight{ { "Origin", AllowedOrigin },
                                { "Access-Control-Request-Method", "PATCH" },
                                { "Access-Control-Request-Headers",
                                  "authorization, content-type" } };
    ApiReply *allowed = m_client->send("OPTIONS", u"/api/v1/users/me"_s, {}, preflight);
    QVERIFY(waitFor(allowed));
    QCOMPARE(allowed->status(), 204);
    QCOMPARE(allowed->header("Access-Control-Allow-Origin"), AllowedOrigin);
    QVERIFY(allowed->header("Access-Control-Allow-Methods").contains("PATCH"));
    QVERIFY(allowed->header("Access-Control-Allow-Headers").contains("Authorization"));
    QVERIFY(!allowed->header("Access-Control-Max-Age").isEmpty());

    ApiReply *refused = m_client->send(
            "OPTIONS", u"/api/v1/users/me"_s, {},
            { { "Origin", "https://evil.example" }, { "Access-Control-Request-Method", "PATCH" } });
    QVERIFY(waitFor(refused));
    QCOMPARE(refused->header("Access-Control-Allow-Origin"), QByteArray());
    QCOMPARE(refused->header("Access-Control-Allow-Methods"), QByteArray());
}

void TestHttpCore::badBodiesGetClearErrors_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("slug");

    QTest::newRow("text/plain is an unsupported media type")
            << QByteArray("text/plain") << QByteArray(R"({"email":"a@b.co","password":"x"})") << 415
            << u"unsupported-media-type"_s;
    QTest::newRow("a form body is an unsupported media type")
            << QByteArray("application/x-www-form-urlencoded") << QByteArray("email=a&password=b")
            << 415 << u"unsupported-media-type"_s;
    QTest::newRow("JSON in Latin-1 is an unsupported media type")
            << QByteArray("application/json; charset=iso-8859-1") << QByteArray("{}") << 415
            << u"unsupported-media-type"_s;
    QTest::newRow("no Content-Type at all is an unsupported media type")
            << QByteArray() << QByteArray("{}") << 415 << u"unsupported-media-type"_s;
    QTest::newRow("JSON with charset=utf-8 is fine")
            << QByteArray("application/json; charset=utf-8")
            << QByteArray(R"({"email":"nobody@example.com","password":"whatever"})") << 401
            << u"invalid-credentials"_s;
    QTest::newRow("truncated JSON is malformed")
            << QByteArray("application/json") << QByteArray(R"({"email":)") << 400
            << u"malformed-json"_s;
    QTest::newRow("invalid UTF-8 is malformed")
            << QByteArray("application/json") << QByteArray("{\"email\":\"\xff\xfe\"}") << 400
            << u"malformed-json"_s;
    QTest::newRow("a lone high surrogate escape is malformed")
            << QByteArray("application/json")
            << QByteArray(R"({"email":"a\ud800@example.com","password":"x"})") << 400
            << u"malformed-json"_s;
    QTest::newRow("a lone low surrogate escape is malformed")
            << QByteArray("application/json")
            << QByteArray(R"({"email":"a\udc00b","password":"x"})") << 400 << u"malformed-json"_s;
    QTest::newRow("an escaped pair and an escaped backslash are fine")
            << QByteArray("application/json")
            << QByteArray(R"({"email":"\ud83d\ude80\\ud800@example.com","password":"x"})") << 401
            << u"invalid-credentials"_s;
    QTest::newRow("a bare string is not an object")
            << QByteArray("application/json") << QByteArray(R"("hello")") << 400
            << u"malformed-json"_s;
    QTest::newRow("2,000 levels of nesting are refused")
            << QByteArray("application/json") << (QByteArray(2000, '[') + QByteArray(2000, ']'))
            << 400 << u"malformed-json"_s;
    QTest::newRow("33 levels of nesting inside a field are refused")
            << QByteArray("application/json")
            << ("{\"email\":" + QByteArray(32, '[') + QByteArray(32, ']') + "}") << 400
            << u"malformed-json"_s;
    QTest::newRow("a nested object where a string belongs is a wrong type")
            << QByteArray("application/json")
            << QByteArray(R"({"email":{"$gt":""},"password":"x"})") << 422
            << u"validation-failed"_s;
    QTest::newRow("a 10,000-character email is too long")
            << QByteArray("application/json")
            << ("{\"email\":\"" + QByteArray(10000, 'a') + "@example.com\",\"password\":\"x\"}")
            << 422 << u"validation-failed"_s;
    QTest::newRow("a null password is required")
            << QByteArray("application/json")
            << QByteArray(R"({"email":"a@example.com","password":null})") << 422
            << u"validation-failed"_s;
}

void TestHttpCore::badBodiesGetClearErrors()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, slug);
    RawHeaders headers;
    if (!contentType.isEmpty())
        headers.append({ "Content-Type", contentType });
    ApiReply *reply = m_client->send("POST", u"/api/v1/auth/login"_s, body, headers);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    const auto problem = reply->problem();
    QVERIFY2(problem, reply->body().constData());
    QCOMPARE(problem->slug(), slug);
    QVERIFY(!problem->detail.isEmpty());
}

void TestHttpCore::bearerTokensAreChecked_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<int>("status");

    const QByteArray token = m_user.accessToken.toLatin1();
    const QList<QByteArray> parts = token.split('.');
    const QByteArray noneHeader
            = QByteArray(R"({"alg":"none","typ":"JWT"})")
                      .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QByteArray payload = QByteArray::fromBase64(parts.at(1), QByteArray::Base64UrlEncoding);
    payload.replace("\"sub\":\"", "\"sub\":\"9");
    const QByteArray forgedPayload
            = payload.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    QTest::newRow("the real token works") << "Bearer " + token << 200;
    QTest::newRow("no header is unauthorized") << QByteArray() << 401;
    QTest::newRow("Basic credentials are unauthorized") << QByteArray("Basic dXNlcjpwYXNz") << 401;
    QTest::newRow("the scheme is case-insensitive") << "bearer " + token << 200;
    QTest::newRow("an empty bearer is unauthorized") << QByteArray("Bearer ") << 401;
    QTest::newRow("garbage is unauthorized") << QByteArray("Bearer abc.def.ghi") << 401;
    QTest::newRow("alg none without a signature is unauthorized")
            << "Bearer " + noneHeader + '.' + parts.at(1) + '.' << 401;
    QTest::newRow("a changed subject breaks the signature")
            << "Bearer " + parts.at(0) + '.' + forgedPayload + '.' + parts.at(2) << 401;
    QTest::newRow("a token with a flipped signature is unauthorized") << "Bearer " + parts.at(0)
                    + '.' + parts.at(1) + '.' + parts.at(2).left(parts.at(2).size() - 2)
                    + "AA" << 401;
}

void TestHttpCore::bearerTokensAreChecked()
{
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    RawHeaders headers;
    if (!authorization.isEmpty())
        headers.append({ "Authorization", authorization });
    ApiClient anonymous(m_server->url());
    ApiReply *reply = anonymous.send("GET", u"/api/v1/users/me"_s, {}, headers);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    if (status == 401) {
        QCOMPARE(reply->problem()->type, u"urn:tasklane:problem:unauthorized"_s);
        QVERIFY(reply->header("WWW-Authenticate").startsWith("Bearer"));
    }
    if (status == 401 && authorization.size() > 7
        && authorization.first(7).toLower() == "bearer ") {
        // Why the token was rejected is logged under the request's id.
        const QByteArray idField = "\"request_id\":\"" + reply->header("X-Request-Id") + '"';
        QTRY_VERIFY(m_server->logs().contains(idField));
        bool found = false;
        for (const QByteArray &line : m_server->logs().split('\n'))
            found = found || (line.contains("rejected an access token") && line.contains(idField));
        QVERIFY2(found, idField.constData());
    }
}

void TestHttpCore::logsOneJsonLinePerRequestWithoutSecrets()
{
    ApiReply *reply = m_client->send("GET", u"/api/v1/users/me"_s, {},
                                     { { "X-Request-Id", "log-check-1" } });
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QTest::qWait(100);
    const QByteArray logs = m_server->logs();
    QJsonObject line;
    int requestLines = 0;
    for (const QByteArray &text : logs.split('\n')) {
        if (text.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonObject object = QJsonDocument::fromJson(text, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, text.constData());
        for (const char *field : { "time", "level", "category", "message" })
            QVERIFY2(object.contains(QLatin1StringView(field)), text.constData());
        if (object.value(u"request_id"_s).toString() == u"log-check-1"_s
            && object.value(u"category"_s).toString() == u"tasklane.http.request"_s) {
            line = object;
            ++requestLines;
        }
    }
    QCOMPARE(requestLines, 1);
    QCOMPARE(line.value(u"method"_s).toString(), u"GET"_s);
    QCOMPARE(line.value(u"path"_s).toString(), u"/api/v1/users/me"_s);
    QCOMPARE(line.value(u"status"_s).toInt(), 200);
    QCOMPARE(line.value(u"user_id"_s).toInteger(), m_user.id);
    QVERIFY(line.value(u"duration_ms"_s).isDouble());
    QVERIFY(!logs.contains(m_user.password.toUtf8()));
    QVERIFY(!logs.contains(m_user.accessToken.toUtf8()));
    QVERIFY(!logs.contains(m_user.refreshToken.toUtf8()));
    QVERIFY(!logs.contains("test-signing-key"));
}

void TestHttpCore::everyAnsweredRequestIsLoggedBeforeExit()
{
    // The log is written by a thread of its own. Nobody reads the server's stderr while the
    // requests run and for a while after the SIGTERM (only blocking socket calls, no event
    // loop), so the pipe is full and most lines are still queued in the server when it is told
    // to stop: it must write them all, and its own last line, before it exits.
    TestServer server;
    QVERIFY(server.start());
    constexpr int Requests = 1000;
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, server.port());
    QVERIFY(socket.waitForConnected(5000));
    for (int n = 0; n < Requests; ++n) {
        socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: exit-"
                     + QByteArray::number(n) + "\r\n\r\n");
        QByteArray received;
        while (countResponses(received) == 0) {
            QVERIFY2(socket.waitForReadyRead(5000), "no answer");
            received += socket.readAll();
        }
        QCOMPARE(statusOf(received.mid(received.indexOf("HTTP/1.1 "))), 200);
    }
    socket.disconnectFromHost();
    QCOMPARE(::kill(pid_t(server.process().processId()), SIGTERM), 0);
    QThread::msleep(1000);
    QCOMPARE(server.stop(), 0); // reads stderr until the server has exited
    QSet<QString> logged;
    QString lastMessage;
    for (const QByteArray &text : server.logs().split('\n')) {
        if (text.isEmpty())
            continue;
        const QJsonObject object = QJsonDocument::fromJson(text).object();
        QVERIFY2(!object.isEmpty(), text.constData());
        if (object.value(u"category"_s).toString() == u"tasklane.http.request"_s)
            logged.insert(object.value(u"request_id"_s).toString());
        lastMessage = object.value(u"message"_s).toString();
    }
    for (int n = 0; n < Requests; ++n)
        QVERIFY2(logged.contains(u"exit-%1"_s.arg(n)), qPrintable(u"exit-%1"_s.arg(n)));
    QCOMPARE(lastMessage, u"stopped"_s);
}

QTEST_GUILESS_MAIN(TestHttpCore)
#include "tst_httpcore.moc"
