// Per-route body caps, seen from a raw socket: a route with small bodies refuses a large one
// before reading it, while other routes keep the server-wide cap.
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

// A request head declaring a body of `length` bytes, none of which is sent with it.
QByteArray headDeclaring(const QByteArray &method, const QByteArray &path, qint64 length,
                         const QByteArray &extra = {})
{
    return method + ' ' + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + extra + "Content-Length: " + QByteArray::number(length) + "\r\n\r\n";
}

// A chunked request whose body is `chunks` chunks of `chunkBytes` bytes each.
QByteArray chunkedRequest(const QByteArray &path, int chunks, qint64 chunkBytes)
{
    QByteArray request = "POST " + path
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
              "chunked\r\n\r\n";
    for (int i = 0; i < chunks; ++i)
        request += QByteArray::number(chunkBytes, 16) + "\r\n" + QByteArray(chunkBytes, ' ')
                + "\r\n";
    return request + "0\r\n\r\n";
}

QByteArray problemType(const QByteArray &response)
{
    const QByteArray body = response.mid(response.indexOf("\r\n\r\n") + 4);
    return QJsonDocument::fromJson(body).object().value(u"type"_s).toString().toUtf8();
}
} // namespace

class TestBodyLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void refusesADeclaredBodyOverTheRoutesCapAfterTheHead_data();
    void refusesADeclaredBodyOverTheRoutesCapAfterTheHead();
    void refusesAChunkedBodyOnceItPassesTheRoutesCap_data();
    void refusesAChunkedBodyOnceItPassesTheRoutesCap();
    void acceptsBodiesWithinTheirCap_data();
    void acceptsBodiesWithinTheirCap();
    void routesListEachCap();
    void carriesA25MiBBodyToItsHandler();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestBodyLimits::initTestCase()
{
    // The built-in caps: 10 MiB server-wide, 64 KiB for the account routes.
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestBodyLimits::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestBodyLimits::refusesADeclaredBodyOverTheRoutesCapAfterTheHead_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::newRow("a 100 KiB login is refused on its head alone")
            << headDeclaring("POST", "/api/v1/auth/login", 100 * KiB);
    QTest::newRow("a signup one byte over 64 KiB is refused")
            << headDeclaring("POST", "/api/v1/auth/signup", 64 * KiB + 1);
    QTest::newRow("a 100 KiB token refresh is refused")
            << headDeclaring("POST", "/api/v1/auth/refresh-token", 100 * KiB);
    QTest::newRow("a 100 KiB logout is refused before its token is looked at")
            << headDeclaring("POST", "/api/v1/auth/logout", 100 * KiB);
    QTest::newRow("a 100 KiB change to one's account is refused")
            << headDeclaring("PATCH", "/api/v1/users/me", 100 * KiB);
    QTest::newRow("a percent-encoded path has the cap of the route it reaches")
            << headDeclaring("POST", "/api/v1/auth/log%69n", 100 * KiB);
    QTest::newRow("a query does not hide the route")
            << headDeclaring("POST", "/api/v1/auth/login?x=1", 100 * KiB);
    QTest::newRow("a client waiting for 100 Continue gets 413 instead")
            << headDeclaring("POST", "/api/v1/auth/login", 100 * KiB, "Expect: 100-continue\r\n");
}

void TestBodyLimits::refusesADeclaredBodyOverTheRoutesCapAfterTheHead()
{
    QFETCH(QByteArray, head);
    // Only the head is sent: an answer proves that the server did not wait for the body.
    const RawResult result = rawExchange(m_server->port(), head, 3000);
    QCOMPARE(statusOf(result.bytes), 413);
    QCOMPARE(problemType(result.bytes), QByteArray("urn:tasklane:problem:payload-too-large"));
    QVERIFY2(result.bytes.contains("65536 bytes"), result.bytes.constData());
    QVERIFY(!result.bytes.contains("100 Continue"));
    QVERIFY2(result.closedByServer, "a refused connection must be closed");
    QVERIFY2(result.elapsedMs < 2000, "the server must answer without waiting for the body");
}

void TestBodyLimits::refusesAChunkedBodyOnceItPassesTheRoutesCap_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("a chunked 100 KiB login in one chunk is refused")
            << chunkedRequest("/api/v1/auth/login", 1, 100 * KiB);
    QTest::newRow("a chunked login of 25 chunks of 4 KiB is refused")
            << chunkedRequest("/api/v1/auth/login", 25, 4 * KiB);
    QTest::newRow("a chunked 100 KiB change to one's account is refused")
            << chunkedRequest("/api/v1/users/me", 1, 100 * KiB).replace(0, 4, "PATCH");
}

void TestBodyLimits::refusesAChunkedBodyOnceItPassesTheRoutesCap()
{
    QFETCH(QByteArray, request);
    const RawResult result = rawExchange(m_server->port(), request, 3000);
    QCOMPARE(statusOf(result.bytes), 413);
    QCOMPARE(problemType(result.bytes), QByteArray("urn:tasklane:problem:payload-too-large"));
    QVERIFY(result.closedByServer);
}

void TestBodyLimits::acceptsBodiesWithinTheirCap_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("status");
    // A body of spaces is no JSON object: the handler says so, after the whole body arrived.
    QTest::newRow("a 60 KiB login reaches its handler")
            << QByteArray("POST") << QByteArray("/api/v1/auth/login") << 60 * KiB << 400;
    QTest::newRow("a 9 MiB body to a route without a cap of its own is not refused for size")
            << QByteArray("POST") << QByteArray("/api/v1/tasks") << 9 * MiB << 401;
    QTest::newRow("a 9 MiB body to an unknown path is not refused for size")
            << QByteArray("POST") << QByteArray("/api/v1/nothing-here") << 9 * MiB << 404;
    QTest::newRow("a 9 MiB body keeps the server-wide cap on a path whose other methods are capped")
            << QByteArray("PUT") << QByteArray("/api/v1/users/me") << 9 * MiB << 405;
    QTest::newRow("an 11 MiB body is still over the server-wide cap")
            << QByteArray("POST") << QByteArray("/api/v1/nothing-here") << 11 * MiB << 413;
}

void TestBodyLimits::acceptsBodiesWithinTheirCap()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(qint64, length);
    QFETCH(int, status);
    const QByteArray request = headDeclaring(method, path, length, "Connection: close\r\n")
            + QByteArray(length, ' ');
    const RawResult result = rawExchange(m_server->port(), request, 15'000);
    QCOMPARE(statusOf(result.bytes), status);
    QVERIFY(result.closedByServer);
}

void TestBodyLimits::routesListEachCap()
{
    QByteArray out;
    QCOMPARE(m_server->runCommand({ u"routes"_s, u"--max-body-bytes"_s, u"2048"_s }, {}, &out), 0);
    const QJsonArray routes = QJsonDocument::fromJson(out).array();
    QVERIFY2(!routes.isEmpty(), out.constData());
    QHash<QString, qint64> caps;
    for (const QJsonValue &route : routes) {
        const QJsonObject object = route.toObject();
        QVERIFY2(object.contains(u"max_body_bytes"_s),
                 qPrintable(object.value(u"path"_s).toString()));
        caps.insert(object.value(u"method"_s).toString() + u' '
                            + object.value(u"path"_s).toString(),
                    object.value(u"max_body_bytes"_s).toInteger());
    }
    QCOMPARE(caps.value(u"POST /api/v1/auth/login"_s), 64 * KiB);
    QCOMPARE(caps.value(u"POST /api/v1/auth/signup"_s), 64 * KiB);
    QCOMPARE(caps.value(u"PATCH /api/v1/users/me"_s), 64 * KiB);
    // A route without a cap of its own shows the server-wide one it gets.
    QCOMPARE(caps.value(u"GET /api/v1/users/me"_s), 2048);
    QCOMPARE(caps.value(u"POST /api/v1/tasks"_s), 2048);
}

void TestBodyLimits::carriesA25MiBBodyToItsHandler()
{
    // An upload route's cap, here server-wide: Qt's read buffer must make room for the whole
    // body, and the worker queue must take it although it is larger than all queued bodies may
    // be together (it waits alone).
    TestServer::Options options;
    options.arguments = { u"--max-body-bytes"_s, QString::number(25 * MiB), u"--queue-body-bytes"_s,
                          QString::number(16 * MiB) };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    const QByteArray request = headDeclaring("POST", "/api/v1/tasks", 25 * MiB,
                                             "Authorization: Bearer " + user.accessToken.toLatin1()
                                                     + "\r\nConnection: close\r\n")
            + QByteArray(25 * MiB, ' ');
    const RawResult result = rawExchange(server.port(), request, 30'000);
    // Spaces are no JSON object: refused by the handler, which had the whole body.
    QCOMPARE(statusOf(result.bytes), 400);
    QVERIFY2(result.bytes.contains("malformed-json"), result.bytes.constData());
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestBodyLimits)
#include "tst_bodylimits.moc"
