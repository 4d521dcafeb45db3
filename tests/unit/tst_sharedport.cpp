// ConnectionGuard::listenSharingPort and shareConnectionCount, as the HTTP event loops use them
// (HttpShard): guards listen on one port and the kernel spreads connections over them; a free
// port picked by the first is taken by the others; maxConnections caps them together.
#include "connectionguard.h"

#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
ConnectionGuard::Limits limitsOf(int maxConnections)
{
    ConnectionGuard::Limits limits;
    limits.maxConnections = maxConnections;
    return limits;
}

// Opens `count` connections to `port` (the guards take them as the event loop runs).
std::vector<std::unique_ptr<QTcpSocket>> connectMany(quint16 port, int count)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    return sockets;
}
} // namespace

class TestSharedPort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void guardsOnOnePortShareItsConnections_data();
    void guardsOnOnePortShareItsConnections();
    void aSharedCountCapsTheGuardsTogether();
    void aPortInUseIsRefused_data();
    void aPortInUseIsRefused();
};

void TestSharedPort::guardsOnOnePortShareItsConnections_data()
{
    QTest::addColumn<int>("guards");
    QTest::addRow("two guards") << 2;
    QTest::addRow("four guards") << 4;
}

void TestSharedPort::guardsOnOnePortShareItsConnections()
{
    QFETCH(int, guards);
    std::vector<std::unique_ptr<ConnectionGuard>> listening;
    quint16 port = 0;
    for (int i = 0; i < guards; ++i) {
        listening.push_back(std::make_unique<ConnectionGuard>(limitsOf(1024)));
        // No QHttpServer takes the connections here: let them all wait for it.
        listening.back()->setMaxPendingConnections(1024);
        QString error;
        QVERIFY2(listening.back()->listenSharingPort(QHostAddress::LocalHost, port,
                                                     i == 0 ? ConnectionGuard::PortUse::Claim
                                                            : ConnectionGuard::PortUse::Join,
                                                     &error),
                 qPrintable(error));
        if (i == 0)
            port = listening.back()->serverPort();
        QCOMPARE(listening.back()->serverPort(), port);
        QVERIFY(port != 0);
    }
    const auto taken = [&listening] {
        int total = 0;
        for (const auto &guard : listening)
            total += guard->connectionCount();
        return total;
    };
    // The kernel picks a listener by a hash of each connection's addresses: with 64, every
    // guard gets some unless the hash is broken (a chance below 1 in 10^7 for four).
    const auto sockets = connectMany(port, 64);
    QTRY_COMPARE_WITH_TIMEOUT(taken(), 64, 10'000);
    for (const auto &guard : listening)
        QVERIFY2(guard->connectionCount() > 0,
                 qPrintable(u"a guard took none of 64 connections"_s));
}

void TestSharedPort::aSharedCountCapsTheGuardsTogether()
{
    const auto open = std::make_shared<std::atomic<int>>(0);
    ConnectionGuard first(limitsOf(6));
    ConnectionGuard second(limitsOf(6));
    first.shareConnectionCount(open);
    second.shareConnectionCount(open);
    // As QHttpServer does: take each connection, and delete it once its client has gone.
    for (ConnectionGuard *guard : { &first, &second }) {
        connect(guard, &QTcpServer::pendingConnectionAvailable, guard, [guard] {
            while (QTcpSocket *socket = guard->nextPendingConnection())
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        });
    }
    QString error;
    QVERIFY2(first.listenSharingPort(QHostAddress::LocalHost, 0, ConnectionGuard::PortUse::Claim,
                                     &error),
             qPrintable(error));
    QVERIFY2(second.listenSharingPort(QHostAddress::LocalHost, first.serverPort(),
                                      ConnectionGuard::PortUse::Join, &error),
             qPrintable(error));
    auto sockets = connectMany(first.serverPort(), 10);
    QTRY_COMPARE_WITH_TIMEOUT(first.connectionCount() + second.connectionCount(), 6, 10'000);
    QTest::qWait(200); // the four beyond the cap are turned away, not taken late
    QCOMPARE(first.connectionCount() + second.connectionCount(), 6);
    QCOMPARE(open->load(), 6);
    sockets.clear(); // closing them frees their places
    QTRY_COMPARE_WITH_TIMEOUT(open->load(), 0, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(first.connectionCount() + second.connectionCount(), 0, 10'000);
}

void TestSharedPort::aPortInUseIsRefused_data()
{
    QTest::addColumn<bool>("heldBySharingGuard");
    QTest::addColumn<int>("use");
    QTest::addRow("claiming a port another program holds")
            << false << int(ConnectionGuard::PortUse::Claim);
    QTest::addRow("joining a port another program holds, without SO_REUSEPORT")
            << false << int(ConnectionGuard::PortUse::Join);
    QTest::addRow("claiming a port another server's guards share (a second server started by "
                  "mistake)")
            << true << int(ConnectionGuard::PortUse::Claim);
}

void TestSharedPort::aPortInUseIsRefused()
{
    QFETCH(bool, heldBySharingGuard);
    QFETCH(int, use);
    QTcpServer other;
    ConnectionGuard otherGuard(limitsOf(16));
    quint16 port = 0;
    QString error;
    if (heldBySharingGuard) {
        QVERIFY(otherGuard.listenSharingPort(QHostAddress::LocalHost, 0,
                                             ConnectionGuard::PortUse::Claim, &error));
        port = otherGuard.serverPort();
    } else {
        QVERIFY(other.listen(QHostAddress::LocalHost, 0));
        port = other.serverPort();
    }
    ConnectionGuard guard(limitsOf(16));
    QVERIFY(!guard.listenSharingPort(QHostAddress::LocalHost, port, ConnectionGuard::PortUse(use),
                                     &error));
    QVERIFY2(error.startsWith(u"bind: "_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestSharedPort)
#include "tst_sharedport.moc"
