// Liveness, readiness, and the OpenAPI document: served, and true to the routes that exist.
#include "testcluster.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
// Ends every connection to `database`, as a PostgreSQL restart would.
bool terminateConnections(const QString &database)
{
    return runOnTestCluster(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = '%1'"_s.arg(database));
}
} // namespace

class TestHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void livenessNeedsNothing();
    void readinessReportsTheSchema();
    void readinessFailsWithoutTheDatabase();
    void readinessFollowsTheDatabaseServer();
    void idleConnectionsEndedByTheDatabaseAreReplaced();
    void aBusyDatabaseIsATemporaryRefusal();
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
    QCOMPARE(reply->json().value(u"schema_version"_s).toInt(), 26);
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

void TestHealth::readinessFollowsTheDatabaseServer()
{
    // PostgreSQL drops every connection of the server and refuses new ones: /readyz says 503
    // while the process stays alive, and ready again once the database takes connections.
    if (!TestServer::usingPostgres())
        QSKIP("needs PostgreSQL (scripts/test.sh provides one)");
    TestServer server;
    QVERIFY(server.start());
    const QString database = QUrl(server.databaseUrl()).path().mid(1);
    ApiClient client(server.url());
    const auto readiness = [&client] {
        ApiReply *reply = client.send("GET", u"/readyz"_s);
        return waitFor(reply) ? reply->status() : 0;
    };
    QCOMPARE(readiness(), 200);
    const SignedInUser user = signUpAndLogIn(client); // workers of both pools hold connections
    QVERIFY(runOnTestCluster(u"ALTER DATABASE %1 ALLOW_CONNECTIONS false"_s.arg(database)));
    QVERIFY(terminateConnections(database));
    for (int i = 0; i < 4; ++i) // whichever worker answers, its connection is gone
        QCOMPARE(readiness(), 503);
    // The API says so too: 503, never 500, also on a connection PostgreSQL has just terminated
    // (SQLSTATE 57P01, which the driver reports as a statement error).
    for (int i = 0; i < 3; ++i) {
        ApiReply *login = client.login(user.email, user.password);
        QVERIFY(waitFor(login));
        QCOMPARE(login->status(), 503);
        QCOMPARE(login->problem()->type, u"urn:tasklane:problem:not-ready"_s);
    }
    ApiReply *live = client.send("GET", u"/healthz"_s);
    QVERIFY(waitFor(live));
    QCOMPARE(live->status(), 200);
    QVERIFY(runOnTestCluster(u"ALTER DATABASE %1 ALLOW_CONNECTIONS true"_s.arg(database)));
    QTRY_COMPARE_WITH_TIMEOUT(readiness(), 200, 10'000);
    QCOMPARE(server.stop(), 0);
}

void TestHealth::idleConnectionsEndedByTheDatabaseAreReplaced()
{
    // PostgreSQL restarts, or a pooler or firewall drops idle connections: the next requests
    // find their worker's connection dead before anything ran on it, and are served on a new one
    // instead of failing with 503.
    if (!TestServer::usingPostgres())
        QSKIP("needs PostgreSQL (scripts/test.sh provides one)");
    TestServer server;
    QVERIFY(server.start());
    const QString database = QUrl(server.databaseUrl()).path().mid(1);
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client); // workers of both pools hold connections
    QVERIFY(terminateConnections(database));
    QTest::qWait(100); // the terminations reach the server's sockets
    for (int i = 0; i < 4; ++i) {
        ApiReply *ready = client.send("GET", u"/readyz"_s);
        QVERIFY(waitFor(ready));
        QCOMPARE(ready->status(), 200);
        ApiReply *login = client.login(user.email, user.password);
        QVERIFY(waitFor(login));
        QCOMPARE(login->status(), 200);
    }
    QCOMPARE(server.stop(), 0);
}

void TestHealth::aBusyDatabaseIsATemporaryRefusal()
{
    // Another process holds SQLite's write lock past the busy timeout: a write is refused with
    // 503 and Retry-After (not taken for a lost database), reads go on, and once the lock is
    // released the same write succeeds.
    if (TestServer::usingPostgres())
        QSKIP("SQLite's write lock (the PostgreSQL run has no SQLite file)");
    TestServer::Options options;
    options.arguments = { u"--db-busy-timeout-ms"_s, u"200"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    signUpAndLogIn(client);

    const QString name = u"tst_health-writer"_s;
    {
        QSqlDatabase writer = server.openDatabase(name);
        QVERIFY(writer.isOpen());
        QSqlQuery lock(writer);
        QVERIFY(lock.exec(u"BEGIN IMMEDIATE"_s));

        ApiReply *update = client.updateMe({ { u"display_name"_s, u"Busy"_s } });
        QVERIFY(waitFor(update));
        QCOMPARE(update->status(), 503);
        QCOMPARE(update->header("Retry-After"), "1");
        QCOMPARE(update->problem()->type, u"urn:tasklane:problem:server-busy"_s);
        ApiReply *me = client.me();
        QVERIFY(waitFor(me));
        QCOMPARE(me->status(), 200);

        QVERIFY(lock.exec(u"ROLLBACK"_s));
    }
    QSqlDatabase::removeDatabase(name);
    ApiReply *update = client.updateMe({ { u"display_name"_s, u"Not busy"_s } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 200);
    QVERIFY(!server.logs().contains("rollback failed"));
    QCOMPARE(server.stop(), 0);
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
        // Every answer a client can get from it is described.
        const QJsonObject responses = operationObject.value(u"responses"_s).toObject();
        const auto documents = [&](const QString &status) {
            QVERIFY2(responses.contains(status),
                     qPrintable(operation + u" does not document "_s + status));
        };
        // A 2xx, or the 101 of a WebSocket upgrade.
        bool success = responses.contains(u"101"_s);
        for (auto response = responses.begin(); response != responses.end(); ++response) {
            if (!response.key().startsWith(u'2'))
                continue;
            success = true;
            if (response.key() != u"204"_s)
                QVERIFY2(response.value().toObject().contains(u"content"_s)
                                 || response.value().toObject().contains(u"$ref"_s),
                         qPrintable(operation + u": no body schema for "_s + response.key()));
        }
        QVERIFY2(success, qPrintable(operation + u" documents no success"_s));
        if (secured)
            documents(u"401"_s);
        if (operationObject.contains(u"requestBody"_s)) {
            // A JSON body, or the multipart/form-data of an upload.
            const QJsonObject content = operationObject.value(u"requestBody"_s)
                                                .toObject()
                                                .value(u"content"_s)
                                                .toObject();
            QVERIFY2(content.value(u"application/json"_s).toObject().contains(u"schema"_s)
                             || content.value(u"multipart/form-data"_s)
                                        .toObject()
                                        .contains(u"schema"_s),
                     qPrintable(operation + u": no request schema"_s));
            for (const QString &status : { u"400"_s, u"413"_s, u"415"_s, u"422"_s })
                documents(status);
        }
        // Off the event loop, a busy pool or an unreachable database answers 503.
        if (route.value(u"executor"_s).toString() != u"event-loop"_s)
            documents(u"503"_s);
    }
    for (const QString &operation : documented)
        QVERIFY2(registered.contains(operation),
                 qPrintable(u"documented but not served: "_s + operation));
}

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
