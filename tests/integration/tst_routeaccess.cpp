// Access declared at the route and enforced in one place (Router): an in-process server with
// probe routes of every access level, called with tokens of every role.
#include "apierror.h"
#include "authservice.h"
#include "connectionguard.h"
#include "corspolicy.h"
#include "database.h"
#include "jwtcodec.h"
#include "migrator.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "router.h"
#include "testserver.h"
#include "workerpools.h"

#include <QHttpServer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestRouteAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void eachRouteAdmitsWhatItDeclares_data();
    void eachRouteAdmitsWhatItDeclares();
    void pathParametersReachTheHandler();
    void handlersContinueOnAnotherPool_data();
    void handlersContinueOnAnotherPool();

private:
    QTemporaryDir m_folder;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<PasswordPolicy> m_policy;
    std::unique_ptr<JwtCodec> m_jwt;
    std::unique_ptr<PrincipalCache> m_principals;
    std::unique_ptr<AuthService> m_auth;
    std::unique_ptr<CorsPolicy> m_cors;
    std::unique_ptr<WorkerPools> m_pools;
    QHttpServer *m_http = nullptr;
    ConnectionGuard *m_guard = nullptr;
    Router *m_router = nullptr;
    QHash<QString, QString> m_tokens; // role name -> access token
};

void TestRouteAccess::initTestCase()
{
    DatabaseConfig config;
    config.sqlitePath = m_folder.filePath(u"access.db"_s);
    m_database = std::make_unique<Database>(config);
    Migrator(*m_database).migrate();
    m_hasher = std::make_unique<PasswordHasher>(PasswordHashCost{ 1, 8 * 1024 * 1024 });
    m_policy = std::make_unique<PasswordPolicy>();
    m_jwt = std::make_unique<JwtCodec>("route-access-test-key-0123456789abcdef", u"tasklane"_s,
                                       u"tasklane-api"_s, 900);
    m_principals = std::make_unique<PrincipalCache>(0);
    m_auth = std::make_unique<AuthService>(*m_database, *m_hasher, *m_policy, *m_jwt, *m_principals,
                                           3600);
    m_cors = std::make_unique<CorsPolicy>(QStringList());
    WorkerPools::Limits limits;
    limits.databaseThreads = 2;
    limits.hashingThreads = 1;
    limits.hashingQueue = 8;
    m_pools = std::make_unique<WorkerPools>(limits);
    m_guard = new ConnectionGuard(ConnectionGuard::Limits());
    QVERIFY(m_guard->listen(QHostAddress::LocalHost, 0));
    m_router = new Router(*m_guard, *m_pools, *m_auth, *m_cors, this);
    const auto whoAmI = [](const RequestContext &request) {
        return HttpResponse::json(200,
                                  { { u"role"_s,
                                      request.principal ? roleToString(request.principal->user.role)
                                                        : u"anonymous"_s } });
    };
    RouteTable &routes = m_router->routes();
    routes.add({ "GET", u"/probe/anyone"_s, RouteAccess::anyone(), Executor::Database, whoAmI });
    routes.add({ "GET", u"/probe/user"_s, RouteAccess::signedIn(), Executor::Database, whoAmI });
    routes.add({ "GET", u"/probe/manager"_s, RouteAccess::signedIn(Role::Manager),
                 Executor::Database, whoAmI });
    routes.add({ "GET", u"/probe/admin"_s, RouteAccess::signedIn(Role::Admin), Executor::Hashing,
                 whoAmI });
    routes.add({ "GET", u"/probe/items/{id}/notes/{note}"_s, RouteAccess::anyone(),
                 Executor::EventLoop, [](const RequestContext &request) {
                     return HttpResponse::json(
                             200,
                             { { u"id"_s, request.pathParameters.value(u"id"_s) },
                               { u"note"_s, request.pathParameters.value(u"note"_s) } });
                 } });
    // Hashing pool first, then the database pool, then the database pool again.
    routes.add({ "GET", u"/probe/continue"_s, RouteAccess::anyone(), Executor::Hashing,
                 [](const RequestContext &) {
                     return HttpResponse::continueOn(Executor::Database, [] {
                         return HttpResponse::continueOn(Executor::Database, [] {
                             return HttpResponse::json(200, { { u"steps"_s, 3 } });
                         });
                     });
                 } });
    routes.add({ "GET", u"/probe/continue-fails"_s, RouteAccess::anyone(), Executor::EventLoop,
                 [](const RequestContext &) {
                     return HttpResponse::continueOn(Executor::Database, []() -> HttpResponse {
                         throw ApiError(ApiError::Kind::Conflict, u"second step refused"_s);
                     });
                 } });
    m_http = new QHttpServer(this);
    m_http->setMissingHandler(
            [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                m_router->handle(request, std::move(responder));
            });
    m_http->bind(m_guard);

    for (Role role : { Role::User, Role::Manager, Role::Admin }) {
        const User user = m_auth->createUser(roleToString(role) + u"@example.com"_s, u"Probe"_s,
                                             u"Probe-Passphrase-123"_s, role);
        m_tokens.insert(roleToString(role), m_jwt->issue(user.id));
    }
}

void TestRouteAccess::cleanupTestCase()
{
    m_pools.reset();
    delete m_http;
    m_database.reset();
}

void TestRouteAccess::eachRouteAdmitsWhatItDeclares_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<int>("status");
    QTest::newRow("anyone's route admits the anonymous") << u"/probe/anyone"_s << QString() << 200;
    QTest::newRow("a signed-in route refuses the anonymous")
            << u"/probe/user"_s << QString() << 401;
    QTest::newRow("a signed-in route admits a user") << u"/probe/user"_s << u"user"_s << 200;
    QTest::newRow("a manager route refuses a user") << u"/probe/manager"_s << u"user"_s << 403;
    QTest::newRow("a manager route admits a manager") << u"/probe/manager"_s << u"manager"_s << 200;
    QTest::newRow("a manager route admits an admin") << u"/probe/manager"_s << u"admin"_s << 200;
    QTest::newRow("an admin route refuses a manager") << u"/probe/admin"_s << u"manager"_s << 403;
    QTest::newRow("an admin route refuses the anonymous") << u"/probe/admin"_s << QString() << 401;
    QTest::newRow("an admin route admits an admin") << u"/probe/admin"_s << u"admin"_s << 200;
}

void TestRouteAccess::eachRouteAdmitsWhatItDeclares()
{
    QFETCH(QString, path);
    QFETCH(QString, caller);
    QFETCH(int, status);
    ApiClient client(QUrl(u"http://127.0.0.1:%1"_s.arg(m_guard->serverPort())));
    client.setAccessToken(m_tokens.value(caller));
    ApiReply *reply = client.send("GET", path);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    if (status == 200)
        QCOMPARE(reply->json().value(u"role"_s).toString(),
                 caller.isEmpty() ? u"anonymous"_s : caller);
    else
        QCOMPARE(reply->problem()->type,
                 status == 401 ? u"urn:tasklane:problem:unauthorized"_s
                               : u"urn:tasklane:problem:forbidden"_s);
}

void TestRouteAccess::pathParametersReachTheHandler()
{
    ApiClient client(QUrl(u"http://127.0.0.1:%1"_s.arg(m_guard->serverPort())));
    ApiReply *reply = client.send("GET", u"/probe/items/42/notes/abc"_s);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->json().value(u"id"_s).toString(), u"42"_s);
    QCOMPARE(reply->json().value(u"note"_s).toString(), u"abc"_s);
    ApiReply *missing = client.send("GET", u"/probe/items/42/notes"_s);
    QVERIFY(waitFor(missing));
    QCOMPARE(missing->status(), 404);
}

void TestRouteAccess::handlersContinueOnAnotherPool_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("three steps on two pools answer once") << u"/probe/continue"_s << 200;
    QTest::newRow("an error in a later step is a problem") << u"/probe/continue-fails"_s << 409;
}

void TestRouteAccess::handlersContinueOnAnotherPool()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    ApiClient client(QUrl(u"http://127.0.0.1:%1"_s.arg(m_guard->serverPort())));
    ApiReply *reply = client.send("GET", path);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), status);
    if (status == 200)
        QCOMPARE(reply->json().value(u"steps"_s).toInt(), 3);
    else
        QCOMPARE(reply->problem()->detail, u"second step refused"_s);
    // And the connection goes on: the next request on it is answered too.
    ApiReply *next = client.send("GET", u"/probe/anyone"_s);
    QVERIFY(waitFor(next));
    QCOMPARE(next->status(), 200);
}

QTEST_GUILESS_MAIN(TestRouteAccess)
#include "tst_routeaccess.moc"
