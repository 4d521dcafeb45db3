// Liveness, readiness, and the OpenAPI document: served, and true to the routes that exist.
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void livenessNeedsNothing();
    void readinessReportsTheSchema();
    void readinessFailsWithoutTheDatabase();
    void openApiDocumentIsServed();
    void openApiDescribesEveryRoute();

private:
    QSet<QString> documentedOperations() const;

    std::unique_ptr<TestServer> m_server;
    QJsonObject m_document;
};

void TestHealth::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestHealth::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestHealth::livenessNeedsNothing()
{
    ApiClient client(m_server->url());
    ApiReply *reply = client.send("GET", u"/healthz"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->json().value(u"status"_s).toString(), u"ok"_s);
}

void TestHealth::readinessReportsTheSchema()
{
    ApiClient client(m_server->url());
    ApiReply *reply = client.send("GET", u"/readyz"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->json().value(u"status"_s).toString(), u"ready"_s);
    QCOMPARE(reply->json().value(u"database"_s).toString(), u"ok"_s);
    QCOMPARE(reply->json().value(u"schema_version"_s).toInt(), 1);
}

void TestHealth::readinessFailsWithoutTheDatabase()
{
    // A server whose database loses its schema stays alive but stops being ready.
    TestServer server;
    QVERIFY(server.start());
    QVERIFY(server.executeSql(u"DELETE FROM schema_migrations"_s));
    ApiClient client(server.url());
    ApiReply *ready = client.send("GET", u"/readyz"_s);
    QVERIFY(waitFor(ready));
    QCOMPARE(ready->status(), 503);
    QCOMPARE(ready->problem()->type, u"urn:tasklane:problem:not-ready"_s);
    QVERIFY(!ready->header("Retry-After").isEmpty());
    ApiReply *live = client.send("GET", u"/healthz"_s);
    QVERIFY(waitFor(live));
    QCOMPARE(live->status(), 200);
}

QSet<QString> TestHealth::documentedOperations() const
{
    QSet<QString> operations;
    const QJsonObject paths = m_document.value(u"paths"_s).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject item = path.value().toObject();
        for (auto method = item.begin(); method != item.end(); ++method) {
            static const QSet<QString> verbs{ u"get"_s,   u"put"_s,  u"post"_s,   u"delete"_s,
                                              u"patch"_s, u"head"_s, u"options"_s };
            if (verbs.contains(method.key()))
                operations.insert(method.key().toUpper() + u' ' + path.key());
        }
    }
    return operations;
}

void TestHealth::openApiDocumentIsServed()
{
    ApiClient client(m_server->url());
    ApiReply *reply = client.send("GET", u"/api/v1/openapi.json"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QVERIFY(reply->header("Content-Type").startsWith("application/json"));
    QJsonParseError error;
    m_document = QJsonDocument::fromJson(reply->body(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(m_document.value(u"openapi"_s).toString().startsWith(u"3.1"_s));
    QVERIFY(!m_document.value(u"info"_s).toObject().value(u"title"_s).toString().isEmpty());
    QVERIFY(m_document.value(u"components"_s)
                    .toObject()
                    .value(u"schemas"_s)
                    .toObject()
                    .contains(u"Problem"_s));
}

void TestHealth::openApiDescribesEveryRoute()
{
    QVERIFY(!m_document.isEmpty());
    QByteArray out;
    QCOMPARE(m_server->runCommand({ u"routes"_s }, {}, &out), 0);
    const QJsonArray routes = QJsonDocument::fromJson(out).array();
    QVERIFY(routes.size() >= 9);
    const QSet<QString> documented = documentedOperations();
    QSet<QString> registered;
    for (const QJsonValue &value : routes) {
        const QJsonObject route = value.toObject();
        const QString operation
                = route.value(u"method"_s).toString() + u' ' + route.value(u"path"_s).toString();
        registered.insert(operation);
        QVERIFY2(documented.contains(operation),
                 qPrintable(u"missing from resources/openapi.json: "_s + operation));
        // What the route requires is what the document says.
        const QJsonObject operationObject
                = m_document.value(u"paths"_s)
                          .toObject()
                          .value(route.value(u"path"_s).toString())
                          .toObject()
                          .value(route.value(u"method"_s).toString().toLower())
                          .toObject();
        const bool secured = !operationObject.value(u"security"_s).toArray().isEmpty()
                && !operationObject.value(u"security"_s).toArray().first().toObject().isEmpty();
        QVERIFY2(secured == route.value(u"authenticated"_s).toBool(),
                 qPrintable(u"security of "_s + operation));
    }
    for (const QString &operation : documented)
        QVERIFY2(registered.contains(operation),
                 qPrintable(u"documented but not served: "_s + operation));
}

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
