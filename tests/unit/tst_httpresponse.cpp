// HttpResponse: bytes on the wire and the standard headers.
#include "httpresponse.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestHttpResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void responsesSerialise_data();
    void responsesSerialise();
    void standardHeaders();
};

void TestHttpResponse::responsesSerialise_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("headOnly");
    QTest::addColumn<bool>("close");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("a JSON answer")
            << 200 << false << false
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 8\r\n\r\n{\"a\":1}\n");
    QTest::newRow("HEAD keeps the length, drops the body")
            << 200 << true << false
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 8\r\n\r\n");
    QTest::newRow("204 has no length")
            << 204 << false << true
            << QByteArray("HTTP/1.1 204 No Content\r\nContent-Type: "
                          "application/json\r\nConnection: close\r\n\r\n");
}

void TestHttpResponse::responsesSerialise()
{
    QFETCH(int, status);
    QFETCH(bool, headOnly);
    QFETCH(bool, close);
    QFETCH(QByteArray, expected);
    HttpResponse response;
    response.status = status;
    response.headers.emplaceBack("Content-Type", "application/json");
    if (status != 204)
        response.body = "{\"a\":1}\n";
    QCOMPARE(response.serialize(headOnly, close), expected);
}

void TestHttpResponse::standardHeaders()
{
    HttpResponse response = HttpResponse::json(200, {});
    response.addStandardHeaders("rid");
    QCOMPARE(response.header("X-Request-Id"), QByteArray("rid"));
    QCOMPARE(response.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(response.header("Content-Security-Policy"), QByteArray("frame-ancestors 'none'"));
    QCOMPARE(response.header("Referrer-Policy"), QByteArray("no-referrer"));
    QCOMPARE(response.header("Cache-Control"), QByteArray("no-store"));
    QVERIFY(response.header("Server").isEmpty());
    HttpResponse cached;
    cached.setHeader("Cache-Control", "max-age=60");
    cached.addStandardHeaders("rid");
    QCOMPARE(cached.header("Cache-Control"), QByteArray("max-age=60"));
}

QTEST_GUILESS_MAIN(TestHttpResponse)
#include "tst_httpresponse.moc"
