// RouteTable::bodyCap: the cap the ConnectionGuard applies is the one of the route the router
// will pick for the request.
#include "router.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
Route route(const QByteArray &method, const QString &path, qint64 maxBodyBytes)
{
    Route added{ method, path, RouteAccess::anyone(), Executor::Database,
                 [](const RequestContext &) { return HttpResponse::empty(204); } };
    added.maxBodyBytes = maxBodyBytes;
    return added;
}
} // namespace

class TestRouteTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bodyCapIsTheServingRoutes_data();
    void bodyCapIsTheServingRoutes();
    void noCapsMeansNothingToSearch();
};

void TestRouteTable::bodyCapIsTheServingRoutes_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("cap");
    QTest::newRow("a literal route has its own cap")
            << QByteArray("POST") << u"/api/v1/auth/login"_s << qint64(100);
    QTest::newRow("another method on the same path has the other route's cap")
            << QByteArray("PATCH") << u"/api/v1/users/me"_s << qint64(300);
    QTest::newRow("a method no route serves gets none")
            << QByteArray("PUT") << u"/api/v1/users/me"_s << qint64(0);
    QTest::newRow("a parameter route's cap applies to any value of the parameter")
            << QByteArray("POST") << u"/api/v1/tasks/42/attachments"_s << qint64(5000);
    QTest::newRow("an empty parameter still matches, as the router has it")
            << QByteArray("POST") << u"/api/v1/tasks//attachments"_s << qint64(5000);
    QTest::newRow("the first route registered for the method decides")
            << QByteArray("POST") << u"/api/v1/tasks/search/attachments"_s << qint64(7);
    QTest::newRow("HEAD has the cap of GET")
            << QByteArray("HEAD") << u"/api/v1/users/me"_s << qint64(200);
    QTest::newRow("a route without a cap of its own gets none")
            << QByteArray("POST") << u"/api/v1/tasks"_s << qint64(0);
    QTest::newRow("an unknown path gets none")
            << QByteArray("POST") << u"/api/v1/nothing"_s << qint64(0);
    QTest::newRow("an extra segment matches no route")
            << QByteArray("POST") << u"/api/v1/auth/login/x"_s << qint64(0);
    QTest::newRow("a trailing slash matches no route")
            << QByteArray("POST") << u"/api/v1/auth/login/"_s << qint64(0);
    QTest::newRow("a missing segment matches no route")
            << QByteArray("POST") << u"/api/v1/tasks/42"_s << qint64(0);
    QTest::newRow("an empty path matches no route") << QByteArray("POST") << QString() << qint64(0);
    QTest::newRow("a path of a slash matches no route")
            << QByteArray("POST") << u"/"_s << qint64(0);
    QTest::newRow("method names are case-sensitive")
            << QByteArray("post") << u"/api/v1/auth/login"_s << qint64(0);
}

void TestRouteTable::bodyCapIsTheServingRoutes()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(qint64, cap);
    RouteTable table;
    table.add(route("POST", u"/api/v1/auth/login"_s, 100));
    table.add(route("GET", u"/api/v1/users/me"_s, 200));
    table.add(route("PATCH", u"/api/v1/users/me"_s, 300));
    table.add(route("POST", u"/api/v1/tasks"_s, 0));
    table.add(route("POST", u"/api/v1/tasks/search/attachments"_s, 7));
    table.add(route("POST", u"/api/v1/tasks/{id}/attachments"_s, 5000));
    QCOMPARE(table.bodyCap(method, path), cap);
    // The router picks the same route, or none at all where the cap is 0.
    const QList<RouteTable::Match> matches = table.match(path);
    const auto serving = std::find_if(matches.begin(), matches.end(), [&](const auto &match) {
        return match.route->method == (method == "HEAD" ? QByteArray("GET") : method);
    });
    QCOMPARE(serving == matches.end() ? 0 : serving->route->maxBodyBytes, cap);
}

void TestRouteTable::noCapsMeansNothingToSearch()
{
    RouteTable table;
    table.add(route("POST", u"/api/v1/tasks"_s, 0));
    QCOMPARE(table.bodyCap("POST", u"/api/v1/tasks"), 0);
    table.add(route("POST", u"/api/v1/tasks/{id}/attachments"_s, 9));
    QCOMPARE(table.bodyCap("POST", u"/api/v1/tasks/1/attachments"), 9);
}

QTEST_GUILESS_MAIN(TestRouteTable)
#include "tst_routetable.moc"
