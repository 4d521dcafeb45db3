// CorsPolicy: exact origins from the allow-list, nothing for others.
#include "corspolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestCorsPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void corsEchoesOnlyAllowedOrigins_data();
    void corsEchoesOnlyAllowedOrigins();
};

void TestCorsPolicy::corsEchoesOnlyAllowedOrigins_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("an allowed origin") << QByteArray("https://app.example") << true;
    QTest::newRow("another scheme") << QByteArray("http://app.example") << false;
    QTest::newRow("another port") << QByteArray("https://app.example:8443") << false;
    QTest::newRow("no origin") << QByteArray() << false;
    QTest::newRow("a wildcard is never an origin") << QByteArray("*") << false;
}

void TestCorsPolicy::corsEchoesOnlyAllowedOrigins()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const CorsPolicy cors({ u" https://app.example "_s, QString() });
    HttpResponse response;
    cors.applyPreflight(origin, "GET, OPTIONS", response);
    QCOMPARE(response.header("Access-Control-Allow-Origin"), allowed ? origin : QByteArray());
    QCOMPARE(response.header("Vary").isEmpty(), !allowed);
    QCOMPARE(response.header("Access-Control-Allow-Methods").isEmpty(), !allowed);
}

QTEST_GUILESS_MAIN(TestCorsPolicy)
#include "tst_corspolicy.moc"
