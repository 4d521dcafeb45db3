// The activity log through the real tasklaned (issue 11, point 7): account and task actions
// are recorded with who acted, on what, from which address and User-Agent, and whether it
// worked; GET /users/me/activity shows a user their own, newest first, filtered by action,
// outcome and time, page by page. No password, token, code or secret is ever in it.
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
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const QByteArray Agent = "TasklaneActivityTest/1.0 (canary-agent)";
const QByteArray ClientAddress = "203.0.113.77";

RawHeaders fromTheClient(bool json = true)
{
    RawHeaders headers{ { "User-Agent", Agent }, { "X-Forwarded-For", ClientAddress } };
    if (json)
        headers.append({ QByteArray("Content-Type"), QByteArray("application/json") });
    return headers;
}

QByteArray jsonBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Page<ActivityEntry> activityOf(ApiClient &client, const QString &query = {})
{
    ApiReply *reply = finished(client.send(
            "GET", u"/api/v1/users/me/activity"_s + (query.isEmpty() ? QString() : u'?' + query)));
    if (reply->status() != 200)
        qWarning("activity: %d %s", reply->status(), reply->body().constData());
    return Page<ActivityEntry>::fromJson(reply->json()).value_or(Page<ActivityEntry>());
}

QStringList actionsOf(const Page<ActivityEntry> &page)
{
    QStringList actions;
    for (const ActivityEntry &entry : page.items)
        actions.append(entry.action);
    return actions;
}

// The newest entry of `action`, or an empty one.
ActivityEntry newest(const Page<ActivityEntry> &page, const QString &action)
{
    for (const ActivityEntry &entry : page.items) {
        if (entry.action == action)
            return entry;
    }
    return {};
}

QString code(const QByteArray &secret)
{
    return Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch());
}
} // namespace

class TestActivity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void accountActionsAreRecordedWithTheirOrigin();
    void twoFactorEventsAreRecorded();
    void taskActionsAreRecorded();
    void filtersAndPages_data();
    void filtersAndPages();
    void badFiltersAreRefused_data();
    void badFiltersAreRefused();
    void eachUserSeesOnlyTheirOwn();
    void aLongUserAgentIsCutBetweenCharacters();
    void noSecretIsEverInTheLog();

private:
    std::unique_ptr<TestServer> m_server;
    MailSource m_mail;
    Account m_user;
    // Every secret the tests sent or were given, searched for in the log at the end.
    QStringList m_secrets;
};

void TestActivity::initTestCase()
{
    TestServer::Options options;
    options.arguments = { u"--trusted-proxies"_s, u"127.0.0.1"_s };
    m_server = std::make_unique<TestServer>(options);
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_mail = outboxOf(*m_server);
    m_user = signUpVerified(*m_server, u"actor"_s);
    QVERIFY(m_user.id() > 0);
    m_secrets << m_user.user.password << m_user.user.accessToken << m_user.user.refreshToken;
}

void TestActivity::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestActivity::accountActionsAreRecordedWithTheirOrigin()
{
    ApiClient anonymous(m_server->url());
    // A wrong password, then the right one, from a known client behind the trusted proxy.
    const QString wrong = u"Not-The-Password-%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    m_secrets << wrong;
    ApiReply *failed = finished(anonymous.send(
            "POST", u"/api/v1/auth/login"_s,
            jsonBody({ { u"email"_s, m_user.user.email }, { u"password"_s, wrong } }),
            fromTheClient()));
    QCOMPARE(failed->status(), 401);
    ApiReply *login = finished(anonymous.send("POST", u"/api/v1/auth/login"_s,
                                              jsonBody({ { u"email"_s, m_user.user.email },
                                                         { u"password"_s, m_user.user.password } }),
                                              fromTheClient()));
    QCOMPARE(login->status(), 200);
    const TokenPair tokens = TokenPair::fromJson(login->json()).value_or(TokenPair());
    m_secrets << tokens.accessToken << tokens.refreshToken;

    // A profile change from that session, and its logout.
    ApiClient session(m_server->url());
    session.setAccessToken(tokens.accessToken);
    QCOMPARE(finished(session.send("PATCH", u"/api/v1/users/me"_s,
                                   jsonBody({ { u"display_name"_s, u"Ada"_s },
                                              { u"bio"_s, u"Writes the log"_s },
                                              { u"time_zone"_s, u"UTC"_s } }), // unchanged
                                   fromTheClient()))
                     ->status(),
             200);
    QCOMPARE(finished(session.send("POST", u"/api/v1/auth/logout"_s,
                                   jsonBody({ { u"refresh_token"_s, tokens.refreshToken } }),
                                   fromTheClient()))
                     ->status(),
             204);
    // A new password, from the first session (which it keeps): a wrong current one first.
    const QString newPassword = strongPassword();
    m_secrets << newPassword;
    QCOMPARE(finished(m_user.api().updateMe(
                              { { u"password"_s, newPassword }, { u"current_password"_s, wrong } }))
                     ->status(),
             422);
    QCOMPARE(finished(m_user.api().updateMe({ { u"password"_s, newPassword },
                                              { u"current_password"_s, m_user.user.password } }))
                     ->status(),
             200);
    m_user.user.password = newPassword;

    const Page<ActivityEntry> page = activityOf(m_user.api());
    const QStringList actions = actionsOf(page);
    // Newest first: the sign-up and its verification are the oldest.
    QCOMPARE(actions.mid(0, 6),
             (QStringList{ ActivityAction::PasswordChanged, ActivityAction::PasswordChanged,
                           ActivityAction::LoggedOut, ActivityAction::ProfileChanged,
                           ActivityAction::LoggedIn, ActivityAction::LoginFailed }));
    QVERIFY2(actions.endsWith(ActivityAction::SignedUp), qPrintable(actions.join(u' ')));
    QVERIFY(actions.contains(ActivityAction::EmailVerified));

    const ActivityEntry loggedIn = newest(page, ActivityAction::LoggedIn);
    QCOMPARE(loggedIn.clientAddress, QString::fromLatin1(ClientAddress));
    QCOMPARE(loggedIn.userAgent, QString::fromLatin1(Agent));
    QCOMPARE(loggedIn.actorId, m_user.id());
    QCOMPARE(loggedIn.targetType, u"session"_s);
    QVERIFY(loggedIn.targetId > 0);
    QVERIFY(loggedIn.succeeded);
    QVERIFY(qAbs(loggedIn.at.secsTo(QDateTime::currentDateTimeUtc())) < 60);

    const ActivityEntry loginFailed = newest(page, ActivityAction::LoginFailed);
    QVERIFY(!loginFailed.succeeded);
    QCOMPARE(loginFailed.actorId, 0); // who tried is not known
    QCOMPARE(loginFailed.userId, m_user.id());
    QCOMPARE(loginFailed.clientAddress, QString::fromLatin1(ClientAddress));

    const ActivityEntry profile = newest(page, ActivityAction::ProfileChanged);
    QCOMPARE(profile.details.value(u"fields"_s).toArray(),
             (QJsonArray{ u"display_name"_s, u"bio"_s }));
    QVERIFY(page.items.at(0).succeeded);
    QVERIFY(!page.items.at(1).succeeded); // the wrong current password
    QCOMPARE(page.items.at(1).details.value(u"reason"_s).toString(), u"wrong_current_password"_s);
    const ActivityEntry loggedOut = newest(page, ActivityAction::LoggedOut);
    QCOMPARE(loggedOut.targetId, loggedIn.targetId);
}

void TestActivity::twoFactorEventsAreRecorded()
{
    Account account = signUpVerified(*m_server, u"second"_s);
    m_secrets << account.user.password << account.user.accessToken << account.user.refreshToken;
    ApiReply *enabled = finished(account.api().enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    const TwoFactorSetup setup
            = TwoFactorSetup::fromJson(enabled->json()).value_or(TwoFactorSetup());
    const QByteArray secret = Totp::fromBase32(setup.secret).value_or(QByteArray());
    m_secrets << setup.secret << setup.otpauthUri;
    ApiReply *confirmed = finished(account.api().confirmTwoFactor(code(secret)));
    QCOMPARE(confirmed->status(), 200);
    const QStringList recovery
            = RecoveryCodes::fromJson(confirmed->json()).value_or(RecoveryCodes()).codes;
    QCOMPARE(recovery.size(), 10);
    m_secrets << recovery;

    // Sign in: a wrong code, then a recovery code.
    ApiClient client(m_server->url());
    ApiReply *password = finished(client.login(account.user.email, account.user.password));
    const QString mfaToken
            = MfaChallenge::fromJson(password->json()).value_or(MfaChallenge()).mfaToken;
    QVERIFY(!mfaToken.isEmpty());
    m_secrets << mfaToken;
    const QString wrongCode = code(secret) == u"000000"_s ? u"111111"_s : u"000000"_s;
    QCOMPARE(finished(client.loginSecondFactor(mfaToken, { SecondFactor::Kind::Totp, wrongCode }))
                     ->status(),
             401);
    ApiReply *in = finished(client.loginSecondFactor(
            mfaToken,
            { SecondFactor::Kind::RecoveryCode,
              normalizeRecoveryCode(recovery.first()).value_or(QString()) }));
    QCOMPARE(in->status(), 200);
    m_secrets << TokenPair::fromJson(in->json()).value_or(TokenPair()).accessToken;

    const Page<ActivityEntry> page = activityOf(account.api());
    QCOMPARE(actionsOf(page).mid(0, 3),
             (QStringList{ ActivityAction::LoggedIn, ActivityAction::SecondFactorFailed,
                           ActivityAction::TwoFactorEnabled }));
    QCOMPARE(newest(page, ActivityAction::LoggedIn).details.value(u"second_factor"_s).toString(),
             u"recovery_code"_s);
    QVERIFY(!newest(page, ActivityAction::SecondFactorFailed).succeeded);
}

void TestActivity::taskActionsAreRecorded()
{
    Account sharee = signUpVerified(*m_server, u"sharee"_s);
    const qint64 taskId = createTaskId(m_user.api(), u"Logged"_s);
    QVERIFY(taskId > 0);
    QCOMPARE(patchTask(m_user.api(), taskId, { { u"title"_s, u"Logged again"_s } })->status(), 200);
    AssignRequest share;
    share.userId = sharee.id();
    QCOMPARE(finished(m_user.api().shareTask(taskId, share))->status(), 200);
    QCOMPARE(finished(m_user.api().unshareTask(taskId, sharee.id()))->status(), 204);
    QCOMPARE(finished(m_user.api().trashTask(taskId))->status(), 200);
    QCOMPARE(finished(m_user.api().purgeTask(taskId))->status(), 204);

    Page<ActivityEntry> page = activityOf(m_user.api(),
                                          u"action=task.created,task.changed,"
                                          "task.shared,task.unshared,task.deleted"_s);
    QCOMPARE(actionsOf(page).mid(0, 6),
             (QStringList{ ActivityAction::TaskDeleted, ActivityAction::TaskChanged,
                           ActivityAction::TaskUnshared, ActivityAction::TaskShared,
                           ActivityAction::TaskChanged, ActivityAction::TaskCreated }));
    for (const ActivityEntry &entry : page.items.mid(0, 6)) {
        QCOMPARE(entry.targetType, u"task"_s);
        QCOMPARE(entry.targetId, taskId);
        QCOMPARE(entry.actorId, m_user.id());
    }
    QCOMPARE(page.items.at(1).details.value(u"action"_s).toString(), u"trashed"_s);
    QCOMPARE(page.items.at(4).details.value(u"action"_s).toString(), u"updated"_s);
    QVERIFY(page.items.at(4).details.value(u"fields"_s).toArray().contains(u"title"_s));
}

void TestActivity::filtersAndPages_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("allowedActions");
    QTest::addColumn<QString>("outcome");
    QTest::newRow("one action") << u"action=user.logged_in"_s
                                << QStringList{ ActivityAction::LoggedIn } << QString();
    QTest::newRow("two actions") << u"action=user.logged_in,task.created"_s
                                 << QStringList{ ActivityAction::LoggedIn,
                                                 ActivityAction::TaskCreated }
                                 << QString();
    QTest::newRow("failures") << u"outcome=failure"_s << QStringList() << u"failure"_s;
    QTest::newRow("successes since an hour ago") << u"outcome=success&since="_s
                    + QString::fromLatin1(QUrl::toPercentEncoding(
                            QDateTime::currentDateTimeUtc().addSecs(-3600).toString(Qt::ISODate)))
                                                 << QStringList() << u"success"_s;
}

void TestActivity::filtersAndPages()
{
    QFETCH(QString, query);
    QFETCH(QStringList, allowedActions);
    QFETCH(QString, outcome);
    // Two at a time, every page, no entry twice.
    QList<qint64> seen;
    QString cursor;
    int pages = 0;
    do {
        const Page<ActivityEntry> page = activityOf(
                m_user.api(),
                query + u"&limit=2"_s
                        + (cursor.isEmpty() ? QString()
                                            : u"&cursor="_s
                                           + QString::fromLatin1(QUrl::toPercentEncoding(cursor))));
        QVERIFY(page.items.size() <= 2);
        for (const ActivityEntry &entry : page.items) {
            QVERIFY2(!seen.contains(entry.id), "an entry on two pages");
            QVERIFY(seen.isEmpty() || entry.id < seen.last()); // newest first
            seen.append(entry.id);
            if (!allowedActions.isEmpty())
                QVERIFY2(allowedActions.contains(entry.action), qPrintable(entry.action));
            if (!outcome.isEmpty())
                QCOMPARE(entry.succeeded, outcome == u"success");
        }
        cursor = page.nextCursor;
        ++pages;
    } while (!cursor.isEmpty() && pages < 100);
    QVERIFY(!seen.isEmpty());
    QVERIFY(pages < 100);
    // The whole filtered list in one page says the same.
    const Page<ActivityEntry> all = activityOf(m_user.api(), query + u"&limit=200"_s);
    QCOMPARE(qsizetype(all.items.size()), seen.size());
}

void TestActivity::badFiltersAreRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");
    QTest::newRow("an unknown action") << u"action=user.flew_away"_s << u"action"_s;
    QTest::newRow("no action") << u"action=,"_s << u"action"_s;
    QTest::newRow("an unknown outcome") << u"outcome=maybe"_s << u"outcome"_s;
    QTest::newRow("a time without zone") << u"since=2026-01-01T00:00:00"_s << u"since"_s;
    QTest::newRow("until before since")
            << u"since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z"_s << u"until"_s;
    QTest::newRow("a forged cursor") << u"cursor=eyJuIjoxfQ.AAAA"_s << u"cursor"_s;
    QTest::newRow("an unknown parameter") << u"user_id=1"_s << u"user_id"_s;
}

void TestActivity::badFiltersAreRefused()
{
    QFETCH(QString, query);
    QFETCH(QString, parameter);
    ApiReply *reply = finished(m_user.api().send("GET", u"/api/v1/users/me/activity?"_s + query));
    QVERIFY2(isProblem(reply, 400, u"bad-request"_s), reply->body().constData());
    QVERIFY2(namesField(reply, parameter), reply->body().constData());
}

void TestActivity::eachUserSeesOnlyTheirOwn()
{
    Account other = signUpVerified(*m_server, u"other"_s);
    // A cursor of another user's listing is not followed.
    const Page<ActivityEntry> mine = activityOf(m_user.api(), u"limit=1"_s);
    QVERIFY(!mine.nextCursor.isEmpty());
    ApiReply *borrowed = finished(other.api().send(
            "GET",
            u"/api/v1/users/me/activity?limit=1&cursor="_s
                    + QString::fromLatin1(QUrl::toPercentEncoding(mine.nextCursor))));
    QCOMPARE(borrowed->status(), 400);
    // A sign-up for a taken address is the owner's to see, as a failure by nobody known.
    ApiClient stranger(m_server->url());
    QCOMPARE(finished(stranger.signup(other.user.email, strongPassword(), u"Impostor"_s))->status(),
             202);
    const Page<ActivityEntry> theirs = activityOf(other.api(), u"limit=200"_s);
    for (const ActivityEntry &entry : theirs.items)
        QCOMPARE(entry.userId, other.id());
    const ActivityEntry attempt = newest(theirs, ActivityAction::SignedUp);
    QVERIFY(!attempt.succeeded);
    QCOMPARE(attempt.actorId, 0);
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.send("GET", u"/api/v1/users/me/activity"_s))->status(), 401);
}

void TestActivity::aLongUserAgentIsCutBetweenCharacters()
{
    // 255 ASCII characters and then an emoji (two UTF-16 units): 256 units would end in half
    // of it.
    const QByteArray agent = QByteArray(255, 'a') + "\xf0\x9f\x8e\x89 and more";
    ApiReply *created = finished(m_user.api().send(
            "POST", u"/api/v1/tasks"_s, jsonBody({ { u"title"_s, u"Emoji agent"_s } }),
            { { "Content-Type", "application/json" }, { "User-Agent", agent } }));
    QCOMPARE(created->status(), 201);
    const ActivityEntry entry = newest(activityOf(m_user.api(), u"action=task.created&limit=1"_s),
                                       ActivityAction::TaskCreated);
    QCOMPARE(entry.targetId, created->json().value(u"id"_s).toInteger());
    QCOMPARE(entry.userAgent, QString(255, u'a'));
}

void TestActivity::noSecretIsEverInTheLog()
{
    // Every column of every row, as text.
    const QList<QVariantList> rows = m_server->querySql(
            u"SELECT action, outcome, target_type, client_address, user_agent, details "
            "FROM activity_log"_s);
    QVERIFY(rows.size() > 20);
    QStringList text;
    for (const QVariantList &row : rows) {
        for (const QVariant &value : row)
            text.append(value.toString());
    }
    const QString all = text.join(u'\n');
    QVERIFY(m_secrets.size() > 10);
    for (const QString &secret : std::as_const(m_secrets)) {
        QVERIFY(!secret.isEmpty());
        QVERIFY2(!all.contains(secret), qPrintable(u"a secret in the log: "_s + secret.left(6)));
    }
}

QTEST_GUILESS_MAIN(TestActivity)
#include "tst_activity.moc"
