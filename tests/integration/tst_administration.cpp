// Administration through the real tasklaned (issue 11, point 9): every route that asks for the
// manager or administrator role refuses a plain user (403) and a stranger (401); managers and
// administrators read everyone's activity log, filtered by whose account, who acted, action,
// outcome and time; administrators' actions are in it.
#include "accountfixtures.h"
#include "activity.h"
#include "page.h"
#include "taskfixtures.h"
#include "taskrequests.h"
#include "testserver.h"
#include "tokenpair.h"
#include "totp.h"
#include "twofactor.h"

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
    void badQueriesAreRefused_data();
    void badQueriesAreRefused();
    void theDirectorySearchesFiltersSortsAndPages();
    void administratorsChangeRolesAndStatuses();
    void anAdministratorAsksForANewPassword();
    void anAdministratorTurnsTwoFactorOff();
    void administratorsMakeAccountsForPeople();
    void staffListEveryonesTasks();
    void staffTaskListingsPageWhileTasksMove();
    void badNewAccountsAreRefused_data();
    void badNewAccountsAreRefused();
    void badChangesAreRefused_data();
    void badChangesAreRefused();
    void nobodyRaisesTheirOwnRoleAndManagersChangeNothing();
    void theLastActiveAdministratorStays();
    void administratorsDeleteAccounts();

private:
    std::unique_ptr<TestServer> m_server;
    Account m_admin;
    Account m_manager;
    MailSource m_mail;
};

void TestAdministration::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_admin = createdByCommand(*m_server, u"root@example.com"_s, u"admin"_s);
    m_manager = createdByCommand(*m_server, u"manager@example.com"_s, u"manager"_s);
    QVERIFY(m_admin.id() > 0 && m_manager.id() > 0);
    m_mail = outboxOf(*m_server);
}

void TestAdministration::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestAdministration::everyStaffRouteRefusesUsersAndStrangers_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    // The server's own route table: a route added later is checked without a new row here.
    QByteArray out;
    QCOMPARE(m_server->runCommand({ u"routes"_s }, {}, &out), 0);
    int rows = 0;
    QSet<QString> staffPaths;
    for (const QJsonValue &value : QJsonDocument::fromJson(out).array()) {
        const QJsonObject route = value.toObject();
        if (route.value(u"minimum_role"_s).toString() == u"user")
            continue;
        const QByteArray method = route.value(u"method"_s).toString().toLatin1();
        const QString path = route.value(u"path"_s).toString().replace(u"{id}"_s, u"1"_s);
        QTest::newRow(QByteArray(method + ' ' + path.toLatin1()).constData()) << method << path;
        staffPaths.insert(path);
        ++rows;
    }
    // The staff routes this suite knows of are among them (a route declared for users by
    // mistake would drop out of the table above).
    for (const QString &path :
         { u"/api/v1/admin/activity"_s, u"/api/v1/admin/users"_s, u"/api/v1/admin/users/1"_s,
           u"/api/v1/users/1"_s, u"/api/v1/users"_s, u"/api/v1/admin/jobs"_s,
           u"/api/v1/admin/deliveries"_s, u"/api/v1/admin/tasks"_s })
        QVERIFY2(staffPaths.contains(path), qPrintable(path));
    QVERIFY(rows >= 9);
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

void TestAdministration::badQueriesAreRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");
    const QString activity = u"/api/v1/admin/activity"_s;
    QTest::newRow("activity: user_id not a number") << activity << u"user_id=me"_s << u"user_id"_s;
    QTest::newRow("activity: actor_id zero") << activity << u"actor_id=0"_s << u"actor_id"_s;
    QTest::newRow("activity: unknown action") << activity << u"action=user.flew"_s << u"action"_s;
    QTest::newRow("activity: outcome") << activity << u"outcome=maybe"_s << u"outcome"_s;
    QTest::newRow("activity: since without zone")
            << activity << u"since=2026-01-01T00:00:00"_s << u"since"_s;
    QTest::newRow("activity: unknown parameter") << activity << u"owner=1"_s << u"owner"_s;
    const QString users = u"/api/v1/admin/users"_s;
    QTest::newRow("users: role") << users << u"role=owner"_s << u"role"_s;
    QTest::newRow("users: status") << users << u"status=gone"_s << u"status"_s;
    QTest::newRow("users: two_factor") << users << u"two_factor=yes"_s << u"two_factor"_s;
    QTest::newRow("users: sort") << users << u"sort=password"_s << u"sort"_s;
    QTest::newRow("users: q too long") << users << u"q="_s + QString(255, u'a') << u"q"_s;
    QTest::newRow("users: limit") << users << u"limit=0"_s << u"limit"_s;
    QTest::newRow("users: forged cursor") << users << u"cursor=abc"_s << u"cursor"_s;
    QTest::newRow("users: unknown") << users << u"password=x"_s << u"password"_s;
}

void TestAdministration::badQueriesAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QString, query);
    QFETCH(QString, parameter);
    ApiReply *reply = finished(m_admin.api().send("GET", path + u'?' + query));
    QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
    QVERIFY2(namesField(reply, parameter), reply->body().constData());
}

namespace {
QList<qint64> userIds(const QJsonObject &page)
{
    QList<qint64> ids;
    for (const QJsonValue &value : page.value(u"items"_s).toArray())
        ids.append(value.toObject().value(u"id"_s).toInteger());
    return ids;
}

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}
} // namespace

void TestAdministration::theDirectorySearchesFiltersSortsAndPages()
{
    const QString tag = u"dir%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    std::vector<Account> accounts;
    for (int n = 0; n < 5; ++n)
        accounts.push_back(signUpAccount(m_server->url(), tag + QString::number(n)));
    QList<qint64> ids;
    for (const Account &account : accounts)
        ids.append(account.id());
    // Search by address, for the manager and through both routes.
    for (const QString &path : { u"/api/v1/admin/users"_s, u"/api/v1/users"_s }) {
        ApiReply *found
                = finished(m_manager.api().send("GET", path + u"?q="_s + tag + u"&sort=created"_s));
        QCOMPARE(found->status(), 200);
        QCOMPARE(userIds(found->json()), ids);
    }
    // Newest first; by address in reverse.
    QList<qint64> reversed(ids.crbegin(), ids.crend());
    QCOMPARE(userIds(finished(m_admin.api().send("GET",
                                                 u"/api/v1/admin/users?q="_s + tag
                                                         + u"&sort=-created"_s))
                             ->json()),
             reversed);
    QCOMPARE(userIds(finished(m_admin.api().send(
                                      "GET", u"/api/v1/admin/users?q="_s + tag + u"&sort=-email"_s))
                             ->json()),
             reversed);
    // Pages of two follow each other without repeats, in every order.
    for (const QString &sort : { u"created"_s, u"-email"_s, u"name"_s }) {
        QList<qint64> walked;
        QString cursor;
        for (int page = 0; page < 5; ++page) {
            QString query = u"/api/v1/admin/users?limit=2&q="_s + tag + u"&sort="_s + sort;
            if (!cursor.isEmpty())
                query += u"&cursor="_s + encoded(cursor);
            const QJsonObject json = finished(m_admin.api().send("GET", query))->json();
            walked.append(userIds(json));
            cursor = json.value(u"next_cursor"_s).toString();
            if (cursor.isEmpty())
                break;
        }
        QCOMPARE(walked.size(), 5);
        QCOMPARE(QSet<qint64>(walked.cbegin(), walked.cend()).size(), 5);
    }
    // A cursor belongs to its search.
    const QString cursor
            = finished(m_admin.api().send("GET", u"/api/v1/admin/users?limit=1&q="_s + tag))
                      ->json()
                      .value(u"next_cursor"_s)
                      .toString();
    QVERIFY(!cursor.isEmpty());
    QVERIFY(isProblem(finished(m_admin.api().send("GET",
                                                  u"/api/v1/admin/users?limit=1&q=other"
                                                  "&cursor="_s
                                                          + encoded(cursor))),
                      400, u"bad-request"_s));

    // Filters: role, status, two_factor; one account; none.
    QCOMPARE(finished(m_admin.api().send("GET", u"/api/v1/admin/users?role=admin"_s))
                     ->json()
                     .value(u"items"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"role"_s)
                     .toString(),
             u"admin"_s);
    QVERIFY(m_server->executeSql(
            u"UPDATE users SET status = 'deactivated' WHERE id = %1"_s.arg(ids.first())));
    QCOMPARE(userIds(finished(m_admin.api().send(
                                      "GET", u"/api/v1/admin/users?status=deactivated&q="_s + tag))
                             ->json()),
             QList<qint64>{ ids.first() });
    QCOMPARE(userIds(finished(m_admin.api().send("GET",
                                                 u"/api/v1/admin/users?two_factor=true&q="_s + tag))
                             ->json()),
             QList<qint64>());
    QCOMPARE(userIds(finished(m_admin.api().send("GET", u"/api/v1/admin/users?q=%25&role=user"_s))
                             ->json()),
             QList<qint64>()); // a % is a character to find, not a wildcard
    ApiReply *one = finished(m_manager.api().send("GET", u"/api/v1/users/%1"_s.arg(ids.last())));
    QCOMPARE(one->status(), 200);
    QCOMPARE(one->json().value(u"email"_s).toString(), accounts.back().user.email);
    QVERIFY(!one->body().contains("password_hash"));
    QVERIFY(!one->body().contains("argon2"));
    QVERIFY(isProblem(finished(m_manager.api().send("GET", u"/api/v1/users/99999999"_s)), 404,
                      u"not-found"_s));
}

void TestAdministration::administratorsChangeRolesAndStatuses()
{
    Account account = signUpAccount(m_server->url(), u"changed"_s);
    const QString path = u"/api/v1/admin/users/%1"_s.arg(account.id());
    // A manager from now on: the staff routes open at once.
    ApiReply *promoted
            = finished(m_admin.api().sendJson("PATCH", path, { { u"role"_s, u"manager"_s } }));
    QCOMPARE(promoted->status(), 200);
    QCOMPARE(promoted->json().value(u"role"_s).toString(), u"manager"_s);
    QCOMPARE(finished(account.api().send("GET", u"/api/v1/admin/users"_s))->status(), 200);

    // Locked: its token stops, sign-in is refused; active again: it signs in.
    ApiReply *locked
            = finished(m_admin.api().sendJson("PATCH", path, { { u"status"_s, u"locked"_s } }));
    QCOMPARE(locked->json().value(u"status"_s).toString(), u"locked"_s);
    QCOMPARE(finished(account.api().me())->status(), 401);
    ApiClient again(m_server->url());
    QVERIFY(isProblem(finished(again.login(account.user.email, account.user.password)), 403,
                      u"account-inactive"_s));
    QCOMPARE(finished(m_admin.api().sendJson("PATCH", path, { { u"status"_s, u"active"_s } }))
                     ->status(),
             200);
    ApiReply *back = finished(again.login(account.user.email, account.user.password));
    QCOMPARE(back->status(), 200);
    // The account's own log shows what the administrator did, not from where.
    again.setAccessToken(back->json().value(u"access_token"_s).toString());
    const QJsonArray seen = finished(again.send("GET",
                                                u"/api/v1/users/me/activity?action=%1"_s.arg(
                                                        ActivityAction::UserChangedByAdmin)))
                                    ->json()
                                    .value(u"items"_s)
                                    .toArray();
    QCOMPARE(seen.size(), 3);
    for (const QJsonValue &entry : seen) {
        QCOMPARE(entry.toObject().value(u"actor_id"_s).toInteger(), m_admin.id());
        QVERIFY(entry.toObject().value(u"client_address"_s).toString().isEmpty());
        QVERIFY(entry.toObject().value(u"user_agent"_s).toString().isEmpty());
    }
    // Deactivated by its owner: an administrator reactivates it.
    Account leaver = signUpAccount(m_server->url(), u"comesback"_s);
    QCOMPARE(finished(leaver.api().deactivateAccount({ leaver.user.password, std::nullopt }))
                     ->status(),
             204);
    QCOMPARE(finished(again.login(leaver.user.email, leaver.user.password))->status(), 403);
    QCOMPARE(finished(m_admin.api().sendJson("PATCH", u"/api/v1/admin/users/%1"_s.arg(leaver.id()),
                                             { { u"status"_s, u"active"_s } }))
                     ->status(),
             200);
    QCOMPARE(finished(again.login(leaver.user.email, leaver.user.password))->status(), 200);

    // Each change is the administrator's entry in the account's log.
    const Page<ActivityEntry> log = activityPage(
            m_admin.api(),
            u"user_id=%1&action=%2"_s.arg(account.id()).arg(ActivityAction::UserChangedByAdmin));
    QCOMPARE(log.items.size(), 3);
    for (const ActivityEntry &entry : log.items)
        QCOMPARE(entry.actorId, m_admin.id());
    QCOMPARE(log.items.last().details.value(u"role"_s).toObject().value(u"to"_s).toString(),
             u"manager"_s);
    QCOMPARE(log.items.first().details.value(u"status"_s).toObject().value(u"from"_s).toString(),
             u"locked"_s);
}

void TestAdministration::anAdministratorAsksForANewPassword()
{
    Account account = signUpAccount(m_server->url(), u"renewer"_s);
    const qint64 taskId = createTaskId(account.api(), u"Before the request"_s);
    QVERIFY(taskId > 0);
    ApiReply *asked = finished(m_admin.api().sendJson("PATCH",
                                                      u"/api/v1/admin/users/%1"_s.arg(account.id()),
                                                      { { u"require_password_change"_s, true } }));
    QCOMPARE(asked->status(), 200);
    QCOMPARE(asked->json().value(u"password_change_required"_s).toBool(), true);

    // Until then: their profile, the password change and logout, nothing else.
    ApiReply *refused = finished(account.api().task(taskId));
    QVERIFY2(isProblem(refused, 403, u"password-change-required"_s), refused->body().constData());
    QVERIFY(isProblem(finished(account.api().send("GET", u"/api/v1/tasks"_s)), 403,
                      u"password-change-required"_s));
    QCOMPARE(finished(account.api().me())->json().value(u"password_change_required"_s).toBool(),
             true);
    QVERIFY(isProblem(finished(account.api().updateMe({ { u"display_name"_s, u"Not yet"_s } })),
                      403, u"password-change-required"_s));
    // A new login changes nothing about it.
    ApiClient again(m_server->url());
    ApiReply *login = finished(again.login(account.user.email, account.user.password));
    QCOMPARE(login->status(), 200);
    again.setAccessToken(login->json().value(u"access_token"_s).toString());
    QVERIFY(isProblem(finished(again.task(taskId)), 403, u"password-change-required"_s));

    // Nor does the same password again, nor the real-time feed.
    ApiReply *same
            = finished(account.api().updateMe({ { u"current_password"_s, account.user.password },
                                                { u"password"_s, account.user.password } }));
    QVERIFY2(namesField(same, u"password"_s, u"unchanged"_s), same->body().constData());
    QVERIFY(isProblem(finished(account.api().send("POST", u"/api/v1/realtime/ticket"_s)), 403,
                      u"password-change-required"_s));
    ApiReply *feed = finished(account.api().send("GET", u"/api/v1/events"_s, {},
                                                 { { "Accept", "text/event-stream" } }));
    QVERIFY2(isProblem(feed, 403, u"password-change-required"_s), feed->body().constData());

    const QString renewed = strongPassword();
    ApiReply *changed = finished(account.api().updateMe(
            { { u"current_password"_s, account.user.password }, { u"password"_s, renewed } }));
    QCOMPARE(changed->status(), 200);
    QCOMPARE(changed->json().value(u"password_change_required"_s).toBool(), false);
    QCOMPARE(finished(account.api().task(taskId))->status(), 200);
    const Page<ActivityEntry> log = activityPage(
            m_admin.api(),
            u"user_id=%1&action=%2"_s.arg(account.id()).arg(ActivityAction::UserChangedByAdmin));
    QCOMPARE(log.items.size(), 1);
    QVERIFY(log.items.first().details.value(u"password_change_required"_s).toBool());
}

void TestAdministration::anAdministratorTurnsTwoFactorOff()
{
    Account account = signUpAccount(m_server->url(), u"lostphone"_s);
    ApiReply *enabled = finished(account.api().enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    const QByteArray secret
            = Totp::fromBase32(
                      TwoFactorSetup::fromJson(enabled->json()).value_or(TwoFactorSetup()).secret)
                      .value_or(QByteArray());
    QCOMPARE(finished(account.api().confirmTwoFactor(
                              Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch())))
                     ->status(),
             200);
    ApiClient client(m_server->url());
    QVERIFY(finished(client.login(account.user.email, account.user.password))
                    ->json()
                    .value(u"mfa_required"_s)
                    .toBool());

    ApiReply *reset = finished(m_admin.api().sendJson("PATCH",
                                                      u"/api/v1/admin/users/%1"_s.arg(account.id()),
                                                      { { u"reset_two_factor"_s, true } }));
    QCOMPARE(reset->status(), 200);
    QCOMPARE(reset->json().value(u"two_factor_enabled"_s).toBool(), false);
    // The password alone signs in again.
    ApiReply *login = finished(client.login(account.user.email, account.user.password));
    QCOMPARE(login->status(), 200);
    QVERIFY(!login->json().value(u"access_token"_s).toString().isEmpty());
}

void TestAdministration::administratorsMakeAccountsForPeople()
{
    const QString email = u"invited-%1@example.com"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const QJsonObject account{ { u"email"_s, email.toUpper() },
                               { u"display_name"_s, u"Ines Invited"_s },
                               { u"role"_s, u"manager"_s },
                               { u"language"_s, u"de"_s } };
    // Managers read the directory but make no accounts.
    QVERIFY(isProblem(finished(m_manager.api().sendJson("POST", u"/api/v1/admin/users"_s, account)),
                      403, u"forbidden"_s));
    ApiReply *made = finished(m_admin.api().sendJson("POST", u"/api/v1/admin/users"_s, account));
    QVERIFY2(made->status() == 201, made->body().constData());
    const QJsonObject user = made->json();
    const qint64 id = user.value(u"id"_s).toInteger();
    QVERIFY(id > 0);
    QCOMPARE(made->header("Location"), "/api/v1/users/" + QByteArray::number(id));
    QCOMPARE(user.value(u"email"_s).toString(), email); // normalised
    QCOMPARE(user.value(u"role"_s).toString(), u"manager"_s);
    QCOMPARE(user.value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(user.value(u"email_verified"_s).toBool(), false);
    QCOMPARE(finished(m_manager.api().send("GET", u"/api/v1/users/%1"_s.arg(id)))->status(), 200);

    // The same address again is a conflict, however it is written.
    ApiReply *again = finished(m_admin.api().sendJson("POST", u"/api/v1/admin/users"_s, account));
    QVERIFY2(isProblem(again, 409, u"conflict"_s), again->body().constData());
    QVERIFY(namesField(again, u"email"_s, u"taken"_s));

    // The person gets a link, in their language, to choose their password; nobody knows the
    // password the account was made with.
    const QString token = awaitLinkToken(m_mail, email, u"/reset-password"_s);
    QVERIFY(!token.isEmpty());
    const ReceivedMail invitation = mailTo(m_mail, email).last();
    QVERIFY(isAccountMail(invitation));
    QCOMPARE(invitation.header("Subject"), u"Ihr Tasklane-Konto ist bereit"_s);
    const QString adminName
            = finished(m_admin.api().me())->json().value(u"display_name"_s).toString();
    QVERIFY2(!adminName.isEmpty() && invitation.text.contains(adminName),
             qPrintable(invitation.text));
    ApiClient invitee(m_server->url());
    const QString password = strongPassword();
    ApiReply *chosen = finished(invitee.resetPassword(token, password));
    QVERIFY2(chosen->status() == 204, chosen->body().constData());
    QCOMPARE(finished(invitee.resetPassword(token, strongPassword()))->status(), 400);
    ApiReply *login = finished(invitee.login(email, password));
    QVERIFY2(login->status() == 200, login->body().constData());
    invitee.setAccessToken(login->json().value(u"access_token"_s).toString());
    const QJsonObject me = finished(invitee.me())->json();
    QCOMPARE(me.value(u"email_verified"_s).toBool(), true); // the link proved the address
    QCOMPARE(me.value(u"role"_s).toString(), u"manager"_s);
    QCOMPARE(me.value(u"language"_s).toString(), u"de"_s);

    // In the log: the account's entry, with the administrator as actor.
    const Page<ActivityEntry> log = activityPage(
            m_admin.api(),
            u"user_id=%1&action=%2"_s.arg(id).arg(ActivityAction::UserCreatedByAdmin));
    QCOMPARE(log.items.size(), 1);
    QCOMPARE(log.items.first().actorId, m_admin.id());
    QCOMPARE(log.items.first().details.value(u"role"_s).toString(), u"manager"_s);
}

void TestAdministration::staffListEveryonesTasks()
{
    // A word no other test uses, so that the listings hold these tasks alone.
    const QString word = u"zephyr%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    Account ann = signUpVerified(*m_server, u"ann"_s);
    Account bob = signUpVerified(*m_server, u"bob"_s);
    const qint64 annsOpen = createTaskId(ann.api(), u"Ann's %1 report"_s.arg(word),
                                         { { u"tags"_s, QJsonArray{ word } } });
    const qint64 annsDone
            = createTaskId(ann.api(), u"Ann's finished %1"_s.arg(word),
                           { { u"tags"_s, QJsonArray{ word } }, { u"status"_s, u"done"_s } });
    const qint64 bobsShared = createTaskId(bob.api(), u"Bob's %1 plan"_s.arg(word),
                                           { { u"tags"_s, QJsonArray{ word } } });
    const qint64 bobsTrashed = createTaskId(bob.api(), u"Bob's old %1"_s.arg(word),
                                            { { u"tags"_s, QJsonArray{ word } } });
    QVERIFY(annsOpen > 0 && annsDone > 0 && bobsShared > 0 && bobsTrashed > 0);
    QCOMPARE(finished(bob.api().trashTask(bobsTrashed))->status(), 200);
    AssignRequest share;
    share.userId = ann.id();
    QCOMPARE(finished(bob.api().shareTask(bobsShared, share))->status(), 200);

    const auto listed = [this](ApiClient &client, const QString &query) {
        ApiReply *reply = finished(client.send("GET", u"/api/v1/admin/tasks?"_s + query));
        if (reply->status() != 200)
            qWarning("admin tasks: %d %s", reply->status(), reply->body().constData());
        return reply->json();
    };
    const auto sorted = [](QList<qint64> ids) {
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    // Everyone's, with the task filters: a tag, the owner, a status, the text, the trash.
    QCOMPARE(sorted(idsOf(listed(m_manager.api(), u"tag="_s + word))),
             sorted({ annsOpen, annsDone, bobsShared }));
    QCOMPARE(idsOf(listed(m_admin.api(), u"tag=%1&owner_id=%2"_s.arg(word).arg(bob.id()))),
             QList<qint64>{ bobsShared });
    QCOMPARE(idsOf(listed(m_admin.api(), u"tag=%1&status=done"_s.arg(word))),
             QList<qint64>{ annsDone });
    QCOMPARE(sorted(idsOf(listed(m_manager.api(), u"q=%1&sort=title"_s.arg(word)))),
             sorted({ annsOpen, annsDone, bobsShared }));
    QCOMPARE(idsOf(listed(m_manager.api(), u"q=%1%20plan"_s.arg(word))),
             QList<qint64>{ bobsShared });
    QCOMPARE(idsOf(listed(m_manager.api(), u"tag=%1&trashed=true"_s.arg(word))),
             QList<qint64>{ bobsTrashed });
    const QJsonObject counted
            = listed(m_manager.api(), u"tag=%1&include_total=true&limit=1"_s.arg(word));
    QCOMPARE(counted.value(u"total"_s).toInteger(), 3);

    // Pages: every task once, the cursor only of this listing.
    QList<qint64> paged;
    QString cursor;
    int pages = 0;
    do {
        const QJsonObject page
                = listed(m_admin.api(),
                         u"tag=%1&sort=-created&limit=2"_s.arg(word)
                                 + (cursor.isEmpty() ? QString() : u"&cursor="_s + cursor));
        paged += idsOf(page);
        cursor = page.value(u"next_cursor"_s).toString();
        ++pages;
    } while (!cursor.isEmpty() && pages < 5);
    QCOMPARE(paged, (QList<qint64>{ bobsShared, annsDone, annsOpen }));
    const QJsonObject first = listed(m_admin.api(), u"tag=%1&limit=1"_s.arg(word));
    const QString adminCursor = first.value(u"next_cursor"_s).toString();
    QVERIFY(!adminCursor.isEmpty());
    ApiReply *crossed = finished(ann.api().send(
            "GET", u"/api/v1/tasks?tag=%1&limit=1&cursor=%2"_s.arg(word, adminCursor)));
    QVERIFY2(isProblem(crossed, 400, u"bad-request"_s), crossed->body().constData());

    // A user's own listing takes owner_id too: the tasks of that owner they can see.
    ApiReply *own = finished(
            ann.api().send("GET", u"/api/v1/tasks?tag=%1&owner_id=%2"_s.arg(word).arg(bob.id())));
    QCOMPARE(own->status(), 200);
    QCOMPARE(idsOf(own->json()), QList<qint64>{ bobsShared });
    QCOMPARE(idsOf(finished(bob.api().send(
                                    "GET",
                                    u"/api/v1/tasks?tag=%1&owner_id=%2"_s.arg(word).arg(ann.id())))
                           ->json()),
             QList<qint64>{});

    // Bad parameters are named.
    ApiReply *bad = finished(m_manager.api().send("GET", u"/api/v1/admin/tasks?owner_id=ann"_s));
    QVERIFY(isProblem(bad, 400, u"bad-request"_s));
    QVERIFY(namesField(bad, u"owner_id"_s));
    QVERIFY(namesField(finished(m_manager.api().send("GET", u"/api/v1/admin/tasks?colour=red"_s)),
                       u"colour"_s));
}

void TestAdministration::staffTaskListingsPageWhileTasksMove()
{
    // Sorted by title, a task renamed between two pages is listed once, where the first
    // page's moment had it (the same rule as a user's own listing, across everyone's tasks).
    const QString word = u"quokka%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    Account cat = signUpAccount(m_server->url(), u"cat"_s);
    Account dan = signUpAccount(m_server->url(), u"dan"_s);
    QList<qint64> ids;
    for (const QString &title : { u"a"_s, u"b"_s, u"c"_s, u"d"_s })
        ids.append(createTaskId(title < u"c"_s ? cat.api() : dan.api(), title + u' ' + word,
                                { { u"tags"_s, QJsonArray{ word } } }));
    QVERIFY(!ids.contains(0));
    const auto page = [&](const QString &cursor) {
        return finished(m_manager.api().send(
                                "GET",
                                u"/api/v1/admin/tasks?tag=%1&sort=title&limit=2"_s.arg(word)
                                        + (cursor.isEmpty() ? QString() : u"&cursor="_s + cursor)))
                ->json();
    };
    const QJsonObject first = page({});
    QCOMPARE(idsOf(first), (QList<qint64>{ ids.at(0), ids.at(1) }));
    // d moves before a: it has not been listed, and comes on the second page all the same.
    QCOMPARE(patchTask(dan.api(), ids.at(3), { { u"title"_s, QString(u"0 "_s + word) } })->status(),
             200);
    const QJsonObject second = page(first.value(u"next_cursor"_s).toString());
    QCOMPARE(idsOf(second), (QList<qint64>{ ids.at(2), ids.at(3) }));
    QVERIFY(second.value(u"next_cursor"_s).isNull());
}

void TestAdministration::badNewAccountsAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    QTest::newRow("no address") << QByteArray(R"({"display_name":"No Address"})") << u"email"_s
                                << u"required"_s;
    QTest::newRow("not an address") << QByteArray(R"({"email":"nobody","display_name":"Nobody"})")
                                    << u"email"_s << u"invalid_format"_s;
    QTest::newRow("no name") << QByteArray(R"({"email":"noname@example.com"})") << u"display_name"_s
                             << u"required"_s;
    QTest::newRow("a name of control characters")
            << QByteArray(R"({"email":"ctl@example.com","display_name":"\u0007"})")
            << u"display_name"_s << u"invalid_format"_s;
    QTest::newRow("an unknown role")
            << QByteArray(R"({"email":"owner@example.com","display_name":"O","role":"owner"})")
            << u"role"_s << u"invalid_value"_s;
    QTest::newRow("an unknown language")
            << QByteArray(R"({"email":"fr@example.com","display_name":"F","language":"fr"})")
            << u"language"_s << u"invalid_value"_s;
    QTest::newRow("a password") << QByteArray(
            R"({"email":"pw@example.com","display_name":"P","password":"x"})")
                                << u"password"_s << u"unknown_field"_s;
}

void TestAdministration::badNewAccountsAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    ApiReply *reply = finished(m_admin.api().send("POST", u"/api/v1/admin/users"_s, body,
                                                  { { "Content-Type", "application/json" } }));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
}

void TestAdministration::badChangesAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    QTest::newRow("nothing") << QByteArray("{}") << u"role"_s << u"required"_s;
    QTest::newRow("an unknown role")
            << QByteArray(R"({"role":"owner"})") << u"role"_s << u"invalid_value"_s;
    QTest::newRow("an unknown status")
            << QByteArray(R"({"status":"gone"})") << u"status"_s << u"invalid_value"_s;
    QTest::newRow("reset false") << QByteArray(R"({"reset_two_factor":false})")
                                 << u"reset_two_factor"_s << u"invalid_value"_s;
    QTest::newRow("reset as text") << QByteArray(R"({"reset_two_factor":"yes"})")
                                   << u"reset_two_factor"_s << u"wrong_type"_s;
    QTest::newRow("password change false") << QByteArray(R"({"require_password_change":false})")
                                           << u"require_password_change"_s << u"invalid_value"_s;
    QTest::newRow("the password") << QByteArray(R"({"password":"Taken-Over-2026"})")
                                  << u"password"_s << u"unknown_field"_s;
}

void TestAdministration::badChangesAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    Account account = signUpAccount(m_server->url(), u"unchanged"_s);
    ApiReply *reply
            = finished(m_admin.api().send("PATCH", u"/api/v1/admin/users/%1"_s.arg(account.id()),
                                          body, { { "Content-Type", "application/json" } }));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
    QCOMPARE(finished(account.api().me())->json().value(u"role"_s).toString(), u"user"_s);
}

void TestAdministration::nobodyRaisesTheirOwnRoleAndManagersChangeNothing()
{
    Account user = signUpAccount(m_server->url(), u"climber"_s);
    const QJsonObject toAdmin{ { u"role"_s, u"admin"_s } };
    QCOMPARE(finished(user.api().sendJson("PATCH", u"/api/v1/users/me"_s, toAdmin))->status(), 403);
    QCOMPARE(finished(user.api().sendJson("PATCH", u"/api/v1/admin/users/%1"_s.arg(user.id()),
                                          toAdmin))
                     ->status(),
             403);
    QCOMPARE(finished(m_manager.api().sendJson(
                              "PATCH", u"/api/v1/admin/users/%1"_s.arg(m_manager.id()), toAdmin))
                     ->status(),
             403);
    QCOMPARE(finished(m_manager.api().sendJson("PATCH", u"/api/v1/admin/users/%1"_s.arg(user.id()),
                                               { { u"status"_s, u"locked"_s } }))
                     ->status(),
             403);
    QCOMPARE(finished(m_manager.api().send("DELETE", u"/api/v1/users/%1"_s.arg(user.id())))
                     ->status(),
             403);
    QCOMPARE(finished(user.api().me())->json().value(u"role"_s).toString(), u"user"_s);
    QCOMPARE(finished(user.api().me())->json().value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(finished(m_manager.api().me())->json().value(u"role"_s).toString(), u"manager"_s);
}

void TestAdministration::theLastActiveAdministratorStays()
{
    QCOMPARE(finished(m_admin.api().send("GET", u"/api/v1/admin/users?role=admin&status=active"_s))
                     ->json()
                     .value(u"items"_s)
                     .toArray()
                     .size(),
             1);
    const QString self = u"/api/v1/admin/users/%1"_s.arg(m_admin.id());
    for (const QJsonObject &change :
         { QJsonObject{ { u"role"_s, u"manager"_s } }, QJsonObject{ { u"status"_s, u"locked"_s } },
           QJsonObject{ { u"status"_s, u"deactivated"_s } } }) {
        ApiReply *refused = finished(m_admin.api().sendJson("PATCH", self, change));
        QVERIFY2(isProblem(refused, 409, u"conflict"_s), refused->body().constData());
        QVERIFY(namesField(refused, u"role"_s, u"last_admin"_s));
    }
    // One's own account is not deleted here (DELETE /users/me asks for the password; it too
    // keeps the last administrator: tst_accountclosure).
    ApiReply *deleted
            = finished(m_admin.api().send("DELETE", u"/api/v1/users/%1"_s.arg(m_admin.id())));
    QVERIFY2(isProblem(deleted, 403, u"forbidden"_s), deleted->body().constData());
    ApiReply *ownTwoFactor
            = finished(m_admin.api().sendJson("PATCH", self, { { u"reset_two_factor"_s, true } }));
    QVERIFY2(isProblem(ownTwoFactor, 403, u"forbidden"_s), ownTwoFactor->body().constData());
    const QJsonObject me = finished(m_admin.api().me())->json();
    QCOMPARE(me.value(u"role"_s).toString(), u"admin"_s);
    QCOMPARE(me.value(u"status"_s).toString(), u"active"_s);
}

void TestAdministration::administratorsDeleteAccounts()
{
    Account account = signUpAccount(m_server->url(), u"removed"_s);
    QVERIFY(createTaskId(account.api(), u"Goes with its owner"_s) > 0);
    ApiReply *deleted
            = finished(m_admin.api().send("DELETE", u"/api/v1/users/%1"_s.arg(account.id())));
    QCOMPARE(deleted->status(), 204);
    QCOMPARE(finished(account.api().me())->status(), 401);
    QVERIFY(isProblem(finished(m_admin.api().send("GET", u"/api/v1/users/%1"_s.arg(account.id()))),
                      404, u"not-found"_s));
    QVERIFY(isProblem(
            finished(m_admin.api().send("DELETE", u"/api/v1/users/%1"_s.arg(account.id()))), 404,
            u"not-found"_s));
    const Page<ActivityEntry> log
            = activityPage(m_admin.api(), u"action=%1"_s.arg(ActivityAction::UserDeletedByAdmin));
    QCOMPARE(log.items.size(), 1);
    QCOMPARE(log.items.first().actorId, m_admin.id());
    QCOMPARE(log.items.first().targetId, account.id());
    QCOMPARE(log.items.first().userId, 0); // the account is gone: its entries name nobody
}

QTEST_GUILESS_MAIN(TestAdministration)
#include "tst_administration.moc"
