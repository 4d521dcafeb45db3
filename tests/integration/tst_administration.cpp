// Administration through the real tasklaned (issue 11, point 9): every route that asks for the
// manager or administrator role refuses a plain user (403) and a stranger (401); managers and
// administrators read everyone's activity log, filtered by whose account, who acted, action,
// outcome and time; administrators' actions are in it.
#include "accountfixtures.h"
#include "activity.h"
#include "page.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "tokenpair.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
Page<ActivityEntry> activityPage(ApiClient &client, const QString &query)
{
    ApiReply *reply = finished(client.send("GET", u"/api/v1/admin/activity?"_s + query));
    if (reply->status() != 200)
        qWarning("admin activity: %d %s", reply->status(), reply->body().constData());
    return Page<ActivityEntry>::fromJson(reply->json()).value_or(Page<ActivityEntry>());
}
} // namespace

class TestAdministration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void everyStaffRouteRefusesUsersAndStrangers_data();
    void everyStaffRouteRefusesUsersAndStrangers();
    void staffReadEveryonesActivity();
    void activityFiltersAreChecked_data();
    void activityFiltersAreChecked();

private:
    // An account of `role` made by the command line, signed in.
    Account staff(const QString &email, const QString &role);

    std::unique_ptr<TestServer> m_server;
    Account m_admin;
    Account m_manager;
};

void TestAdministration::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_admin = staff(u"root@example.com"_s, u"admin"_s);
    m_manager = staff(u"manager@example.com"_s, u"manager"_s);
    QVERIFY(m_admin.id() > 0 && m_manager.id() > 0);
}

void TestAdministration::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

Account TestAdministration::staff(const QString &email, const QString &role)
{
    Account account;
    const QString password = strongPassword();
    if (m_server->runCommand({ u"user"_s, u"create"_s, u"--email"_s, email, u"--role"_s, role },
                             password.toUtf8() + '\n')
        != 0)
        return account;
    account.client = std::make_unique<ApiClient>(m_server->url());
    ApiReply *login = finished(account.client->login(email, password));
    const TokenPair tokens = TokenPair::fromJson(login->json()).value_or(TokenPair());
    account.client->setAccessToken(tokens.accessToken);
    account.user.email = email;
    account.user.password = password;
    account.user.accessToken = tokens.accessToken;
    account.user.refreshToken = tokens.refreshToken;
    account.user.id = finished(account.client->me())->json().value(u"id"_s).toInteger();
    return account;
}

void TestAdministration::everyStaffRouteRefusesUsersAndStrangers_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    // The server's own route table: a route added later is checked without a new row here.
    QByteArray out;
    QCOMPARE(m_server->runCommand({ u"routes"_s }, {}, &out), 0);
    int rows = 0;
    for (const QJsonValue &value : QJsonDocument::fromJson(out).array()) {
        const QJsonObject route = value.toObject();
        if (route.value(u"minimum_role"_s).toString() == u"user")
            continue;
        const QByteArray method = route.value(u"method"_s).toString().toLatin1();
        const QString path = route.value(u"path"_s).toString().replace(u"{id}"_s, u"1"_s);
        QTest::newRow(QByteArray(method + ' ' + path.toLatin1()).constData()) << method << path;
        ++rows;
    }
    QVERIFY(rows >= 4);
}

void TestAdministration::everyStaffRouteRefusesUsersAndStrangers()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    Account user = signUpAccount(m_server->url(), u"plain"_s);
    const RawHeaders json{ { "Content-Type", "application/json" } };
    ApiReply *refused = finished(user.api().send(method, path, "{}", json));
    QVERIFY2(isProblem(refused, 403, u"forbidden"_s), refused->body().constData());
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.send(method, path, "{}", json))->status(), 401);
}

void TestAdministration::staffReadEveryonesActivity()
{
    Account first = signUpAccount(m_server->url(), u"first"_s);
    Account second = signUpAccount(m_server->url(), u"second"_s);
    QVERIFY(createTaskId(second.api(), u"Seen by the staff"_s) > 0);

    // Everyone's, newest first: the second user's task is there with the first's sign-up.
    const Page<ActivityEntry> all = activityPage(m_manager.api(), u"limit=200"_s);
    QSet<qint64> owners;
    for (const ActivityEntry &entry : all.items)
        owners.insert(entry.userId);
    QVERIFY(owners.contains(first.id()) && owners.contains(second.id()));
    for (qsizetype n = 1; n < all.items.size(); ++n)
        QVERIFY(all.items.at(n - 1).id > all.items.at(n).id);

    // Whose account, and who acted.
    const Page<ActivityEntry> secondsTasks = activityPage(
            m_admin.api(),
            u"user_id=%1&action=%2"_s.arg(second.id()).arg(ActivityAction::TaskCreated));
    QCOMPARE(secondsTasks.items.size(), 1);
    QCOMPARE(secondsTasks.items.first().actorId, second.id());
    const Page<ActivityEntry> byFirst
            = activityPage(m_admin.api(), u"actor_id=%1"_s.arg(first.id()));
    QVERIFY(!byFirst.items.isEmpty());
    for (const ActivityEntry &entry : byFirst.items)
        QCOMPARE(entry.actorId, first.id());

    // Pages follow each other; a cursor of one's own listing is not one of this.
    const Page<ActivityEntry> one = activityPage(m_admin.api(), u"limit=1"_s);
    QVERIFY(!one.nextCursor.isEmpty());
    const Page<ActivityEntry> next = activityPage(
            m_admin.api(),
            u"limit=1&cursor="_s + QString::fromLatin1(QUrl::toPercentEncoding(one.nextCursor)));
    QCOMPARE(next.items.size(), 1);
    QVERIFY(next.items.first().id < one.items.first().id);
    ApiReply *own = finished(m_admin.api().send("GET", u"/api/v1/users/me/activity?limit=1"_s));
    const QString ownCursor = own->json().value(u"next_cursor"_s).toString();
    if (!ownCursor.isEmpty()) {
        ApiReply *mixed = finished(m_admin.api().send(
                "GET",
                u"/api/v1/admin/activity?limit=1&cursor="_s
                        + QString::fromLatin1(QUrl::toPercentEncoding(ownCursor))));
        QVERIFY(isProblem(mixed, 400, u"bad-request"_s));
    }
}

void TestAdministration::activityFiltersAreChecked_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");
    QTest::newRow("user_id not a number") << u"user_id=me"_s << u"user_id"_s;
    QTest::newRow("actor_id zero") << u"actor_id=0"_s << u"actor_id"_s;
    QTest::newRow("unknown action") << u"action=user.flew"_s << u"action"_s;
    QTest::newRow("outcome") << u"outcome=maybe"_s << u"outcome"_s;
    QTest::newRow("since without zone") << u"since=2026-01-01T00:00:00"_s << u"since"_s;
    QTest::newRow("unknown parameter") << u"owner=1"_s << u"owner"_s;
}

void TestAdministration::activityFiltersAreChecked()
{
    QFETCH(QString, query);
    QFETCH(QString, parameter);
    ApiReply *reply = finished(m_admin.api().send("GET", u"/api/v1/admin/activity?"_s + query));
    QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
    QVERIFY2(namesField(reply, parameter), reply->body().constData());
}

QTEST_GUILESS_MAIN(TestAdministration)
#include "tst_administration.moc"
