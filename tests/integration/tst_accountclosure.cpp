// Leaving, through the real tasklaned (issue 11, point 8): POST /users/me/deactivate ends every
// session and refuses sign-in from then on; DELETE /users/me removes the account with its
// tasks, attachment files, notifications and shares, tells those it shared with, takes its
// tasks out of others' blockers, and keeps its activity only anonymised. Both need the
// password, and a code when 2FA is on; the last active administrator can do neither.
// GET /users/me/export hands over what is theirs, and nothing secret.
#include "accountfixtures.h"
#include "activity.h"
#include "taskfixtures.h"
#include "taskrequests.h"
#include "testserver.h"
#include "tokenpair.h"
#include "totp.h"
#include "twofactor.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const QByteArray Boundary = "closure-test-boundary";

ApiReply *uploadAttachment(ApiClient &client, qint64 taskId, const QByteArray &bytes)
{
    const QByteArray body = "--" + Boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
              "Content-Type: text/plain\r\n\r\n"
            + bytes + "\r\n--" + Boundary + "--\r\n";
    return client.send("POST", u"/api/v1/tasks/%1/attachments"_s.arg(taskId), body,
                       { { "Content-Type", "multipart/form-data; boundary=" + Boundary } });
}

int storedFileCount(const TestServer &server)
{
    int count = 0;
    QDirIterator it(server.dataDir() + u"/attachments"_s, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++count;
    }
    return count;
}

AccountClosureRequest withPassword(const QString &password)
{
    return { password, std::nullopt };
}

QString currentCode(const QByteArray &secret)
{
    return Totp::codeAt(secret, QDateTime::currentSecsSinceEpoch());
}
} // namespace

class TestAccountClosure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void badProofsAreRefused_data();
    void badProofsAreRefused();
    void deactivationEndsSessionsAndRefusesSignIn();
    void aClosedAccountsTokensStopWorking();
    void deletionRemovesTheAccountAndWhatIsOnlyItsOwn();
    void deletionNeedsTheSecondFactorWhenTwoFactorIsOn();
    void theLastActiveAdministratorCannotLeave();
    void theExportHoldsTheirDataAndNoSecret();

private:
    qint64 count(const QString &sql);

    std::unique_ptr<TestServer> m_server;
    MailSource m_mail;
};

void TestAccountClosure::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_mail = outboxOf(*m_server);
}

void TestAccountClosure::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

qint64 TestAccountClosure::count(const QString &sql)
{
    const QList<QVariantList> rows = m_server->querySql(sql);
    return rows.isEmpty() || rows.first().isEmpty() ? -1 : rows.first().first().toLongLong();
}

void TestAccountClosure::badProofsAreRefused_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");

    const QList<std::pair<QByteArray, QString>> routes{
        { "POST", u"/api/v1/users/me/deactivate"_s },
        { "DELETE", u"/api/v1/users/me"_s },
    };
    for (const auto &[method, path] : routes) {
        const QByteArray name = method + ' ';
        QTest::newRow(QByteArray(name + "no password").constData())
                << method << path << QByteArray("{}") << u"password"_s << u"required"_s;
        QTest::newRow(QByteArray(name + "wrong password").constData())
                << method << path << QByteArray(R"({"password":"Not-Theirs-2026-x"})")
                << u"password"_s << u"invalid"_s;
        QTest::newRow(QByteArray(name + "password not a string").constData())
                << method << path << QByteArray(R"({"password":12})") << u"password"_s
                << u"wrong_type"_s;
        QTest::newRow(QByteArray(name + "malformed code").constData())
                << method << path << QByteArray(R"({"password":"x","code":"12ab"})") << u"code"_s
                << u"invalid_format"_s;
        QTest::newRow(QByteArray(name + "unknown field").constData())
                << method << path << QByteArray(R"({"password":"x","forever":true})")
                << u"forever"_s << u"unknown_field"_s;
    }
}

void TestAccountClosure::badProofsAreRefused()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    Account account = signUpAccount(m_server->url(), u"proof"_s);
    ApiReply *reply = finished(
            account.api().send(method, path, body, { { "Content-Type", "application/json" } }));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
    // Still there, still signed in.
    QCOMPARE(finished(account.api().me())->status(), 200);
    // Nobody without a token gets that far.
    ApiClient anonymous(m_server->url());
    QCOMPARE(
            finished(anonymous.send(method, path, body, { { "Content-Type", "application/json" } }))
                    ->status(),
            401);
}

void TestAccountClosure::deactivationEndsSessionsAndRefusesSignIn()
{
    Account account = signUpVerified(*m_server, u"leaver"_s);
    const qint64 taskId = createTaskId(account.api(), u"Kept while away"_s);
    QVERIFY(taskId > 0);
    // A second session, to see that every session ends.
    ApiClient other(m_server->url());
    ApiReply *otherLogin = finished(other.login(account.user.email, account.user.password));
    QCOMPARE(otherLogin->status(), 200);
    other.setAccessToken(otherLogin->json().value(u"access_token"_s).toString());

    // A reset link asked for before: deactivation gives it up.
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.forgotPassword(account.user.email))->status(), 202);
    const QString resetToken = awaitLinkToken(m_mail, account.user.email, u"/reset-password"_s, 1);
    QVERIFY(!resetToken.isEmpty());

    ApiReply *deactivated
            = finished(account.api().deactivateAccount(withPassword(account.user.password)));
    QCOMPARE(deactivated->status(), 204);
    QVERIFY(isProblem(finished(anonymous.resetPassword(resetToken, strongPassword())), 400,
                      u"invalid-account-token"_s));

    // Every access token stops working, and no refresh token makes a new one.
    QCOMPARE(finished(account.api().me())->status(), 401);
    QCOMPARE(finished(other.me())->status(), 401);
    ApiClient refresher(m_server->url());
    QCOMPARE(finished(refresher.refreshToken(account.user.refreshToken))->status(), 401);
    // The right password is told the account is closed; a wrong one learns nothing new.
    ApiClient again(m_server->url());
    ApiReply *refused = finished(again.login(account.user.email, account.user.password));
    QVERIFY2(isProblem(refused, 403, u"account-inactive"_s), refused->body().constData());
    ApiReply *wrong = finished(again.login(account.user.email, u"Wrong-Password-1977-q"_s));
    QVERIFY2(isProblem(wrong, 401, u"invalid-credentials"_s), wrong->body().constData());

    // Nothing was deleted; the log says what happened.
    QCOMPARE(count(u"SELECT COUNT(*) FROM tasks WHERE id = %1"_s.arg(taskId)), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE id = %1 AND status = 'deactivated'"_s.arg(
                     account.id())),
             1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE user_id = %1 AND action = '%2' "
                   "AND actor_id = %1"_s.arg(account.id())
                           .arg(ActivityAction::AccountDeactivated)),
             1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE user_id = %1 AND action = '%2' "
                   "AND outcome = 'failure' AND details LIKE '%deactivated%'"_s.arg(account.id())
                           .arg(ActivityAction::LoginFailed)),
             1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM sessions WHERE user_id = %1 AND ended_at IS NULL"_s.arg(
                     account.id())),
             0);
}

void TestAccountClosure::aClosedAccountsTokensStopWorking()
{
    // Status changed behind the server's back (as an administrator's lock will): the access
    // token still in its session is refused within the principal cache's lifetime, and the
    // refresh token makes no new one.
    Account account = signUpAccount(m_server->url(), u"locked"_s);
    QCOMPARE(finished(account.api().me())->status(), 200);
    QVERIFY(m_server->executeSql(
            u"UPDATE users SET status = 'locked' WHERE id = %1"_s.arg(account.id())));
    QTRY_COMPARE_WITH_TIMEOUT(finished(account.api().me())->status(), 401, 10'000);
    ApiClient anonymous(m_server->url());
    QVERIFY(isProblem(finished(anonymous.refreshToken(account.user.refreshToken)), 401,
                      u"invalid-refresh-token"_s));
    ApiReply *login = finished(anonymous.login(account.user.email, account.user.password));
    QVERIFY2(isProblem(login, 403, u"account-inactive"_s), login->body().constData());
    QVERIFY(login->json().value(u"detail"_s).toString().contains(u"locked"_s));
}

void TestAccountClosure::deletionRemovesTheAccountAndWhatIsOnlyItsOwn()
{
    const QByteArray agent = "ClosureTest/1.0 (leaving-"
            + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + ')';
    Account leaving = signUpVerified(*m_server, u"deleted"_s);
    Account friendly = signUpVerified(*m_server, u"friend"_s);

    // What the leaving user owns: a task with an attachment (made from a client of a name its
    // activity entry keeps), a task shared with a friend that the friend's own task waits for.
    ApiReply *created = finished(leaving.api().send(
            "POST", u"/api/v1/tasks"_s, R"({"title":"Mine alone"})",
            { { "Content-Type", "application/json" }, { "User-Agent", agent } }));
    QCOMPARE(created->status(), 201);
    const qint64 privateTask = created->json().value(u"id"_s).toInteger();
    const QString agentCount = u"SELECT COUNT(*) FROM activity_log WHERE user_agent = '%1'"_s.arg(
            QString::fromLatin1(agent));
    QCOMPARE(count(agentCount), 1);
    const qint64 sharedTask = createTaskId(leaving.api(), u"Ours"_s);
    QVERIFY(privateTask > 0 && sharedTask > 0);
    const int filesBefore = storedFileCount(*m_server);
    QCOMPARE(finished(uploadAttachment(leaving.api(), privateTask, "private notes"))->status(),
             201);
    QCOMPARE(storedFileCount(*m_server), filesBefore + 1);
    AssignRequest share;
    share.userId = friendly.id();
    share.permission = SharePermission::Edit;
    QCOMPARE(finished(leaving.api().shareTask(sharedTask, share))->status(), 200);
    const qint64 waiting = createTaskId(friendly.api(), u"After ours"_s,
                                        { { u"blocked_by"_s, QJsonArray{ sharedTask } } });
    QVERIFY(waiting > 0);
    const qint64 waitingVersion
            = finished(friendly.api().task(waiting))->json().value(u"version"_s).toInteger();
    // What others gave them: a share of the friend's task (and its notification), and their
    // change to it, which stays the friend's but no longer names them.
    const qint64 friendsTask = createTaskId(friendly.api(), u"Theirs"_s);
    AssignRequest back;
    back.userId = leaving.id();
    back.permission = SharePermission::Edit;
    QCOMPARE(finished(friendly.api().shareTask(friendsTask, back))->status(), 200);
    QCOMPARE(finished(patchTask(leaving.api(), friendsTask, { { u"description"_s, u"from me"_s } }))
                     ->status(),
             200);
    QTRY_VERIFY(count(u"SELECT COUNT(*) FROM notifications WHERE user_id = %1"_s.arg(leaving.id()))
                > 0);

    ApiReply *deleted = finished(leaving.api().deleteAccount(withPassword(leaving.user.password)));
    QCOMPARE(deleted->status(), 204);

    // Gone: its token, its sign-in, its tasks for the friend who shared them.
    QCOMPARE(finished(leaving.api().me())->status(), 401);
    ApiClient anonymous(m_server->url());
    QVERIFY(isProblem(finished(anonymous.login(leaving.user.email, leaving.user.password)), 401,
                      u"invalid-credentials"_s));
    QCOMPARE(finished(friendly.api().task(sharedTask))->status(), 404);
    // The friend's task waits for nothing now: a change of its own, versioned.
    const QJsonObject after = finished(friendly.api().task(waiting))->json();
    QCOMPARE(after.value(u"blocked_by"_s).toArray(), QJsonArray());
    QCOMPARE(after.value(u"version"_s).toInteger(), waitingVersion + 1);
    // The friend's own task stays, without the share: a change of its own.
    ApiReply *friends = finished(friendly.api().task(friendsTask));
    QCOMPARE(friends->status(), 200);
    QCOMPARE(friends->json().value(u"assignees"_s).toArray(), QJsonArray());

    // Nothing of theirs is left in the database or the attachments folder.
    const qint64 id = leaving.id();
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE id = %1"_s.arg(id)), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM tasks WHERE owner_id = %1"_s.arg(id)), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM task_history WHERE task_id IN (%1, %2)"_s.arg(privateTask)
                           .arg(sharedTask)),
             0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM task_history WHERE actor_id = %1"_s.arg(id)), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM task_shares WHERE user_id = %1"_s.arg(id)), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM notifications WHERE user_id = %1"_s.arg(id)), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM attachments WHERE task_id = %1"_s.arg(privateTask)), 0);
    QCOMPARE(storedFileCount(*m_server), filesBefore);
    // Its activity stays, anonymised: no account, no actor, no address or agent.
    QCOMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE user_id = %1 OR actor_id = %1"_s.arg(
                     id)),
             0);
    QCOMPARE(count(agentCount), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE action = '%1' AND target_id = %2 "
                   "AND user_id IS NULL AND actor_id IS NULL"_s.arg(ActivityAction::AccountDeleted)
                           .arg(id)),
             1);
    QVERIFY(count(u"SELECT COUNT(*) FROM activity_log WHERE action = '%1' AND target_id IN "
                  "(%2, %3) AND user_id IS NULL"_s.arg(ActivityAction::TaskCreated)
                          .arg(privateTask)
                          .arg(sharedTask))
            == 2);

    // The address is free again.
    ApiReply *signup = finished(anonymous.signup(leaving.user.email, strongPassword(), u"Back"_s));
    QCOMPARE(signup->status(), 202);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE email = '%1'"_s.arg(leaving.user.email)), 1);
}

void TestAccountClosure::deletionNeedsTheSecondFactorWhenTwoFactorIsOn()
{
    Account account = signUpVerified(*m_server, u"guarded"_s);
    ApiReply *enabled = finished(account.api().enableTwoFactor(account.user.password));
    QCOMPARE(enabled->status(), 200);
    const QByteArray secret
            = Totp::fromBase32(
                      TwoFactorSetup::fromJson(enabled->json()).value_or(TwoFactorSetup()).secret)
                      .value_or(QByteArray());
    ApiReply *confirmed = finished(account.api().confirmTwoFactor(currentCode(secret)));
    QCOMPARE(confirmed->status(), 200);
    const QStringList recovery
            = RecoveryCodes::fromJson(confirmed->json()).value_or(RecoveryCodes()).codes;
    QVERIFY(!recovery.isEmpty());

    ApiReply *noCode = finished(account.api().deleteAccount(withPassword(account.user.password)));
    QVERIFY2(isProblem(noCode, 422, u"validation-failed"_s), noCode->body().constData());
    QVERIFY(namesField(noCode, u"code"_s, u"required"_s));
    // Confirming spent this time step's code (a replay now): a wrong code, then a recovery code.
    const QString wrong = currentCode(secret) == u"000000"_s ? u"111111"_s : u"000000"_s;
    ApiReply *wrongCode = finished(account.api().deleteAccount(
            { account.user.password, SecondFactor{ SecondFactor::Kind::Totp, wrong } }));
    QVERIFY(isProblem(wrongCode, 422, u"validation-failed"_s));
    QVERIFY(namesField(wrongCode, u"code"_s, u"invalid"_s));
    QCOMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE user_id = %1 AND action = '%2'"_s
                           .arg(account.id())
                           .arg(ActivityAction::SecondFactorFailed)),
             1);
    QCOMPARE(finished(account.api().me())->status(), 200);

    ApiReply *deleted = finished(account.api().deleteAccount(
            { account.user.password,
              SecondFactor{ SecondFactor::Kind::RecoveryCode,
                            normalizeRecoveryCode(recovery.first()).value_or(QString()) } }));
    QCOMPARE(deleted->status(), 204);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE id = %1"_s.arg(account.id())), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM recovery_codes WHERE user_id = %1"_s.arg(account.id())),
             0);
}

void TestAccountClosure::theLastActiveAdministratorCannotLeave()
{
    Account first = createdByCommand(*m_server, u"first-admin@example.com"_s, u"admin"_s);
    QVERIFY(first.id() > 0);
    // Other admins may exist from nothing else here: this is the only one.
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'"_s), 1);
    for (const bool remove : { false, true }) {
        const AccountClosureRequest proof = withPassword(first.user.password);
        ApiReply *refused = finished(remove ? first.api().deleteAccount(proof)
                                            : first.api().deactivateAccount(proof));
        QVERIFY2(isProblem(refused, 409, u"conflict"_s), refused->body().constData());
        QVERIFY(namesField(refused, u"role"_s, u"last_admin"_s));
    }
    QCOMPARE(finished(first.api().me())->status(), 200);

    // With a second one, the first may go; then the second is the last.
    Account second = createdByCommand(*m_server, u"second-admin@example.com"_s, u"admin"_s);
    QVERIFY(second.id() > 0);
    QCOMPARE(finished(first.api().deactivateAccount(withPassword(first.user.password)))->status(),
             204);
    ApiReply *last = finished(second.api().deleteAccount(withPassword(second.user.password)));
    QVERIFY(isProblem(last, 409, u"conflict"_s));
    QVERIFY(namesField(last, u"role"_s, u"last_admin"_s));
    QCOMPARE(finished(second.api().me())->status(), 200);
}

void TestAccountClosure::theExportHoldsTheirDataAndNoSecret()
{
    Account owner = signUpVerified(*m_server, u"exporter"_s);
    Account other = signUpVerified(*m_server, u"neighbour"_s);
    const qint64 kept = createTaskId(owner.api(), u"Exported task"_s,
                                     { { u"description"_s, u"with a description"_s } });
    const qint64 trashed = createTaskId(owner.api(), u"Trashed but still theirs"_s);
    QVERIFY(kept > 0 && trashed > 0);
    QCOMPARE(finished(owner.api().trashTask(trashed))->status(), 200);
    QCOMPARE(finished(uploadAttachment(owner.api(), kept, "exported notes"))->status(), 201);
    // More than one bulk read's worth (TaskRepository::MaxBulkRead) of tasks.
    QList<qint64> expected{ kept, trashed };
    for (int n = 0; n < 130; ++n) {
        expected.append(createTaskId(owner.api(), u"Bulk %1"_s.arg(n)));
        QVERIFY(expected.last() > 0);
    }
    std::sort(expected.begin(), expected.end());
    // Someone else's task, shared with them: its notification is theirs, the task is not.
    const qint64 othersTask = createTaskId(other.api(), u"The neighbour's own"_s);
    AssignRequest share;
    share.userId = owner.id();
    QCOMPARE(finished(other.api().shareTask(othersTask, share))->status(), 200);
    QTRY_VERIFY(count(u"SELECT COUNT(*) FROM notifications WHERE user_id = %1"_s.arg(owner.id()))
                > 0);

    ApiReply *reply = finished(owner.api().exportAccount());
    QCOMPARE(reply->status(), 200);
    QVERIFY(reply->header("Content-Disposition").startsWith("attachment; filename="));
    QCOMPARE(reply->header("Cache-Control"), QByteArray("no-store"));
    const QJsonObject document = reply->json();
    QCOMPARE(document.value(u"format"_s).toString(), u"tasklane-export"_s);
    QCOMPARE(document.value(u"profile"_s).toObject().value(u"id"_s).toInteger(), owner.id());
    QCOMPARE(document.value(u"profile"_s).toObject().value(u"email"_s).toString(),
             owner.user.email);
    QVERIFY(document.value(u"notification_settings"_s).isObject());

    const QJsonArray tasks = document.value(u"tasks"_s).toArray();
    QList<qint64> taskIds;
    for (const QJsonValue &value : tasks) {
        const QJsonObject task = value.toObject();
        taskIds.append(task.value(u"id"_s).toInteger());
        // Each with its history, from its creation on.
        const QJsonArray history = task.value(u"history"_s).toArray();
        QVERIFY(!history.isEmpty());
        QCOMPARE(history.first().toObject().value(u"action"_s).toString(), u"created"_s);
    }
    std::sort(taskIds.begin(), taskIds.end());
    QCOMPARE(taskIds, expected);
    QVERIFY(!taskIds.contains(othersTask)); // shared with them, not theirs
    const QJsonArray attachments = document.value(u"attachments"_s).toArray();
    QCOMPARE(attachments.size(), 1);
    QCOMPARE(attachments.first().toObject().value(u"task_id"_s).toInteger(), kept);
    QCOMPARE(attachments.first().toObject().value(u"file_name"_s).toString(), u"notes.txt"_s);
    QVERIFY(!document.value(u"notifications"_s).toArray().isEmpty());
    QStringList actions;
    for (const QJsonValue &value : document.value(u"activity"_s).toArray())
        actions.append(value.toObject().value(u"action"_s).toString());
    QVERIFY(actions.contains(ActivityAction::SignedUp));
    QVERIFY(actions.contains(ActivityAction::TaskCreated));
    const QJsonArray sessions = document.value(u"sessions"_s).toArray();
    QVERIFY(!sessions.isEmpty());
    bool current = false;
    for (const QJsonValue &value : sessions)
        current = current || value.toObject().value(u"current"_s).toBool();
    QVERIFY(current);

    // Nothing of anyone else's, and nothing secret.
    const QByteArray body = reply->body();
    QVERIFY(!body.contains(other.user.email.toUtf8()));
    for (const QString &secret :
         { owner.user.password, owner.user.accessToken, owner.user.refreshToken })
        QVERIFY(!body.contains(secret.toUtf8()));
    QVERIFY(!body.contains("argon2"));
    QVERIFY(!body.contains("password_hash"));

    // The export is in the log; nobody gets it without a token.
    QTRY_COMPARE(count(u"SELECT COUNT(*) FROM activity_log WHERE user_id = %1 AND action = '%2'"_s
                               .arg(owner.id())
                               .arg(ActivityAction::DataExported)),
                 1);
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.exportAccount())->status(), 401);
}

QTEST_GUILESS_MAIN(TestAccountClosure)
#include "tst_accountclosure.moc"
