// The hardening in front of QtHttpServer, seen from a raw socket: what a client sends, what
// comes back, and whether the connection stays open.
#include "testserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <QThread>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

QByteArray signupBody(const QByteArray &email)
{
    return R"({"email":")" + email
            + R"(","password":"Pipelined-Passphrase-42","display_name":"P"})";
}

QByteArray signup(const QByteArray &email, const QByteArray &version = "HTTP/1.1",
                  const QByteArray &extra = {})
{
    const QByteArray body = signupBody(email);
    return "POST /api/v1/auth/signup " + version
            + "\r\nHost: x\r\nContent-Type: application/json\r\n" + extra
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A chunked signup whose last chunk ends the body with `ending` (CRLF, or the part of it
// that arrives in this read).
QByteArray chunkedSignup(const QByteArray &email, const QByteArray &ending = "\r\n")
{
    const QByteArray body = signupBody(email);
    const QByteArray first = body.left(20), second = body.mid(20);
    return "POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: "
           "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + QByteArray::number(first.size(), 16) + ";ext=1\r\n" + first + "\r\n"
            + QByteArray::number(second.size(), 16) + "\r\n" + second + "\r\n0\r\n" + ending;
}

// Everything before the first blank line of `bytes`: one response's head.
QByteArray headOf(const QByteArray &bytes)
{
    return bytes.left(bytes.indexOf("\r\n\r\n") + 2);
}

QByteArray manyHeaders(int count)
{
    QByteArray headers;
    for (int i = 0; i < count; ++i)
        headers += "X-Filler-" + QByteArray::number(i) + ": value\r\n";
    return headers;
}
} // namespace

class TestConnectionGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void refusesAndCloses_data();
    void refusesAndCloses();
    void smuggledRequestInBodyIsNeverServed();
    void answersExpectContinueBeforeTheBody();
    void sendsNoInterimAnswerOutOfTurn_data();
    void sendsNoInterimAnswerOutOfTurn();
    void honoursConnectionClose_data();
    void honoursConnectionClose();
    void keepsAliveAndAnswersPipelinedRequestsInOrder();
    void policesPipelinedRequestsSplitAcrossReads_data();
    void policesPipelinedRequestsSplitAcrossReads();
    void acceptsChunkedBodies_data();
    void acceptsChunkedBodies();
    void processesNothingAfterAClose_data();
    void processesNothingAfterAClose();
    void blankLinesCannotHoldAConnection_data();
    void blankLinesCannotHoldAConnection();
    void answersUpgradeRequestsInTurn();
    void announcesKeepAlivePerRequest();
    void refusalsAndAnswersAreCompletedAlike_data();
    void refusalsAndAnswersAreCompletedAlike();
    void closesIdleConnections();
    void timesOutSlowHeaders();
    void timesOutTricklingBodies();
    void capsConnections();
    void refusalsKeepTheClientsRequestIdAndCors_data();
    void refusalsKeepTheClientsRequestIdAndCors();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestConnectionGuard::initTestCase()
{
    TestServer::Options options;
    options.arguments = { u"--max-body-bytes"_s,    u"65536"_s,
                          u"--header-timeout-ms"_s, u"600"_s,
                          u"--idle-timeout-ms"_s,   u"900"_s,
                          u"--max-connections"_s,   u"16"_s,
                          u"--cors-origins"_s,      u"https://app.example"_s };
    m_server = std::make_unique<TestServer>(options);
    QVERIFY(m_server->start());
}

void TestConnectionGuard::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestConnectionGuard::refusesAndCloses_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("type");

    QTest::newRow("65 header fields are too many")
            << get("/healthz", manyHeaders(65)) << 431 << QByteArray("header-fields-too-large");
    QTest::newRow("a refused request's query stays out of the log")
            << get("/healthz?token=secret", manyHeaders(65)) << 431
            << QByteArray("header-fields-too-large");
    QTest::newRow("64 header fields are fine")
            << get("/healthz", manyHeaders(63)) << 200 << QByteArray();
    QTest::newRow("one 40 KiB header field is too large")
            << get("/healthz", "X-Big: " + QByteArray(40 * 1024, 'a') + "\r\n") << 431
            << QByteArray("header-fields-too-large");
    QTest::newRow("a Content-Length over the cap is refused before the body is sent")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nContent-Length: 70000\r\n\r\n")
            << 413 << QByteArray("payload-too-large");
    QTest::newRow("a chunked body growing over the cap is refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n10000\r\n")
                    + QByteArray(0x10000, 'a') + "\r\n10\r\n"
            << 413 << QByteArray("payload-too-large");
    QTest::newRow("Content-Length and Transfer-Encoding together are ambiguous")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          "4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            << 400 << QByteArray("bad-request");
    QTest::newRow("two different Content-Lengths are ambiguous")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          "2\r\nContent-Length: 3\r\n\r\n{}")
            << 400 << QByteArray("bad-request");
    QTest::newRow("white space before a header's colon is refused")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n") << 400
            << QByteArray("bad-request");
    QTest::newRow("a folded header line is refused")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n  folded\r\n\r\n") << 400
            << QByteArray("bad-request");
    QTest::newRow("HTTP/2.0 over plain text is refused")
            << QByteArray("GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n") << 400
            << QByteArray("bad-request");
    // Each of these would make QtHttpServer 6.4 frame the stream differently from the guard,
    // so that what follows could pass unpoliced.
    QTest::newRow("chunked trailers are refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n0\r\nX-Trailer: 1\r\n\r\n")
            << 400 << QByteArray("bad-request");
    QTest::newRow("anything but CRLF after the last chunk is refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n0\r\nXXPOST /api/v1/auth/login HTTP/1.1\r\n"
                          "Content-Length: 1000000000\r\n\r\n")
            << 400 << QByteArray("bad-request");
    QTest::newRow("a chunk size ended by a bare LF is refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\nhello\r\n0\r\n\r\n")
            << 400 << QByteArray("bad-request");
    QTest::newRow("a header line ended by a bare LF is refused")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n") << 400
            << QByteArray("bad-request");
    QTest::newRow("a header name outside the token characters is refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nX@: 1\r\nContent-Length: "
                          "46\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
            << 400 << QByteArray("bad-request");
    QTest::newRow("an HTTP/1.1 request without Host is refused")
            << QByteArray("GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n") << 400
            << QByteArray("bad-request");
    QTest::newRow("two Host fields are refused")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
            << QByteArray("bad-request");
    QTest::newRow("a transfer coding other than chunked is refused")
            << QByteArray("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "gzip\r\n\r\n")
            << 400 << QByteArray("bad-request");
}

void TestConnectionGuard::refusesAndCloses()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, type);

    const RawResult result = rawExchange(m_server->port(), request, 2000);
    QCOMPARE(statusOf(result.bytes), status);
    if (type.isEmpty())
        return;
    QVERIFY2(result.bytes.contains("Content-Type: application/problem+json"),
             result.bytes.left(400).constData());
    QVERIFY(result.bytes.contains(QByteArray("\"type\":\"urn:tasklane:problem:" + type + "\"")));
    QVERIFY(result.bytes.contains("Connection: close"));
    QVERIFY(result.bytes.contains("X-Content-Type-Options: nosniff"));
    QVERIFY2(result.closedByServer, "a refused connection must be closed");
    QCOMPARE(countResponses(result.bytes), 1);
    // The refusal has its line in the request log, under the id the client was given.
    const qsizetype idAt = result.bytes.indexOf("X-Request-Id: ") + 14;
    const QByteArray requestId = result.bytes.mid(idAt, result.bytes.indexOf('\r', idAt) - idAt);
    const QByteArray logLine
            = "\"request_id\":\"" + requestId + "\",\"status\":" + QByteArray::number(status);
    QTRY_VERIFY(m_server->logs().contains(logLine));
    // ... naming the method and path of a well-formed request line (never its query).
    const QByteArray requestLine = request.left(request.indexOf("\r\n"));
    if (requestLine.endsWith(" HTTP/1.1")) {
        const QList<QByteArray> parts = requestLine.split(' ');
        const QByteArray logs = m_server->logs();
        const qsizetype at = logs.indexOf(logLine);
        const QByteArray line = logs.mid(logs.lastIndexOf('\n', at) + 1,
                                         logs.indexOf('\n', at) - logs.lastIndexOf('\n', at) - 1);
        const QJsonObject entry = QJsonDocument::fromJson(line).object();
        QCOMPARE(entry.value(u"method"_s).toString().toUtf8(), parts.at(0));
        QCOMPARE(entry.value(u"path"_s).toString().toUtf8(), parts.at(1).split('?').first());
        QVERIFY(!line.contains("secret"));
    }
}

void TestConnectionGuard::smuggledRequestInBodyIsNeverServed()
{
    // QtHttpServer 6.4 drops every header past 100 fields and then parses the body as a second
    // request. The guard refuses the first request before QtHttpServer sees it.
    const QByteArray smuggled = get("/api/v1/openapi.json");
    const QByteArray request = "POST /healthz HTTP/1.1\r\nHost: x\r\n" + manyHeaders(101)
            + "Content-Length: " + QByteArray::number(smuggled.size()) + "\r\n\r\n" + smuggled;
    const RawResult result = rawExchange(m_server->port(), request, 2000);
    QCOMPARE(statusOf(result.bytes), 431);
    QCOMPARE(countResponses(result.bytes), 1);
    QVERIFY(!result.bytes.contains("openapi"));
    QVERIFY(result.closedByServer);
}

void TestConnectionGuard::answersExpectContinueBeforeTheBody()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    const QByteArray body = R"({"email":"x@example.com","password":"whatever-it-is"})";
    socket.write("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Expect: 100-continue\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n");
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("\r\n\r\n"), 2000);
    QVERIFY2(received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), received.constData());
    socket.write(body);
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("HTTP/1.1 401"), 5000);
}

void TestConnectionGuard::sendsNoInterimAnswerOutOfTurn_data()
{
    const QByteArray body = R"({"email":"x@example.com","password":"whatever-it-is"})";
    const QByteArray login = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             "application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const QByteArray expecting = "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                                 "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n";
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("answers");
    // RFC 9110, 10.1.1: a server must not send a 1xx response to an HTTP/1.0 client.
    QTest::newRow("an HTTP/1.0 client gets no 100")
            << "POST /api/v1/auth/login HTTP/1.0\r\n" + expecting << body << 1;
    // A 100 sent now would arrive before the first request's answer and be taken for it.
    QTest::newRow("a request behind an unanswered one gets no 100")
            << login + "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n" + expecting << body << 2;
}

void TestConnectionGuard::sendsNoInterimAnswerOutOfTurn()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, body);
    QFETCH(int, answers);
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write(head);
    QByteArray received;
    QTest::qWait(400);
    received += socket.readAll();
    QVERIFY2(!received.contains("100 Continue"), received.constData());
    socket.write(body);
    QTRY_VERIFY2_WITH_TIMEOUT(countResponses(received += socket.readAll()) == answers,
                              received.constData(), 5000);
    QVERIFY2(!received.contains("100 Continue"), received.constData());
    QVERIFY(received.startsWith("HTTP/1.")); // the first answer comes first
    QCOMPARE(statusOf(received), 401);
}

void TestConnectionGuard::honoursConnectionClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closed");
    QTest::newRow("HTTP/1.1 with Connection: close is closed after the answer")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0 is closed after the answer")
            << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0 with keep-alive stays open")
            << QByteArray("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
    QTest::newRow("plain HTTP/1.1 stays open") << get("/healthz") << false;
}

void TestConnectionGuard::honoursConnectionClose()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closed);
    const RawResult result = rawExchange(m_server->port(), request, 500);
    QCOMPARE(statusOf(result.bytes), 200);
    QCOMPARE(result.closedByServer, closed);
    QCOMPARE(result.bytes.contains("Connection: close"), closed);
    // An HTTP/1.0 client assumes the end of the answer is the end of the connection unless it
    // is told otherwise (RFC 9112, appendix C.2.2).
    QCOMPARE(result.bytes.contains("Connection: keep-alive"),
             !closed && request.contains("HTTP/1.0"));
}

void TestConnectionGuard::keepsAliveAndAnswersPipelinedRequestsInOrder()
{
    // The first request goes to a worker (readyz queries the database), the second is answered
    // on the event loop at once: the guard still writes them in request order.
    const QByteArray requests = get("/readyz") + get("/healthz") + get("/nowhere") + get("/readyz");
    const RawResult result = rawExchange(m_server->port(), requests, 500);
    QCOMPARE(countResponses(result.bytes), 4);
    const qsizetype ready = result.bytes.indexOf("\"status\":\"ready\"");
    const qsizetype ok = result.bytes.indexOf("\"status\":\"ok\"");
    const qsizetype missing = result.bytes.indexOf("HTTP/1.1 404");
    const qsizetype readyAgain = result.bytes.indexOf("\"status\":\"ready\"", ready + 1);
    QVERIFY(ready > 0 && ok > ready && missing > ok && readyAgain > missing);
    QVERIFY(!result.closedByServer);
}

void TestConnectionGuard::policesPipelinedRequestsSplitAcrossReads_data()
{
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("split");
    QTest::addColumn<int>("secondStatus");
    QTest::newRow("64 header fields behind a complete request are fine")
            << get("/healthz", manyHeaders(63)) << true << 200;
    QTest::newRow("65 header fields behind a complete request are too many")
            << get("/healthz", manyHeaders(65)) << true << 431;
    // Refused while the login is still hashing: the refusal waits for the login's answer.
    QTest::newRow("a refusal in the same packet comes after the earlier answer")
            << get("/healthz", manyHeaders(65)) << false << 431;
    // QtHttpServer dispatches one request per read: the refusal waits for both.
    QTest::newRow("a refusal behind two requests in one packet comes after both answers")
            << get("/healthz") + get("/healthz", manyHeaders(65)) << false << 431;
    // Refused in its body, after its head was framed: never served, whole or not.
    QTest::newRow("a chunked body over the cap in the same packet is refused, not served")
            << QByteArray("POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n")
                    + QByteArray(0x10001, ' ') + "\r\n0\r\n\r\n"
            << false << 413;
}

void TestConnectionGuard::policesPipelinedRequestsSplitAcrossReads()
{
    // QtHttpServer reads the complete first request and leaves the start of the second in the
    // socket's buffer; the guard must not scan that part twice (its framing would drift from
    // QtHttpServer's, and the header limits with it).
    QFETCH(QByteArray, second);
    QFETCH(bool, split);
    QFETCH(int, secondStatus);
    const QByteArray body = R"({"email":"x@example.com","password":"whatever-it-is"})";
    const QByteArray first = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             "application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const QList<QByteArray> chunks = split
            ? QList<QByteArray>{ first + second.left(40), second.mid(40) }
            : QList<QByteArray>{ first + second };
    const RawResult result = rawExchange(m_server->port(), {}, 1500, chunks);
    // The login's 401, then one answer per request in `second`: 200s, the last as expected.
    const int answers = 1 + int(second.count(" HTTP/1.1\r\n"));
    QCOMPARE(countResponses(result.bytes), answers);
    QList<int> statuses;
    for (qsizetype at = 0; (at = result.bytes.indexOf("HTTP/1.1 ", at)) >= 0; at += 9) {
        if (!result.bytes.mid(at).startsWith("HTTP/1.1 100"))
            statuses.append(statusOf(result.bytes.mid(at)));
    }
    QCOMPARE(statuses.size(), answers);
    QCOMPARE(statuses.first(), 401);
    for (qsizetype i = 1; i + 1 < statuses.size(); ++i)
        QCOMPARE(statuses.at(i), 200);
    QCOMPARE(statuses.last(), secondStatus);
    QCOMPARE(result.bytes.count("Connection: close"), secondStatus == 200 ? 0 : 1);
}

void TestConnectionGuard::acceptsChunkedBodies_data()
{
    QTest::addColumn<QByteArray>("email");
    QTest::addColumn<QList<QByteArray>>("reads"); // each sent 50 ms after the one before
    QTest::addColumn<bool>("laterServed");

    QTest::newRow("a request sent after a chunked body has arrived is served")
            << QByteArray("chunky1@example.com")
            << QList<QByteArray>{ chunkedSignup("chunky1@example.com"), get("/healthz") } << true;
    // QtHttpServer 6.4 and the guard could disagree by a byte on where the next request
    // starts: the connection ends after the chunked request's answer instead.
    QTest::newRow("a request pipelined behind a chunked body is not served: answer, then close")
            << QByteArray("chunky2@example.com")
            << QList<QByteArray>{ chunkedSignup("chunky2@example.com") + get("/healthz") } << false;
    QTest::newRow("a chunked body whose last CRLF arrives split ends the connection")
            << QByteArray("chunky3@example.com")
            << QList<QByteArray>{ chunkedSignup("chunky3@example.com", "\r"),
                                  "\nXGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" }
            << false;
}

void TestConnectionGuard::acceptsChunkedBodies()
{
    QFETCH(QByteArray, email);
    QFETCH(QList<QByteArray>, reads);
    QFETCH(bool, laterServed);
    const RawResult result = rawExchange(m_server->port(), {}, 1500, reads);
    QCOMPARE(statusOf(result.bytes), 202);
    QVERIFY(result.bytes.contains(email));
    QCOMPARE(countResponses(result.bytes), laterServed ? 2 : 1);
    if (!laterServed) // (a served one is closed too, later, by the idle timeout)
        QVERIFY(result.closedByServer);
    QCOMPARE(headOf(result.bytes).contains("Connection: close"), !laterServed);
}

void TestConnectionGuard::processesNothingAfterAClose_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("secondEmail");

    QTest::newRow("after Connection: close")
            << signup("closer1@example.com", "HTTP/1.1", "Connection: close\r\n")
            << QByteArray("after-close1@example.com");
    QTest::newRow("after an HTTP/1.0 request without keep-alive")
            << signup("closer2@example.com", "HTTP/1.0") << QByteArray("after-close2@example.com");
}

void TestConnectionGuard::processesNothingAfterAClose()
{
    // RFC 9112, section 9.6: a request pipelined after one that closes the connection is not
    // processed. It used to be executed (the account created) but never answered, so that the
    // client could not know, and its retry did it twice.
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, secondEmail);
    const RawResult result = rawExchange(m_server->port(), first + signup(secondEmail), 3000);
    QCOMPARE(statusOf(result.bytes), 202);
    QCOMPARE(countResponses(result.bytes), 1);
    QVERIFY(result.closedByServer);
    QTest::qWait(300); // anything the server did with the second request has happened by now
    const QList<QVariantList> rows
            = m_server->querySql(u"SELECT COUNT(*) FROM users WHERE email = '%1'"_s.arg(
                    QString::fromLatin1(secondEmail)));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().first().toInt(), 0);
}

void TestConnectionGuard::blankLinesCannotHoldAConnection_data()
{
    QTest::addColumn<QByteArray>("burst");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("status");

    // A CRLF every few seconds used to count as activity for ever and never start the header
    // timer (600 ms here): now the connection gets 408 in time.
    QTest::newRow("a CRLF every 250 ms runs into the header timeout")
            << QByteArray("\r\n") << 250 << 408;
    QTest::newRow("more than eight blank bytes before a request line are refused")
            << QByteArray("\r\n\r\n\r\n\r\n\r\n") << 100 << 400;
}

void TestConnectionGuard::blankLinesCannotHoldAConnection()
{
    QFETCH(QByteArray, burst);
    QFETCH(int, intervalMs);
    QFETCH(int, status);
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    QElapsedTimer timer;
    timer.start();
    QByteArray received;
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 5000) {
        socket.write(burst);
        socket.waitForBytesWritten(100);
        socket.waitForReadyRead(intervalMs);
        received += socket.readAll();
    }
    received += socket.readAll();
    QCOMPARE(statusOf(received), status);
    QVERIFY2(timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
}

void TestConnectionGuard::answersUpgradeRequestsInTurn()
{
    // QtHttpServer 6.4's upgrade branch closed the connection at once, losing the answer
    // still owed to the refresh (on a worker); the guard answers the upgrade itself, in turn.
    const QByteArray body = R"({"refresh_token":"not-a-real-token-but-long-enough-000000000"})";
    const QByteArray refresh = "POST /api/v1/auth/refresh-token HTTP/1.1\r\nHost: x\r\n"
                               "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    // An upgrade where none is served, and one to the real-time path that came pipelined
    // behind another request (QtHttpServer would have parsed its head by then).
    const struct
    {
        QByteArray path, slug;
    } cases[]
            = { { "/api/v1/users/me", "upgrade-not-supported" }, { "/api/v1/ws", "bad-request" } };
    for (const auto &[path, slug] : cases) {
        const QByteArray upgrade = get(path,
                                       "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
                                       "Sec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
        const RawResult result = rawExchange(m_server->port(), refresh + upgrade, 3000);
        QCOMPARE(countResponses(result.bytes), 2);
        QCOMPARE(statusOf(result.bytes), 401);
        QVERIFY(result.bytes.contains("invalid-refresh-token"));
        const QByteArray second = result.bytes.mid(result.bytes.indexOf("HTTP/1.1", 8));
        QCOMPARE(statusOf(second), 400);
        QVERIFY2(second.contains(QByteArray("urn:tasklane:problem:" + slug)), second.constData());
        QVERIFY(second.contains("Connection: close"));
        QVERIFY(!result.bytes.contains("101 Switching"));
        QVERIFY(result.closedByServer);
    }
}

void TestConnectionGuard::announcesKeepAlivePerRequest()
{
    // The answer to an HTTP/1.0 keep-alive request says keep-alive even when an HTTP/1.1
    // request framed after it is answered first (it used to follow the latest request).
    const QByteArray body = R"({"refresh_token":"not-a-real-token-but-long-enough-000000000"})";
    const QByteArray http10 = "POST /api/v1/auth/refresh-token HTTP/1.0\r\nConnection: "
                              "keep-alive\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const RawResult result = rawExchange(m_server->port(), http10 + get("/healthz"), 1500);
    QCOMPARE(countResponses(result.bytes), 2);
    const qsizetype second = result.bytes.indexOf("HTTP/1.1", 8);
    QVERIFY(headOf(result.bytes).contains("Connection: keep-alive\r\n"));
    QVERIFY(!headOf(result.bytes.mid(second)).contains("Connection: keep-alive"));
}

void TestConnectionGuard::refusalsAndAnswersAreCompletedAlike_data()
{
    QTest::addColumn<QByteArray>("method");

    QTest::newRow("GET") << QByteArray("GET");
    QTest::newRow("HEAD") << QByteArray("HEAD");
}

void TestConnectionGuard::refusalsAndAnswersAreCompletedAlike()
{
    // One function completes routed answers and the guard's refusals: the same headers, and no
    // body for HEAD (a refusal of a HEAD request used to carry one).
    QFETCH(QByteArray, method);
    const QByteArray extra = "Origin: https://app.example\r\nX-Request-Id: alike-1\r\n";
    const QByteArray routed = method + " /nothing-here HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
    const QByteArray refused
            = method + " /nothing-here HTTP/1.1\r\nHost: x\r\n" + extra + manyHeaders(65) + "\r\n";
    const RawResult answer = rawExchange(m_server->port(), routed, 500);
    const RawResult refusal = rawExchange(m_server->port(), refused, 1000);
    QCOMPARE(statusOf(answer.bytes), 404);
    QCOMPARE(statusOf(refusal.bytes), 431);
    const auto names = [](const QByteArray &bytes) {
        QList<QByteArray> found;
        const QList<QByteArray> lines = headOf(bytes).split('\n');
        for (const QByteArray &line : lines.mid(1)) {
            const QByteArray name = line.left(line.indexOf(':')).trimmed();
            if (!name.isEmpty() && name != "Connection")
                found.append(name);
        }
        std::sort(found.begin(), found.end());
        return found;
    };
    QCOMPARE(names(refusal.bytes), names(answer.bytes));
    const qsizetype end = headOf(refusal.bytes).size() + 2;
    QCOMPARE(refusal.bytes.size() == end, method == "HEAD");
    QCOMPARE(answer.bytes.size() == headOf(answer.bytes).size() + 2, method == "HEAD");
}

void TestConnectionGuard::closesIdleConnections()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write(get("/healthz"));
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("200 OK"), 2000);
    QElapsedTimer timer;
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, 5000);
    QVERIFY2(timer.elapsed() >= 600, "closed well before the idle timeout");
}

void TestConnectionGuard::timesOutSlowHeaders()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("\r\n\r\n"), 4000);
    QCOMPARE(statusOf(received), 408);
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, 4000);
}

void TestConnectionGuard::timesOutTricklingBodies()
{
    // A byte every 100 ms never lets the connection go idle, but a body may only take the
    // header timeout (600 ms here) plus a second per KiB: this one is cut off long before its
    // 200 bytes are in.
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 "application/json\r\nContent-Length: 200\r\n\r\n");
    QElapsedTimer trickling;
    trickling.start();
    QByteArray received;
    while (!received.contains("\r\n\r\n") && trickling.elapsed() < 10'000) {
        if (socket.state() == QAbstractSocket::ConnectedState)
            socket.write(" ");
        QTest::qWait(100);
        received += socket.readAll();
    }
    QCOMPARE(statusOf(received), 408);
    QVERIFY2(trickling.elapsed() < 5000, QByteArray::number(trickling.elapsed()).constData());
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, 4000);
}

void TestConnectionGuard::capsConnections()
{
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 16; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(u"127.0.0.1"_s, m_server->port());
        QVERIFY(socket->waitForConnected(3000));
        held.push_back(std::move(socket));
    }
    QTest::qWait(200); // let the server accept them all
    const RawResult refused = rawExchange(m_server->port(), get("/healthz"), 2000);
    QCOMPARE(statusOf(refused.bytes), 503);
    QVERIFY(refused.bytes.contains("server-busy"));
    QVERIFY(refused.closedByServer);
    // The 503 must survive a client that reads late: had the server closed with the request
    // unread, its reset would destroy the answer in the client's buffer.
    // A plain socket: QTcpSocket would read the answer early, inside waitForBytesWritten.
    for (int round = 0; round < 5; ++round) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_server->port());
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        const QByteArray request = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 2\r\n\r\n{}";
        QCOMPARE(::send(fd, request.constData(), size_t(request.size()), 0),
                 ssize_t(request.size()));
        QThread::msleep(150);
        QByteArray answer;
        char buffer[4096];
        ssize_t got = 0;
        while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
            answer.append(buffer, got);
        ::close(fd);
        QVERIFY2(got == 0, "the connection was reset instead of closed"); // an orderly end
        QCOMPARE(statusOf(answer), 503);
    }
    held.clear();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(rawExchange(m_server->port(), get("/healthz"), 300).bytes),
                              200, 5000);
}

void TestConnectionGuard::refusalsKeepTheClientsRequestIdAndCors_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    const QByteArray head = "POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\n"
                            "Origin: https://app.example\r\nX-Request-Id: client-id-7\r\n";
    QTest::newRow("a body declared too large (refused in the head)") << head
                    + "Content-Length: 999999\r\n\r\n" << 413;
    QTest::newRow("a chunked body growing too large (refused in the body)") << head
                    + "Transfer-Encoding: chunked\r\n\r\n10000\r\n" + QByteArray(65536, 'a')
                    + "\r\n1\r\na\r\n0\r\n\r\n" << 413;
    QTest::newRow("a malformed header") << head + "Bad Header: 1\r\nContent-Length: 0\r\n\r\n"
                                        << 400;
}

void TestConnectionGuard::refusalsKeepTheClientsRequestIdAndCors()
{
    // Every answer carries the client's sane X-Request-Id, and the CORS headers an allowed
    // origin needs to read it, refusals of the guard included.
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    const RawResult result = rawExchange(m_server->port(), request, 2000);
    QCOMPARE(statusOf(result.bytes), status);
    QVERIFY2(result.bytes.contains("X-Request-Id: client-id-7\r\n"), result.bytes.constData());
    QVERIFY(result.bytes.contains("Access-Control-Allow-Origin: https://app.example\r\n"));
    QVERIFY(result.bytes.contains("\"request_id\":\"client-id-7\""));
}

QTEST_MAIN(TestConnectionGuard)
#include "tst_connectionguard.moc"
