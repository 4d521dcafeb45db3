// TrustedProxies: X-Forwarded-For names the client only when the peer is a trusted proxy, read
// from the right past further trusted proxies; what a client wrote itself proves nothing.
#include "clientaddress.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestClientAddress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clientAddress_data();
    void clientAddress();
};

void TestClientAddress::clientAddress_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("forwardedFor");
    QTest::addColumn<QString>("client");
    QTest::newRow("no header") << u"10.0.0.5"_s << QByteArray() << u"10.0.0.5"_s;
    QTest::newRow("an untrusted peer's header is ignored")
            << u"198.51.100.7"_s << QByteArray("203.0.113.1") << u"198.51.100.7"_s;
    QTest::newRow("a trusted proxy names the client")
            << u"10.0.0.5"_s << QByteArray("203.0.113.1") << u"203.0.113.1"_s;
    QTest::newRow("what the client wrote to the left is not believed")
            << u"10.0.0.5"_s << QByteArray("1.2.3.4, 203.0.113.1") << u"203.0.113.1"_s;
    QTest::newRow("a chain of trusted proxies is walked past")
            << u"10.0.0.5"_s << QByteArray("203.0.113.1, 10.0.0.9") << u"203.0.113.1"_s;
    QTest::newRow("spaces and IPv6") << u"::1"_s << QByteArray(" 2001:db8::1 ") << u"2001:db8::1"_s;
    QTest::newRow("an IPv4-mapped peer counts as IPv4")
            << u"::ffff:10.0.0.5"_s << QByteArray("203.0.113.1") << u"203.0.113.1"_s;
    QTest::newRow("a malformed entry stops at the last trusted hop")
            << u"10.0.0.5"_s << QByteArray("203.0.113.1, nonsense") << u"10.0.0.5"_s;
    QTest::newRow("only proxies: the leftmost")
            << u"10.0.0.5"_s << QByteArray("10.0.0.7, 10.0.0.9") << u"10.0.0.7"_s;
}

void TestClientAddress::clientAddress()
{
    QFETCH(QString, peer);
    QFETCH(QByteArray, forwardedFor);
    QFETCH(QString, client);
    const TrustedProxies proxies({ QHostAddress::parseSubnet(u"10.0.0.0/8"_s),
                                   QHostAddress::parseSubnet(u"::1/128"_s) });
    QCOMPARE(proxies.clientAddress(QHostAddress(peer), forwardedFor), QHostAddress(client));
    // Without trusted proxies the peer is the client, whatever the header says.
    bool isV4 = false;
    const quint32 v4 = QHostAddress(peer).toIPv4Address(&isV4);
    const QHostAddress plainPeer = isV4 ? QHostAddress(v4) : QHostAddress(peer);
    QCOMPARE(TrustedProxies().clientAddress(QHostAddress(peer), forwardedFor), plainPeer);
}

QTEST_GUILESS_MAIN(TestClientAddress)
#include "tst_clientaddress.moc"
