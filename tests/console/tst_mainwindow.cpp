// The console's window: it opens with its menus and state, and checks a real server.
#include "mainwindow.h"
#include "testserver.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTest>
#include <QTranslator>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensWithItsParts_data();
    void opensWithItsParts();
    void checksARealServer_data();
    void checksARealServer();
    void speaksGerman();
};

void TestMainWindow::opensWithItsParts_data()
{
    QTest::addColumn<QString>("objectName");
    QTest::newRow("the server URL field is there") << u"serverUrl"_s;
    QTest::newRow("the check button is there") << u"checkServer"_s;
    QTest::newRow("the server state is there") << u"serverState"_s;
    QTest::newRow("the quit action is there") << u"quitAction"_s;
    QTest::newRow("the about action is there") << u"aboutAction"_s;
}

void TestMainWindow::opensWithItsParts()
{
    QFETCH(QString, objectName);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), u"Tasklane Console"_s);
    QVERIFY(window.findChild<QObject *>(objectName));
    QCOMPARE(window.statusBar()->currentMessage(), u"Not connected"_s);
    QCOMPARE(window.serverUrl(), u"http://127.0.0.1:8080"_s);
}

void TestMainWindow::checksARealServer_data()
{
    QTest::addColumn<bool>("serverRunning");
    QTest::addColumn<QString>("state");
    QTest::newRow("a running server is ready") << true << u"Ready (schema version "_s;
    QTest::newRow("a stopped server is unreachable") << false << u"Unreachable"_s;
}

void TestMainWindow::checksARealServer()
{
    QFETCH(bool, serverRunning);
    QFETCH(QString, state);
    Test::TestServer server;
    QVERIFY(server.start());
    const QString url = server.url().toString();
    if (!serverRunning)
        QCOMPARE(server.stop(), 0);
    MainWindow window;
    window.show();
    window.setServerUrl(url);
    QTest::mouseClick(window.findChild<QPushButton *>(u"checkServer"_s), Qt::LeftButton);
    auto *label = window.findChild<QLabel *>(u"serverState"_s);
    QTRY_VERIFY_WITH_TIMEOUT(label->text().startsWith(state), 10'000);
    QVERIFY(window.findChild<QPushButton *>(u"checkServer"_s)->isEnabled());
}

void TestMainWindow::speaksGerman()
{
    QTranslator translator;
    QVERIFY(translator.load(u":/i18n/tasklane_console_de.qm"_s));
    QCoreApplication::installTranslator(&translator);
    MainWindow window;
    QCOMPARE(window.windowTitle(), u"Tasklane-Konsole"_s);
    QCOMPARE(window.findChild<QPushButton *>(u"checkServer"_s)->text(), u"Server prüfen"_s);
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
