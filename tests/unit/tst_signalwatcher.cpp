// SIGTERM and SIGINT as Qt signals, and a handler that leaves no trace on the interrupted code.
#include "signalwatcher.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>
#include <csignal>

using namespace Tasklane;

class TestSignalWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalsArriveOnTheEventLoop_data();
    void signalsArriveOnTheEventLoop();
    void theHandlerKeepsErrno();
};

void TestSignalWatcher::signalsArriveOnTheEventLoop_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void TestSignalWatcher::signalsArriveOnTheEventLoop()
{
    QFETCH(int, signalNumber);
    SignalWatcher watcher;
    QSignalSpy spy(&watcher, &SignalWatcher::terminationRequested);
    QCOMPARE(::raise(signalNumber), 0);
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(spy.first().first().toInt(), signalNumber);
}

void TestSignalWatcher::theHandlerKeepsErrno()
{
    // The handler's write() fails once its pipe is full (nothing reads it here): code that was
    // interrupted between a failing call and its look at errno must still find its own value.
    SignalWatcher watcher;
    for (int i = 0; i < 100'000; ++i) {
        errno = 4242;
        ::raise(SIGTERM);
        if (errno != 4242)
            QFAIL(qPrintable(QStringLiteral("errno was %1 after signal %2").arg(errno).arg(i)));
    }
}

QTEST_GUILESS_MAIN(TestSignalWatcher)
#include "tst_signalwatcher.moc"
