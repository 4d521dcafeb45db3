// Who may do what with a task: for a stranger it does not exist (404 on every route, never
// 403); its owner shares it to view or to edit; viewers read, editors change, only the owner
// deletes and shares; a share ends. And categories, each user's own.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {

QString taskPath(qint64 id, const QString &rest = {})
{
    return u"/api/v1/tasks/%1"_s.arg(id) + rest;
}

ApiReply *share(ApiClient &client, qint64 taskId, const QJsonObject &body)
{
    return finished(client.sendJson("POST", taskPath(taskId, u"/assign"_s), body));
}

ApiReply *shareWith(ApiClient &client, qint64 taskId, qint64 userId, const QString &permission)
{
    return share(client, taskId, { { u"user_id"_s, userId }, { u"permission"_s, permission } });
}

// Sends one request of a route, its {id} replaced by `taskId` and {uid} by `userId`.
ApiReply *callRoute(ApiClient &client, const QByteArray &method, QString path,
                    const QByteArray &body, const QString &taskId, qint64 userId)
{
    path.replace(u"{id}"_s, taskId);
    path.replace(u"{uid}"_s, QString::number(userId));
    QByteArray filled = body;
    filled.replace("{uid}", QByteArray::number(userId));
    return finished(client.send(method, path, filled,
                                filled.isEmpty()
                                        ? RawHeaders()
                                        : RawHeaders{ { "Content-Type", "application/json" } }));
}

QList<QVariantList> shareRows(TestServer &server, qint64 taskId)
{
    return server.querySql(u"SELECT user_id, permission FROM task_shares WHERE task_id = %1 "
                           "ORDER BY user_id"_s.arg(taskId));
}

qint64 historyCount(TestServer &server, qint64 taskId)
{
    return server.querySql(u"SELECT COUNT(*) FROM task_history WHERE task_id = %1"_s.arg(taskId))
            .value(0)
            .value(0)
            .toLongLong();
}

} // namespace

class TestTaskSharing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void anotherUsersTaskIsNotFoundOnEveryRoute_data();
    void anotherUsersTaskIsNotFoundOnEveryRoute();
    void idsThatAreNoTaskAreNotFound_data();
    void idsThatAreNoTaskAreNotFound();
    void sharingIsOnlyWithAnotherKnownUser_data();
    void sharingIsOnlyWithAnotherKnownUser();
    void onlyTheOwnerShares();
    void sharingByIdOrEmailShowsTheTaskToTheAssignee_data();
    void sharingByIdOrEmailShowsTheTaskToTheAssignee();
    void sharingAgainChangesThePermission();
    void aViewerReadsButChangesNothing_data();
    void aViewerReadsButChangesNothing();
    void anEditorNeitherDeletesNorShares_data();
    void anEditorNeitherDeletesNorShares();
    void anEditorChangesAndCompletes();
    void endingAShare_data();
    void endingAShare();
    void endingAShareThatDoesNotExistIsNotFound();
    void anotherUsersCategoryIsNotFound_data();
    void anotherUsersCategoryIsNotFound();
    void anotherUsersCategoryCannotLabelATask_data();
    void anotherUsersCategoryCannotLabelATask();
    void categoriesAreEachUsersOwn();
    void duplicateCategoryNamesConflict_data();
    void duplicateCategoryNamesConflict();
    void deletingACategoryLeavesItsTasksUncategorised();

private:
    Account signUp(const QString &prefix);
    qint64 createCategory(Account &account, const QString &name);

    std::unique_ptr<TestServer> m_server;
    Account m_owner; // owns the tasks of most tests
    Account m_stranger; // never shared with
    Account m_viewer;
    Account m_editor;
};

Account TestTaskSharing::signUp(const QString &prefix)
{
    return signUpVerified(*m_server, prefix);
}

qint64 TestTaskSharing::createCategory(Account &account, const QString &name)
{
    ApiReply *reply = finished(
            account.api().sendJson("POST", u"/api/v1/categories"_s, { { u"name"_s, name } }));
    if (reply->status() != 201)
        qWarning("creating a category failed: %d %s", reply->status(), reply->body().constData());
    return reply->json().value(u"id"_s).toInteger();
}

void TestTaskSharing::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    m_owner = signUp(u"owner"_s);
    m_stranger = signUp(u"stranger"_s);
    m_viewer = signUp(u"viewer"_s);
    m_editor = signUp(u"editor"_s);
    for (const Account *account : { &m_owner, &m_stranger, &m_viewer, &m_editor })
        QVERIFY(account->id() > 0);
}

void TestTaskSharing::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestTaskSharing::anotherUsersTaskIsNotFoundOnEveryRoute_data()
{
    // {id}: the task; {uid}: a user the task is shared with (the editor).
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("reading it") << QByteArray("GET") << u"/api/v1/tasks/{id}"_s << QByteArray();
    QTest::newRow("changing it") << QByteArray("PATCH") << u"/api/v1/tasks/{id}"_s
                                 << QByteArray(R"({"title":"Mine now"})");
    QTest::newRow("marking it done")
            << QByteArray("PATCH") << u"/api/v1/tasks/{id}"_s << QByteArray(R"({"status":"done"})");
    QTest::newRow("trashing it") << QByteArray("DELETE") << u"/api/v1/tasks/{id}"_s << QByteArray();
    QTest::newRow("deleting it for good")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}?permanent=true"_s << QByteArray();
    QTest::newRow("restoring it") << QByteArray("POST") << u"/api/v1/tasks/{id}/restore"_s
                                  << QByteArray();
    QTest::newRow("completing it")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/complete"_s << QByteArray();
    QTest::newRow("skipping an occurrence")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/skip"_s << QByteArray();
    QTest::newRow("sharing it with someone")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/assign"_s
            << QByteArray(R"({"user_id":{uid},"permission":"edit"})");
    QTest::newRow("ending someone's share")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}/assign/{uid}"_s << QByteArray();
    QTest::newRow("reading its history")
            << QByteArray("GET") << u"/api/v1/tasks/{id}/history"_s << QByteArray();
    QTest::newRow("reading its occurrences")
            << QByteArray("GET") << u"/api/v1/tasks/{id}/occurrences"_s << QByteArray();
}

void TestTaskSharing::anotherUsersTaskIsNotFoundOnEveryRoute()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    const QString title
            = u"Owner's secret plan %1"_s.arg(QString::fromUtf8(QTest::currentDataTag()));
    const qint64 id = createTaskId(m_owner.api(), title,
                                   { { u"description"_s, u"nobody else reads this"_s },
                                     { u"due_date"_s, u"2031-05-01"_s } });
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_editor.id(), u"edit"_s)->status(), 200);
    ApiReply *before = finished(m_owner.api().task(id));
    QCOMPARE(before->status(), 200);
    const qint64 historyBefore = historyCount(*m_server, id);

    ApiReply *stranger
            = callRoute(m_stranger.api(), method, path, body, QString::number(id), m_editor.id());
    QVERIFY2(isProblem(stranger, 404, u"not-found"_s), stranger->body().constData());
    QVERIFY(!stranger->body().contains(title.toUtf8()));
    QVERIFY(!stranger->body().contains("nobody else"));

    // The same answer as for a task that does not exist at all: nothing tells them apart.
    ApiReply *missing
            = callRoute(m_stranger.api(), method, path, body,
                        QString::number(std::numeric_limits<qint64>::max()), m_editor.id());
    QVERIFY2(isProblem(missing, 404, u"not-found"_s), missing->body().constData());
    QCOMPARE(stranger->problem()->detail, missing->problem()->detail);
    QCOMPARE(stranger->problem()->title, missing->problem()->title);
    QCOMPARE(stranger->problem()->errors, missing->problem()->errors);

    // The task is as it was, and its history has nothing new.
    ApiReply *after = finished(m_owner.api().task(id));
    QCOMPARE(after->status(), 200);
    QCOMPARE(after->json(), before->json());
    QCOMPARE(historyCount(*m_server, id), historyBefore);
    QCOMPARE(shareRows(*m_server, id),
             (QList<QVariantList>{ { QVariant(m_editor.id()), QVariant(u"edit"_s) } }));
    const auto row = m_server->querySql(
            u"SELECT title, status, trashed_at IS NULL FROM tasks WHERE id = %1"_s.arg(id));
    QCOMPARE(row.size(), 1);
    QCOMPARE(row.at(0).at(0).toString(), title);
    QCOMPARE(row.at(0).at(1).toString(), u"todo"_s);
    QVERIFY(row.at(0).at(2).toBool());
}

void TestTaskSharing::idsThatAreNoTaskAreNotFound_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("a word") << u"abc"_s;
    QTest::newRow("a number too large for 64 bits") << u"99999999999999999999999"_s;
    QTest::newRow("the largest 64-bit number") << u"9223372036854775807"_s;
    QTest::newRow("zero") << u"0"_s;
    QTest::newRow("a negative number") << u"-1"_s;
    QTest::newRow("a number with a plus sign") << u"+1"_s;
    QTest::newRow("a number with a leading zero") << u"01"_s;
    QTest::newRow("a fraction") << u"1.5"_s;
    QTest::newRow("SQL") << u"1%20OR%201=1"_s;
}

void TestTaskSharing::idsThatAreNoTaskAreNotFound()
{
    QFETCH(QString, id);
    // The owner has tasks (so that an id read as 1, or as any, would find one).
    QVERIFY(createTaskId(m_owner.api(), u"Something"_s) > 0);
    const QList<QPair<QByteArray, QString>> routes{
        { "GET", u""_s },           { "PATCH", u""_s },           { "DELETE", u""_s },
        { "POST", u"/complete"_s }, { "POST", u"/restore"_s },    { "POST", u"/skip"_s },
        { "GET", u"/history"_s },   { "GET", u"/occurrences"_s }, { "DELETE", u"/assign/1"_s },
    };
    for (const auto &[method, rest] : routes) {
        const QByteArray body = method == "PATCH" ? R"({"title":"x"})" : "";
        ApiReply *reply
                = callRoute(m_owner.api(), method, u"/api/v1/tasks/{id}"_s + rest, body, id, 0);
        QVERIFY2(isProblem(reply, 404, u"not-found"_s),
                 QByteArray(method + ' ' + rest.toUtf8() + ": " + reply->body()).constData());
    }
}

void TestTaskSharing::sharingIsOnlyWithAnotherKnownUser_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    QTest::newRow("sharing with oneself, the owner, by id")
            << QByteArray(R"({"user_id":{owner},"permission":"edit"})") << u"user_id"_s
            << u"is_owner"_s;
    QTest::newRow("sharing with oneself, the owner, by email (in capitals)")
            << QByteArray(R"({"email":"{owner_email}","permission":"view"})") << u"email"_s
            << u"is_owner"_s;
    QTest::newRow("sharing with a user id nobody has")
            << QByteArray(R"({"user_id":999999999,"permission":"view"})") << u"user_id"_s
            << u"not_found"_s;
    QTest::newRow("sharing with an email nobody has")
            << QByteArray(R"({"email":"nobody-at-all@example.com","permission":"view"})")
            << u"email"_s << u"not_found"_s;
    QTest::newRow("naming the user both by id and by email")
            << QByteArray(R"({"user_id":{viewer},"email":"{viewer_email}","permission":"view"})")
            << u"user_id"_s << u"conflict"_s;
    QTest::newRow("naming no user")
            << QByteArray(R"({"permission":"view"})") << u"user_id"_s << u"required"_s;
    QTest::newRow("no permission")
            << QByteArray(R"({"user_id":{viewer}})") << u"permission"_s << u"required"_s;
    QTest::newRow("a permission that is not view or edit")
            << QByteArray(R"({"user_id":{viewer},"permission":"admin"})") << u"permission"_s
            << u"invalid_value"_s;
    QTest::newRow("a user id that is not a number")
            << QByteArray(R"({"user_id":"{viewer}","permission":"view"})") << u"user_id"_s
            << QString();
    QTest::newRow("an email that is not an address")
            << QByteArray(R"({"email":"not-an-address","permission":"view"})") << u"email"_s
            << u"invalid_format"_s;
}

void TestTaskSharing::sharingIsOnlyWithAnotherKnownUser()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    body.replace("{owner_email}", m_owner.user.email.toUpper().toUtf8());
    body.replace("{viewer_email}", m_viewer.user.email.toUtf8());
    body.replace("{owner}", QByteArray::number(m_owner.id()));
    body.replace("{viewer}", QByteArray::number(m_viewer.id()));
    const qint64 id = createTaskId(m_owner.api(), u"Not to be shared badly"_s);
    QVERIFY(id > 0);
    ApiReply *reply = finished(m_owner.api().send("POST", taskPath(id, u"/assign"_s), body,
                                                  { { "Content-Type", "application/json" } }));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
    QVERIFY(shareRows(*m_server, id).isEmpty());
    QCOMPARE(finished(m_owner.api().task(id))->json().value(u"version"_s).toInteger(), 1);
}

void TestTaskSharing::onlyTheOwnerShares()
{
    const qint64 id = createTaskId(m_owner.api(), u"Owner shares"_s);
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_editor.id(), u"edit"_s)->status(), 200);
    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);
    // An editor may not share further, nor raise a viewer to editor; a viewer may not raise
    // themself.
    ApiReply *byEditor = shareWith(m_editor.api(), id, m_stranger.id(), u"view"_s);
    QVERIFY2(isProblem(byEditor, 403, u"forbidden"_s), byEditor->body().constData());
    ApiReply *raise = shareWith(m_editor.api(), id, m_viewer.id(), u"edit"_s);
    QVERIFY2(isProblem(raise, 403, u"forbidden"_s), raise->body().constData());
    ApiReply *self = shareWith(m_viewer.api(), id, m_viewer.id(), u"edit"_s);
    QVERIFY2(isProblem(self, 403, u"forbidden"_s), self->body().constData());
    QCOMPARE(shareRows(*m_server, id),
             (QList<QVariantList>{ { QVariant(m_viewer.id()), QVariant(u"view"_s) },
                                   { QVariant(m_editor.id()), QVariant(u"edit"_s) } }));
    ApiReply *strangerView = finished(m_stranger.api().task(id));
    QCOMPARE(strangerView->status(), 404);
}

void TestTaskSharing::sharingByIdOrEmailShowsTheTaskToTheAssignee_data()
{
    QTest::addColumn<bool>("byEmail");
    QTest::addColumn<QString>("permission");
    QTest::newRow("shared by user id, to view") << false << u"view"_s;
    QTest::newRow("shared by user id, to edit") << false << u"edit"_s;
    QTest::newRow("shared by email, to view") << true << u"view"_s;
    QTest::newRow("shared by email written in capitals, to edit") << true << u"edit"_s;
}

void TestTaskSharing::sharingByIdOrEmailShowsTheTaskToTheAssignee()
{
    QFETCH(bool, byEmail);
    QFETCH(QString, permission);
    // Fresh accounts: their listings hold only what this row makes.
    Account owner = signUp(u"lister"_s);
    Account assignee = signUp(u"assignee"_s);
    Account bystander = signUp(u"bystander"_s);
    const qint64 shared = createTaskId(owner.api(), u"Shared one"_s);
    const qint64 kept = createTaskId(owner.api(), u"Kept private"_s);
    const qint64 ownTask = createTaskId(assignee.api(), u"The assignee's own"_s);
    QVERIFY(shared > 0 && kept > 0 && ownTask > 0);

    const QString email
            = permission == u"edit" ? assignee.user.email.toUpper() : assignee.user.email;
    ApiReply *reply = byEmail
            ? share(owner.api(), shared, { { u"email"_s, email }, { u"permission"_s, permission } })
            : shareWith(owner.api(), shared, assignee.id(), permission);
    QCOMPARE(reply->status(), 200);
    const QJsonObject task = reply->json();
    QCOMPARE(task.value(u"assignees"_s).toArray(),
             QJsonArray({ QJsonObject{ { u"user_id"_s, assignee.id() },
                                       { u"permission"_s, permission } } }));
    QCOMPARE(task.value(u"version"_s).toInteger(), 2);
    QCOMPARE(shareRows(*m_server, shared),
             (QList<QVariantList>{ { QVariant(assignee.id()), QVariant(permission) } }));

    ApiReply *read = finished(assignee.api().task(shared));
    QCOMPARE(read->status(), 200);
    QCOMPARE(read->json().value(u"owner_id"_s).toInteger(), owner.id());
    // In the assignee's own listing, beside their own task, and never the owner's other one.
    ApiReply *listing = finished(assignee.api().send("GET", u"/api/v1/tasks"_s));
    QCOMPARE(listing->status(), 200);
    QCOMPARE(idsOf(listing->json()), (QList<qint64>{ shared, ownTask }));
    ApiReply *filtered = finished(assignee.api().send(
            "GET", u"/api/v1/tasks/filter?assignee_id=%1"_s.arg(assignee.id())));
    QCOMPARE(idsOf(filtered->json()), QList<qint64>{ shared });
    ApiReply *byOwner = finished(
            owner.api().send("GET", u"/api/v1/tasks?assignee_id=%1"_s.arg(assignee.id())));
    QCOMPARE(idsOf(byOwner->json()), QList<qint64>{ shared });
    ApiReply *ownerAll = finished(owner.api().send("GET", u"/api/v1/tasks"_s));
    QCOMPARE(idsOf(ownerAll->json()), (QList<qint64>{ shared, kept }));
    // Someone else sees nothing of it, not even through assignee_id.
    ApiReply *other = finished(
            bystander.api().send("GET", u"/api/v1/tasks?assignee_id=%1"_s.arg(assignee.id())));
    QCOMPARE(other->status(), 200);
    QVERIFY(idsOf(other->json()).isEmpty());
    QCOMPARE(finished(bystander.api().task(shared))->status(), 404);
}

void TestTaskSharing::sharingAgainChangesThePermission()
{
    const qint64 id = createTaskId(m_owner.api(), u"Permission changes"_s);
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);
    ApiReply *refused = patchTask(m_viewer.api(), id, { { u"title"_s, u"Viewer's title"_s } });
    QCOMPARE(refused->status(), 403);

    ApiReply *raised = shareWith(m_owner.api(), id, m_viewer.id(), u"edit"_s);
    QCOMPARE(raised->status(), 200);
    QCOMPARE(raised->json().value(u"assignees"_s).toArray(),
             QJsonArray({ QJsonObject{ { u"user_id"_s, m_viewer.id() },
                                       { u"permission"_s, u"edit"_s } } }));
    QCOMPARE(shareRows(*m_server, id),
             (QList<QVariantList>{ { QVariant(m_viewer.id()), QVariant(u"edit"_s) } }));
    ApiReply *allowed = patchTask(m_viewer.api(), id, { { u"title"_s, u"Now an editor"_s } });
    QCOMPARE(allowed->status(), 200);

    // Sharing again with the same permission changes nothing, not even the version.
    const qint64 version = allowed->json().value(u"version"_s).toInteger();
    ApiReply *same = shareWith(m_owner.api(), id, m_viewer.id(), u"edit"_s);
    QCOMPARE(same->status(), 200);
    QCOMPARE(same->json().value(u"version"_s).toInteger(), version);

    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);
    ApiReply *lowered = patchTask(m_viewer.api(), id, { { u"title"_s, u"Not any more"_s } });
    QVERIFY2(isProblem(lowered, 403, u"forbidden"_s), lowered->body().constData());
    QCOMPARE(finished(m_owner.api().task(id))->json().value(u"title"_s).toString(),
             u"Now an editor"_s);
}

void TestTaskSharing::aViewerReadsButChangesNothing_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("changing the title") << QByteArray("PATCH") << u"/api/v1/tasks/{id}"_s
                                        << QByteArray(R"({"title":"Viewer was here"})");
    QTest::newRow("marking it done")
            << QByteArray("PATCH") << u"/api/v1/tasks/{id}"_s << QByteArray(R"({"status":"done"})");
    QTest::newRow("completing it")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/complete"_s << QByteArray();
    QTest::newRow("skipping an occurrence")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/skip"_s << QByteArray();
    QTest::newRow("trashing it") << QByteArray("DELETE") << u"/api/v1/tasks/{id}"_s << QByteArray();
    QTest::newRow("deleting it for good")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}?permanent=true"_s << QByteArray();
    QTest::newRow("restoring it") << QByteArray("POST") << u"/api/v1/tasks/{id}/restore"_s
                                  << QByteArray();
    QTest::newRow("sharing it with a stranger")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/assign"_s
            << QByteArray(R"({"user_id":{uid},"permission":"view"})");
    QTest::newRow("ending the editor's share")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}/assign/EDITOR"_s << QByteArray();
}

void TestTaskSharing::aViewerReadsButChangesNothing()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    path.replace(u"EDITOR"_s, QString::number(m_editor.id()));
    const qint64 id = createTaskId(m_owner.api(), u"Look, don't touch"_s);
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);
    QCOMPARE(shareWith(m_owner.api(), id, m_editor.id(), u"edit"_s)->status(), 200);
    ApiReply *before = finished(m_owner.api().task(id));
    const qint64 historyBefore = historyCount(*m_server, id);

    // The viewer reads the task and its history.
    ApiReply *read = finished(m_viewer.api().task(id));
    QCOMPARE(read->status(), 200);
    QCOMPARE(read->json(), before->json());
    QCOMPARE(finished(m_viewer.api().taskHistory(id))->status(), 200);

    // They can see it, so a change is forbidden rather than not found.
    ApiReply *refused
            = callRoute(m_viewer.api(), method, path, body, QString::number(id), m_stranger.id());
    QVERIFY2(isProblem(refused, 403, u"forbidden"_s), refused->body().constData());

    ApiReply *after = finished(m_owner.api().task(id));
    QCOMPARE(after->status(), 200);
    QCOMPARE(after->json(), before->json());
    QCOMPARE(historyCount(*m_server, id), historyBefore);
    QCOMPARE(shareRows(*m_server, id).size(), 2);
    QCOMPARE(finished(m_stranger.api().task(id))->status(), 404);
}

void TestTaskSharing::anEditorNeitherDeletesNorShares_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("trashing it") << QByteArray("DELETE") << u"/api/v1/tasks/{id}"_s << QByteArray();
    QTest::newRow("deleting it for good")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}?permanent=true"_s << QByteArray();
    QTest::newRow("restoring it") << QByteArray("POST") << u"/api/v1/tasks/{id}/restore"_s
                                  << QByteArray();
    QTest::newRow("sharing it with a stranger")
            << QByteArray("POST") << u"/api/v1/tasks/{id}/assign"_s
            << QByteArray(R"({"user_id":{uid},"permission":"view"})");
    QTest::newRow("ending the viewer's share")
            << QByteArray("DELETE") << u"/api/v1/tasks/{id}/assign/VIEWER"_s << QByteArray();
}

void TestTaskSharing::anEditorNeitherDeletesNorShares()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    path.replace(u"VIEWER"_s, QString::number(m_viewer.id()));
    const qint64 id = createTaskId(m_owner.api(), u"Edit, don't delete"_s);
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_editor.id(), u"edit"_s)->status(), 200);
    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);
    ApiReply *before = finished(m_owner.api().task(id));

    ApiReply *refused
            = callRoute(m_editor.api(), method, path, body, QString::number(id), m_stranger.id());
    QVERIFY2(isProblem(refused, 403, u"forbidden"_s), refused->body().constData());
    QCOMPARE(finished(m_owner.api().task(id))->json(), before->json());
    QCOMPARE(shareRows(*m_server, id).size(), 2);
}

void TestTaskSharing::anEditorChangesAndCompletes()
{
    const qint64 id = createTaskId(m_owner.api(), u"Editable"_s);
    const qint64 second = createTaskId(m_owner.api(), u"Editable too"_s);
    QVERIFY(id > 0 && second > 0);
    for (qint64 task : { id, second })
        QCOMPARE(shareWith(m_owner.api(), task, m_editor.id(), u"edit"_s)->status(), 200);

    ApiReply *patch = patchTask(m_editor.api(), id,
                                { { u"title"_s, u"Edited by the editor"_s },
                                  { u"priority"_s, u"high"_s },
                                  { u"tags"_s, QJsonArray{ u"shared"_s } } });
    QCOMPARE(patch->status(), 200);
    QCOMPARE(patch->json().value(u"title"_s).toString(), u"Edited by the editor"_s);
    QCOMPARE(patch->json().value(u"owner_id"_s).toInteger(), m_owner.id());
    ApiReply *done = patchTask(m_editor.api(), id, { { u"status"_s, u"done"_s } });
    QCOMPARE(done->status(), 200);
    QCOMPARE(done->json().value(u"status"_s).toString(), u"done"_s);
    ApiReply *complete = finished(m_editor.api().completeTask(second));
    QCOMPARE(complete->status(), 200);
    QCOMPARE(complete->json().value(u"status"_s).toString(), u"done"_s);

    // The owner sees the changes, made by the editor.
    const QJsonObject seen = finished(m_owner.api().task(id))->json();
    QCOMPARE(seen.value(u"title"_s).toString(), u"Edited by the editor"_s);
    QCOMPARE(seen.value(u"priority"_s).toString(), u"high"_s);
    QCOMPARE(seen.value(u"status"_s).toString(), u"done"_s);
    const auto actors = m_server->querySql(
            u"SELECT actor_id, action FROM task_history WHERE task_id = %1 ORDER BY id"_s.arg(id));
    QCOMPARE(actors.size(), 4); // created, shared, and the editor's two changes
    QCOMPARE(actors.at(2).at(0).toLongLong(), m_editor.id());
    QCOMPARE(actors.at(3).at(0).toLongLong(), m_editor.id());
}

void TestTaskSharing::endingAShare_data()
{
    QTest::addColumn<QString>("actor"); // owner, editor or viewer
    QTest::addColumn<QString>("ended"); // whose share: editor or viewer
    QTest::addColumn<int>("status");
    QTest::newRow("the owner ends an editor's share") << u"owner"_s << u"editor"_s << 204;
    QTest::newRow("the owner ends a viewer's share") << u"owner"_s << u"viewer"_s << 204;
    QTest::newRow("an editor leaves") << u"editor"_s << u"editor"_s << 204;
    QTest::newRow("a viewer leaves") << u"viewer"_s << u"viewer"_s << 204;
    QTest::newRow("an editor may not end a viewer's share") << u"editor"_s << u"viewer"_s << 403;
    QTest::newRow("a viewer may not end an editor's share") << u"viewer"_s << u"editor"_s << 403;
}

void TestTaskSharing::endingAShare()
{
    QFETCH(QString, actor);
    QFETCH(QString, ended);
    QFETCH(int, status);
    const auto account = [this](const QString &name) -> Account & {
        return name == u"owner" ? m_owner : name == u"editor" ? m_editor : m_viewer;
    };
    const qint64 id = createTaskId(m_owner.api(), u"Shared for a while"_s);
    QVERIFY(id > 0);
    QCOMPARE(shareWith(m_owner.api(), id, m_editor.id(), u"edit"_s)->status(), 200);
    QCOMPARE(shareWith(m_owner.api(), id, m_viewer.id(), u"view"_s)->status(), 200);

    Account &former = account(ended);
    ApiReply *reply = finished(account(actor).api().unshareTask(id, former.id()));
    QCOMPARE(reply->status(), status);
    if (status != 204) {
        QVERIFY2(isProblem(reply, 403, u"forbidden"_s), reply->body().constData());
        QCOMPARE(shareRows(*m_server, id).size(), 2);
        QCOMPARE(finished(former.api().task(id))->status(), 200);
        return;
    }
    QVERIFY(reply->body().isEmpty());
    QCOMPARE(shareRows(*m_server, id).size(), 1);
    const QJsonObject task = finished(m_owner.api().task(id))->json();
    QCOMPARE(task.value(u"assignees"_s).toArray().size(), 1);
    QVERIFY(task.value(u"assignees"_s).toArray().at(0).toObject().value(u"user_id"_s).toInteger()
            != former.id());
    // For the former assignee the task no longer exists, anywhere.
    QVERIFY(isProblem(finished(former.api().task(id)), 404, u"not-found"_s));
    QVERIFY(isProblem(patchTask(former.api(), id, { { u"title"_s, u"x"_s } }), 404,
                      u"not-found"_s));
    QVERIFY(isProblem(finished(former.api().unshareTask(id, former.id())), 404, u"not-found"_s));
    ApiReply *listing = finished(former.api().send("GET", u"/api/v1/tasks?limit=100"_s));
    QVERIFY(!idsOf(listing->json()).contains(id));
}

void TestTaskSharing::endingAShareThatDoesNotExistIsNotFound()
{
    const qint64 id = createTaskId(m_owner.api(), u"Never shared"_s);
    QVERIFY(id > 0);
    ApiReply *reply = finished(m_owner.api().unshareTask(id, m_stranger.id()));
    QVERIFY2(isProblem(reply, 404, u"not-found"_s), reply->body().constData());
    ApiReply *junk = finished(m_owner.api().send("DELETE", taskPath(id, u"/assign/abc"_s)));
    QVERIFY2(isProblem(junk, 404, u"not-found"_s), junk->body().constData());
    QCOMPARE(finished(m_owner.api().task(id))->json().value(u"version"_s).toInteger(), 1);
}

void TestTaskSharing::anotherUsersCategoryIsNotFound_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("renaming it") << QByteArray("PATCH") << QByteArray(R"({"name":"Taken over"})");
    QTest::newRow("recolouring it") << QByteArray("PATCH") << QByteArray(R"({"color":"#000000"})");
    QTest::newRow("deleting it") << QByteArray("DELETE") << QByteArray();
}

void TestTaskSharing::anotherUsersCategoryIsNotFound()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    const QString name = u"Private %1"_s.arg(QString::fromUtf8(QTest::currentDataTag()));
    const qint64 category = createCategory(m_owner, name);
    QVERIFY(category > 0);
    const RawHeaders headers
            = body.isEmpty() ? RawHeaders() : RawHeaders{ { "Content-Type", "application/json" } };
    ApiReply *reply = finished(
            m_stranger.api().send(method, u"/api/v1/categories/%1"_s.arg(category), body, headers));
    QVERIFY2(isProblem(reply, 404, u"not-found"_s), reply->body().constData());
    QVERIFY(!reply->body().contains(name.toUtf8()));
    const auto rows = m_server->querySql(
            u"SELECT name, color FROM categories WHERE id = %1"_s.arg(category));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).at(0).toString(), name);
    QVERIFY(rows.at(0).at(1).isNull());
}

void TestTaskSharing::anotherUsersCategoryCannotLabelATask_data()
{
    QTest::addColumn<bool>("creating");
    QTest::newRow("a new task in another user's category") << true;
    QTest::newRow("a task moved into another user's category") << false;
}

void TestTaskSharing::anotherUsersCategoryCannotLabelATask()
{
    QFETCH(bool, creating);
    const qint64 foreign = createCategory(m_stranger, u"Stranger's %1"_s.arg(creating));
    QVERIFY(foreign > 0);
    ApiReply *reply = nullptr;
    qint64 id = 0;
    if (creating) {
        reply = finished(m_owner.api().sendJson(
                "POST", u"/api/v1/tasks"_s,
                { { u"title"_s, u"Misfiled"_s }, { u"category_id"_s, foreign } }));
    } else {
        id = createTaskId(m_owner.api(), u"Misfiled later"_s);
        QVERIFY(id > 0);
        reply = patchTask(m_owner.api(), id, { { u"category_id"_s, foreign } });
    }
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, u"category_id"_s, u"not_found"_s), reply->body().constData());
    if (id) {
        QVERIFY(finished(m_owner.api().task(id))->json().value(u"category_id"_s).isNull());
    }
    QCOMPARE(m_server->querySql(u"SELECT COUNT(*) FROM tasks WHERE category_id = %1"_s.arg(foreign))
                     .value(0)
                     .value(0)
                     .toInt(),
             0);
}

void TestTaskSharing::categoriesAreEachUsersOwn()
{
    Account first = signUp(u"cats"_s);
    Account second = signUp(u"cats"_s);
    const qint64 mine = createCategory(first, u"Work"_s);
    const qint64 theirs = createCategory(second, u"Work"_s); // the same name is no conflict
    QVERIFY(mine > 0 && theirs > 0 && mine != theirs);
    QVERIFY(createCategory(first, u"Home"_s) > 0);

    ApiReply *list = finished(first.api().categories());
    QCOMPARE(list->status(), 200);
    const QJsonArray items = list->json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 2);
    for (const QJsonValue &item : items)
        QCOMPARE(item.toObject().value(u"owner_id"_s).toInteger(), first.id());
    QCOMPARE(items.at(0).toObject().value(u"name"_s).toString(), u"Home"_s);
    QCOMPARE(items.at(1).toObject().value(u"id"_s).toInteger(), mine);

    ApiReply *other = finished(second.api().categories());
    QCOMPARE(other->json().value(u"items"_s).toArray().size(), 1);

    // Each labels their own tasks with their own category.
    const QJsonObject task
            = createTask(first.api(), { { u"title"_s, u"Filed"_s }, { u"category_id"_s, mine } });
    QCOMPARE(task.value(u"category_id"_s).toInteger(), mine);
    ApiReply *filtered
            = finished(first.api().send("GET", u"/api/v1/tasks?category_id=%1"_s.arg(mine)));
    QCOMPARE(idsOf(filtered->json()), QList<qint64>{ task.value(u"id"_s).toInteger() });
    ApiReply *foreignFilter
            = finished(second.api().send("GET", u"/api/v1/tasks?category_id=%1"_s.arg(mine)));
    QCOMPARE(foreignFilter->status(), 200);
    QVERIFY(idsOf(foreignFilter->json()).isEmpty());
}

void TestTaskSharing::duplicateCategoryNamesConflict_data()
{
    QTest::addColumn<QString>("existing");
    QTest::addColumn<QString>("duplicate");
    QTest::newRow("the same name") << u"Errands"_s << u"Errands"_s;
    QTest::newRow("the name in capitals") << u"Errands"_s << u"ERRANDS"_s;
    QTest::newRow("the name in other case, with spaces around it")
            << u"Errands"_s << u"  errands "_s;
    QTest::newRow("a non-ASCII name in other case") << u"Écoles"_s << u"écoles"_s;
}

void TestTaskSharing::duplicateCategoryNamesConflict()
{
    QFETCH(QString, existing);
    QFETCH(QString, duplicate);
    Account account = signUp(u"dupes"_s);
    const qint64 first = createCategory(account, existing);
    QVERIFY(first > 0);
    ApiReply *created = finished(
            account.api().sendJson("POST", u"/api/v1/categories"_s, { { u"name"_s, duplicate } }));
    QVERIFY2(isProblem(created, 409, u"conflict"_s), created->body().constData());
    QVERIFY2(namesField(created, u"name"_s, u"taken"_s), created->body().constData());

    // Renaming another category to it conflicts too, and changes nothing.
    const qint64 second = createCategory(account, u"Something else"_s);
    QVERIFY(second > 0);
    ApiReply *renamed = finished(account.api().sendJson(
            "PATCH", u"/api/v1/categories/%1"_s.arg(second), { { u"name"_s, duplicate } }));
    QVERIFY2(isProblem(renamed, 409, u"conflict"_s), renamed->body().constData());
    QVERIFY2(namesField(renamed, u"name"_s, u"taken"_s), renamed->body().constData());

    const QJsonArray items
            = finished(account.api().categories())->json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 2);
    QStringList names;
    for (const QJsonValue &item : items)
        names.append(item.toObject().value(u"name"_s).toString());
    names.sort();
    QStringList expected{ existing, u"Something else"_s };
    expected.sort();
    QCOMPARE(names, expected);
    // A category may be renamed to its own name in another case.
    ApiReply *recased = finished(account.api().sendJson(
            "PATCH", u"/api/v1/categories/%1"_s.arg(first), { { u"name"_s, duplicate } }));
    QCOMPARE(recased->status(), 200);
    QCOMPARE(recased->json().value(u"name"_s).toString(), duplicate.trimmed());
}

void TestTaskSharing::deletingACategoryLeavesItsTasksUncategorised()
{
    Account account = signUp(u"uncat"_s);
    const qint64 doomed = createCategory(account, u"Doomed"_s);
    const qint64 kept = createCategory(account, u"Kept"_s);
    QVERIFY(doomed > 0 && kept > 0);
    const QJsonObject filed
            = createTask(account.api(),
                         { { u"title"_s, u"Filed under doomed"_s }, { u"category_id"_s, doomed } });
    const QJsonObject trashed = createTask(
            account.api(), { { u"title"_s, u"Trashed, doomed"_s }, { u"category_id"_s, doomed } });
    const QJsonObject other = createTask(
            account.api(), { { u"title"_s, u"Filed under kept"_s }, { u"category_id"_s, kept } });
    const qint64 filedId = filed.value(u"id"_s).toInteger();
    const qint64 trashedId = trashed.value(u"id"_s).toInteger();
    QVERIFY(filedId > 0 && trashedId > 0 && other.value(u"id"_s).toInteger() > 0);
    QCOMPARE(finished(account.api().trashTask(trashedId))->status(), 200);
    ApiReply *cached = finished(account.api().task(filedId));
    const QByteArray etag = cached->header("ETag");
    QVERIFY(!etag.isEmpty());

    // Another user cannot delete it; its owner can.
    QCOMPARE(finished(m_stranger.api().send("DELETE", u"/api/v1/categories/%1"_s.arg(doomed)))
                     ->status(),
             404);
    ApiReply *removed
            = finished(account.api().send("DELETE", u"/api/v1/categories/%1"_s.arg(doomed)));
    QCOMPARE(removed->status(), 204);

    // Its tasks, trashed or not, are uncategorised; the other category's are as they were.
    for (qint64 id : { filedId, trashedId }) {
        ApiReply *read = finished(account.api().task(id));
        QCOMPARE(read->status(), 200);
        QVERIFY(read->json().contains(u"category_id"_s));
        QVERIFY(read->json().value(u"category_id"_s).isNull());
    }
    const auto rows = m_server->querySql(
            u"SELECT COUNT(*) FROM tasks WHERE category_id IS NULL AND id IN (%1, %2)"_s
                    .arg(filedId)
                    .arg(trashedId));
    QCOMPARE(rows.value(0).value(0).toInt(), 2);
    QCOMPARE(finished(account.api().task(other.value(u"id"_s).toInteger()))
                     ->json()
                     .value(u"category_id"_s)
                     .toInteger(),
             kept);
    // What a client cached of the task is stale now: a conditional read must not say 304.
    ApiReply *revalidated = finished(
            account.api().send("GET", taskPath(filedId), {}, { { "If-None-Match", etag } }));
    QCOMPARE(revalidated->status(), 200);
    QVERIFY(revalidated->json().value(u"category_id"_s).isNull());
    QVERIFY(revalidated->header("ETag") != etag);
    QCOMPARE(revalidated->json().value(u"version"_s).toInteger(),
             filed.value(u"version"_s).toInteger() + 1);
    // The task's history says what changed, and who did it.
    const QJsonArray history
            = finished(account.api().taskHistory(filedId))->json().value(u"items"_s).toArray();
    const QJsonObject last = history.last().toObject();
    QCOMPARE(last.value(u"action"_s).toString(), u"updated"_s);
    QCOMPARE(last.value(u"actor_id"_s).toInteger(), account.id());
    QCOMPARE(last.value(u"changes"_s).toArray(),
             QJsonArray({ QJsonObject{ { u"field"_s, u"category_id"_s },
                                       { u"old"_s, doomed },
                                       { u"new"_s, QJsonValue(QJsonValue::Null) } } }));

    ApiReply *list = finished(account.api().categories());
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 1);
    ApiReply *again
            = finished(account.api().send("DELETE", u"/api/v1/categories/%1"_s.arg(doomed)));
    QCOMPARE(again->status(), 404);
}

QTEST_GUILESS_MAIN(TestTaskSharing)
#include "tst_tasksharing.moc"
