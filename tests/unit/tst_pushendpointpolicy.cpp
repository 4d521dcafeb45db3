// PushEndpointPolicy: which addresses a push message may go to (public ones; loopback too only
// when push_allow_loopback is on) and which endpoint URLs a subscription may name.
#include "pushendpointpolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestPushEndpointPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyPublicAddressesAreReached_data();
    void onlyPublicAddressesAreReached();
    void endpointsAreChecked_data();
    void endpointsAreChecked();
};

void TestPushEndpointPolicy::onlyPublicAddressesAreReached_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("isPublic");
    QTest::addColumn<bool>("withLoopbackAllowed");
    const QList<std::tuple<const char *, QString, bool, bool>> rows{
        { "a public IPv4 address", u"142.250.185.78"_s, true, true },
        { "a public IPv6 address", u"2a00:1450:4001:82b::200a"_s, true, true },
        { "loopback", u"127.0.0.1"_s, false, true },
        { "loopback, elsewhere in 127/8", u"127.10.0.1"_s, false, true },
        { "IPv6 loopback", u"::1"_s, false, true },
        { "RFC 1918, 10/8", u"10.0.0.1"_s, false, false },
        { "RFC 1918, 172.16/12", u"172.31.255.255"_s, false, false },
        { "just outside 172.16/12", u"172.32.0.1"_s, true, true },
        { "RFC 1918, 192.168/16", u"192.168.0.10"_s, false, false },
        { "link-local (cloud metadata)", u"169.254.169.254"_s, false, false },
        { "carrier-grade NAT", u"100.64.1.1"_s, false, false },
        { "unspecified", u"0.0.0.0"_s, false, false },
        { "multicast", u"224.0.0.251"_s, false, false },
        { "broadcast", u"255.255.255.255"_s, false, false },
        { "documentation", u"203.0.113.5"_s, false, false },
        { "IPv6 unique local", u"fd12:3456::1"_s, false, false },
        { "IPv6 link-local", u"fe80::1"_s, false, false },
        { "IPv4-mapped private", u"::ffff:10.0.0.1"_s, false, false },
        { "IPv4-mapped public", u"::ffff:142.250.185.78"_s, true, true },
        { "NAT64 of a private address", u"64:ff9b::a00:1"_s, false, false },
    };
    for (const auto &[name, address, isPublic, withLoopback] : rows)
        QTest::newRow(name) << address << isPublic << withLoopback;
}

void TestPushEndpointPolicy::onlyPublicAddressesAreReached()
{
    QFETCH(QString, address);
    QFETCH(bool, isPublic);
    QFETCH(bool, withLoopbackAllowed);
    const QHostAddress host(address);
    QVERIFY(!host.isNull());
    QCOMPARE(PushEndpointPolicy::isPublic(host), isPublic);
    QCOMPARE(PushEndpointPolicy(false).mayConnectTo(host), isPublic);
    QCOMPARE(PushEndpointPolicy(true).mayConnectTo(host), withLoopbackAllowed);
}

void TestPushEndpointPolicy::endpointsAreChecked_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<bool>("allowLoopback");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("https on a public address")
            << u"https://142.250.185.78/fcm/send/x"_s << false << true;
    QTest::newRow("http on a public address") << u"http://142.250.185.78/x"_s << false << false;
    QTest::newRow("http on loopback, not allowed") << u"http://127.0.0.1:9/x"_s << false << false;
    QTest::newRow("http on loopback, allowed") << u"http://127.0.0.1:9/x"_s << true << true;
    QTest::newRow("http on a private address, loopback allowed")
            << u"http://10.0.0.1/x"_s << true << false;
    QTest::newRow("a name for loopback") << u"https://localhost/x"_s << false << false;
    QTest::newRow("a name that does not resolve")
            << u"https://no-such-host.invalid/x"_s << false << false;
    QTest::newRow("another scheme") << u"ftp://142.250.185.78/x"_s << false << false;
    QTest::newRow("too long") << u"https://142.250.185.78/"_s + QString(2048, u'a') << false
                              << false;
}

void TestPushEndpointPolicy::endpointsAreChecked()
{
    QFETCH(QString, endpoint);
    QFETCH(bool, allowLoopback);
    QFETCH(bool, accepted);
    const auto refusal = PushEndpointPolicy(allowLoopback).refusal(endpoint);
    QVERIFY2(refusal.has_value() != accepted, qPrintable(refusal.value_or(u"accepted"_s)));
}

QTEST_GUILESS_MAIN(TestPushEndpointPolicy)
#include "tst_pushendpointpolicy.moc"
