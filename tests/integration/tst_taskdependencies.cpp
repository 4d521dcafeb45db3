// Tasks that wait for others: blocked_by names tasks the caller can see, never closes a cycle,
// and keeps a task from being done while a blocker is open; ready=true lists what can be
// started.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {

// "Task i is blocked by task j" pairs, by position.
using Edges = QList<QPair<int, int>>;

QJsonArray idArray(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return array;
}

QList<qint64> blockersOf(const QJsonObject &task)
{
    QList<qint64> ids;
    const QJsonArray array = task.value(u"blocked_by"_s).toArray();
    for (const QJsonValue &value : array)
        ids.append(value.toInteger());
    return ids;
}

} // namespace

class TestTaskDependencies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void blockersMustBeTasksTheCallerCanSee_data();
    void blockersMustBeTasksTheCallerCanSee();
    void aTaskSharedWithTheCallerMayBlock();
    void cyclesAreRefused_data();
    void cyclesAreRefused();
    void concurrentChangesCannotCloseACycleTogether();
    void aTaskWithAnOpenBlockerCannotBeDone_data();
    void aTaskWithAnOpenBlockerCannotBeDone();
    void aNewTaskCannotStartDoneBehindAnOpenBlocker();
    void readyListsOpenTasksWithoutOpenBlockers();
    void blockedByIsClearedWithNull_data();
    void blockedByIsClearedWithNull();
    void purgingABlockerChangesWhatItBlocked();

private:
    QList<QVariantList> dependencyRows(qint64 taskId);

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<ApiClient> m_otherClient;
    SignedInUser m_user;
    SignedInUser m_other;
};

void TestTaskDependencies::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    m_client = std::make_unique<ApiClient>(m_server->url());
    m_otherClient = std::make_unique<ApiClient>(m_server->url());
    m_user = signUpAndLogIn(*m_client, u"planner"_s);
    m_other = signUpAndLogIn(*m_otherClient, u"other"_s);
    QVERIFY(m_user.id > 0 && m_other.id > 0);
    QVERIFY(verifyAddress(*m_otherClient, m_other.email, outboxOf(*m_server))); // shares
}

void TestTaskDependencies::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

QList<QVariantList> TestTaskDependencies::dependencyRows(qint64 taskId)
{
    return m_server->querySql(u"SELECT blocker_id FROM task_dependencies WHERE task_id = %1 "
                              "ORDER BY blocker_id"_s.arg(taskId));
}

void TestTaskDependencies::blockersMustBeTasksTheCallerCanSee_data()
{
    QTest::addColumn<bool>("creating");
    QTest::addColumn<QString>("foreign"); // "other": another user's task; "missing": no task
    QTest::newRow("a new task blocked by another user's task") << true << u"other"_s;
    QTest::newRow("a task changed to be blocked by another user's task") << false << u"other"_s;
    QTest::newRow("a new task blocked by a task that does not exist") << true << u"missing"_s;
    QTest::newRow("a task changed to be blocked by a task that does not exist")
            << false << u"missing"_s;
}

void TestTaskDependencies::blockersMustBeTasksTheCallerCanSee()
{
    QFETCH(bool, creating);
    QFETCH(QString, foreign);
    const qint64 own = createTaskId(*m_client, u"Own blocker"_s);
    const qint64 theirs = createTaskId(*m_otherClient, u"Someone else's"_s);
    QVERIFY(own > 0 && theirs > 0);
    const qint64 unseen = foreign == u"other" ? theirs : 999'999'999;
    const QJsonArray blockers = idArray({ own, unseen });
    ApiReply *reply = nullptr;
    qint64 id = 0;
    if (creating) {
        reply = finished(m_client->sendJson("POST", u"/api/v1/tasks"_s,
                                            { { u"title"_s, u"Waits for what it cannot see"_s },
                                              { u"blocked_by"_s, blockers } }));
    } else {
        id = createTaskId(*m_client, u"Will wait"_s);
        QVERIFY(id > 0);
        reply = patchTask(*m_client, id, { { u"blocked_by"_s, blockers } });
    }
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    // The position of the bad id is named, and the good one is not.
    QVERIFY2(namesField(reply, u"blocked_by[1]"_s, u"not_found"_s), reply->body().constData());
    QVERIFY2(!namesField(reply, u"blocked_by[0]"_s), reply->body().constData());
    // It reads the same for another user's task and for no task: nothing of it is revealed.
    QVERIFY(!reply->body().contains("Someone else"));
    if (id)
        QVERIFY(dependencyRows(id).isEmpty());
    QCOMPARE(m_server->querySql(
                             u"SELECT COUNT(*) FROM task_dependencies WHERE blocker_id = %1"_s.arg(
                                     theirs))
                     .value(0)
                     .value(0)
                     .toInt(),
             0);
}

void TestTaskDependencies::aTaskSharedWithTheCallerMayBlock()
{
    const qint64 theirs = createTaskId(*m_otherClient, u"Shared blocker"_s);
    QVERIFY(theirs > 0);
    ApiReply *share = finished(m_otherClient->sendJson(
            "POST", u"/api/v1/tasks/%1/assign"_s.arg(theirs),
            { { u"user_id"_s, m_user.id }, { u"permission"_s, u"view"_s } }));
    QCOMPARE(share->status(), 200);
    const QJsonObject waiting = createTask(*m_client,
                                           { { u"title"_s, u"Waits for a shared task"_s },
                                             { u"blocked_by"_s, idArray({ theirs }) } });
    QCOMPARE(blockersOf(waiting), QList<qint64>{ theirs });
    const qint64 id = waiting.value(u"id"_s).toInteger();
    ApiReply *done = patchTask(*m_client, id, { { u"status"_s, u"done"_s } });
    QVERIFY2(isProblem(done, 409, u"conflict"_s), done->body().constData());
    // Its owner finishes it: now the waiting task can be done.
    QCOMPARE(finished(m_otherClient->completeTask(theirs))->status(), 200);
    QCOMPARE(patchTask(*m_client, id, { { u"status"_s, u"done"_s } })->status(), 200);
}

void TestTaskDependencies::cyclesAreRefused_data()
{
    // Tasks 0..n-1; `existing` edges are set up first as "task blocked by task" pairs, then
    // task `changed` is made to be blocked by the tasks in `blockers`, which closes `cycle`.
    QTest::addColumn<int>("count");
    QTest::addColumn<Edges>("existing");
    QTest::addColumn<int>("changed");
    QTest::addColumn<QList<int>>("blockers");
    QTest::addColumn<QList<int>>("cycle");
    QTest::newRow("a task blocked by itself")
            << 1 << Edges{} << 0 << QList<int>{ 0 } << QList<int>{ 0, 0 };
    QTest::newRow("a task blocked by itself among other blockers")
            << 2 << Edges{} << 0 << QList<int>{ 1, 0 } << QList<int>{ 0, 0 };
    QTest::newRow("two tasks blocking each other")
            << 2 << Edges{ { 0, 1 } } << 1 << QList<int>{ 0 } << QList<int>{ 1, 0, 1 };
    QTest::newRow("three tasks in a ring")
            << 3 << Edges{ { 0, 1 }, { 1, 2 } } << 2 << QList<int>{ 0 } << QList<int>{ 2, 0, 1, 2 };
    QTest::newRow("three tasks in a ring, closed by the second of two new blockers")
            << 4 << Edges{ { 0, 1 }, { 1, 2 } } << 2 << QList<int>{ 3, 0 }
            << QList<int>{ 2, 0, 1, 2 };
}

void TestTaskDependencies::cyclesAreRefused()
{
    QFETCH(int, count);
    QFETCH(Edges, existing);
    QFETCH(int, changed);
    QFETCH(QList<int>, blockers);
    QFETCH(QList<int>, cycle);
    QList<qint64> ids;
    for (int i = 0; i < count; ++i) {
        ids.append(createTaskId(*m_client, u"Link %1"_s.arg(i)));
        QVERIFY(ids.last() > 0);
    }
    for (const auto &[task, blocker] : existing)
        QCOMPARE(patchTask(*m_client, ids.at(task),
                           { { u"blocked_by"_s, idArray({ ids.at(blocker) }) } })
                         ->status(),
                 200);
    const auto before = dependencyRows(ids.at(changed));
    const qint64 version
            = finished(m_client->task(ids.at(changed)))->json().value(u"version"_s).toInteger();

    QList<qint64> wanted;
    for (int index : blockers)
        wanted.append(ids.at(index));
    ApiReply *reply
            = patchTask(*m_client, ids.at(changed), { { u"blocked_by"_s, idArray(wanted) } });
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, u"blocked_by"_s, u"cycle"_s), reply->body().constData());
    QStringList chain;
    for (int index : cycle)
        chain.append(QString::number(ids.at(index)));
    const QString named = chain.join(u" -> "_s);
    QVERIFY2(errorMessages(reply).contains(named),
             qPrintable(u"expected the cycle %1 in: %2"_s.arg(named, errorMessages(reply))));

    QCOMPARE(dependencyRows(ids.at(changed)), before);
    QCOMPARE(finished(m_client->task(ids.at(changed)))->json().value(u"version"_s).toInteger(),
             version);
}

void TestTaskDependencies::concurrentChangesCannotCloseACycleTogether()
{
    // Each change alone is fine; both together would make a cycle. At most one may succeed,
    // whichever order the server takes them in.
    for (int round = 0; round < 5; ++round) {
        const qint64 a = createTaskId(*m_client, u"Race A"_s);
        const qint64 b = createTaskId(*m_client, u"Race B"_s);
        QVERIFY(a > 0 && b > 0);
        ApiClient second(m_server->url());
        second.setAccessToken(m_user.accessToken);
        ApiReply *first = m_client->sendJson("PATCH", u"/api/v1/tasks/%1"_s.arg(a),
                                             { { u"blocked_by"_s, idArray({ b }) } });
        ApiReply *other = second.sendJson("PATCH", u"/api/v1/tasks/%1"_s.arg(b),
                                          { { u"blocked_by"_s, idArray({ a }) } });
        QVERIFY(waitFor(first) && waitFor(other));
        const int succeeded = (first->status() == 200) + (other->status() == 200);
        QCOMPARE(succeeded, 1);
        for (ApiReply *reply : { first, other }) {
            if (reply->status() != 200)
                QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
        }
        const int edges
                = m_server->querySql(
                                  u"SELECT COUNT(*) FROM task_dependencies WHERE task_id IN (%1, %2)"_s
                                          .arg(a)
                                          .arg(b))
                          .value(0)
                          .value(0)
                          .toInt();
        QCOMPARE(edges, 1);
    }
}

void TestTaskDependencies::aTaskWithAnOpenBlockerCannotBeDone_data()
{
    QTest::addColumn<QString>("how"); // patch: status=done; complete: POST .../complete
    QTest::addColumn<QString>("release"); // how the open blocker stops being open
    QTest::newRow("marking it done, until the blocker is done") << u"patch"_s << u"done"_s;
    QTest::newRow("completing it, until the blocker is done") << u"complete"_s << u"done"_s;
    QTest::newRow("marking it done, until the blocker is trashed") << u"patch"_s << u"trash"_s;
    QTest::newRow("completing it, until the blocker is trashed") << u"complete"_s << u"trash"_s;
    QTest::newRow("completing it, until the blocker is deleted for good")
            << u"complete"_s << u"purge"_s;
}

void TestTaskDependencies::aTaskWithAnOpenBlockerCannotBeDone()
{
    QFETCH(QString, how);
    QFETCH(QString, release);
    const qint64 finishedBlocker
            = createTaskId(*m_client, u"Done already"_s, { { u"status"_s, u"done"_s } });
    const qint64 open = createTaskId(*m_client, u"Still open"_s);
    const qint64 alsoOpen
            = createTaskId(*m_client, u"In progress"_s, { { u"status"_s, u"in_progress"_s } });
    QVERIFY(finishedBlocker > 0 && open > 0 && alsoOpen > 0);
    const qint64 id
            = createTaskId(*m_client, u"Waiting"_s,
                           { { u"blocked_by"_s, idArray({ alsoOpen, finishedBlocker, open }) } });
    QVERIFY(id > 0);
    const auto finish = [&] {
        return how == u"patch" ? patchTask(*m_client, id, { { u"status"_s, u"done"_s } })
                               : finished(m_client->completeTask(id));
    };

    ApiReply *refused = finish();
    QVERIFY2(isProblem(refused, 409, u"conflict"_s), refused->body().constData());
    const auto problem = refused->problem();
    // Every open blocker is named, in the errors and in the message; the done one is not.
    QList<QString> named;
    for (const FieldError &error : problem->errors) {
        QCOMPARE(error.field, u"blocked_by"_s);
        QCOMPARE(error.code, u"open_blocker"_s);
        named.append(error.message);
    }
    QCOMPARE(named.size(), 2);
    for (qint64 blocker : { open, alsoOpen }) {
        QVERIFY2(std::any_of(named.cbegin(), named.cend(),
                             [blocker](const QString &message) {
                                 return message.contains(QString::number(blocker));
                             }),
                 refused->body().constData());
        QVERIFY(problem->detail.contains(QString::number(blocker)));
    }
    QVERIFY(!problem->detail.contains(QString::number(finishedBlocker)));
    const QJsonObject unchanged = finished(m_client->task(id))->json();
    QCOMPARE(unchanged.value(u"status"_s).toString(), u"todo"_s);
    QCOMPARE(unchanged.value(u"version"_s).toInteger(), 1);
    QVERIFY(unchanged.value(u"completed_at"_s).isNull());

    // One blocker finished: still refused, naming only the other.
    QCOMPARE(finished(m_client->completeTask(alsoOpen))->status(), 200);
    ApiReply *stillRefused = finish();
    QVERIFY2(isProblem(stillRefused, 409, u"conflict"_s), stillRefused->body().constData());
    QCOMPARE(stillRefused->problem()->errors.size(), 1);
    QVERIFY(stillRefused->problem()->errors.at(0).message.contains(QString::number(open)));

    if (release == u"done")
        QCOMPARE(patchTask(*m_client, open, { { u"status"_s, u"done"_s } })->status(), 200);
    else if (release == u"trash")
        QCOMPARE(finished(m_client->trashTask(open))->status(), 200);
    else
        QCOMPARE(finished(m_client->purgeTask(open))->status(), 204);
    ApiReply *done = finish();
    QCOMPARE(done->status(), 200);
    QCOMPARE(done->json().value(u"status"_s).toString(), u"done"_s);
    QVERIFY(!done->json().value(u"completed_at"_s).isNull());
    const auto row = m_server->querySql(
            u"SELECT status, completed_at IS NOT NULL FROM tasks WHERE id = %1"_s.arg(id));
    QCOMPARE(row.value(0).value(0).toString(), u"done"_s);
    QVERIFY(row.value(0).value(1).toBool());
}

void TestTaskDependencies::aNewTaskCannotStartDoneBehindAnOpenBlocker()
{
    const qint64 open = createTaskId(*m_client, u"Open blocker of a new task"_s);
    QVERIFY(open > 0);
    const QString title = u"Born done %1"_s.arg(open);
    ApiReply *reply = finished(m_client->sendJson("POST", u"/api/v1/tasks"_s,
                                                  { { u"title"_s, title },
                                                    { u"status"_s, u"done"_s },
                                                    { u"blocked_by"_s, idArray({ open }) } }));
    QVERIFY2(isProblem(reply, 409, u"conflict"_s), reply->body().constData());
    QVERIFY(namesField(reply, u"blocked_by"_s, u"open_blocker"_s));
    QCOMPARE(m_server->querySql(u"SELECT COUNT(*) FROM tasks WHERE title = '%1'"_s.arg(title))
                     .value(0)
                     .value(0)
                     .toInt(),
             0);
}

void TestTaskDependencies::readyListsOpenTasksWithoutOpenBlockers()
{
    // A fresh user, so that the listings hold only these tasks.
    ApiClient client(m_server->url());
    QVERIFY(signUpAndLogIn(client, u"ready"_s).id > 0);
    const qint64 free = createTaskId(client, u"Free"_s);
    const qint64 blocker = createTaskId(client, u"Blocker, open"_s);
    const qint64 started
            = createTaskId(client, u"Started blocker"_s, { { u"status"_s, u"in_progress"_s } });
    const qint64 doneBlocker
            = createTaskId(client, u"Blocker, done"_s, { { u"status"_s, u"done"_s } });
    const qint64 trashedBlocker = createTaskId(client, u"Blocker, trashed"_s);
    const qint64 blocked
            = createTaskId(client, u"Blocked"_s, { { u"blocked_by"_s, idArray({ blocker }) } });
    const qint64 blockedByStarted = createTaskId(
            client, u"Blocked by a started one"_s,
            { { u"status"_s, u"in_progress"_s }, { u"blocked_by"_s, idArray({ started }) } });
    const qint64 partly = createTaskId(client, u"Blocked by one of two"_s,
                                       { { u"blocked_by"_s, idArray({ doneBlocker, blocker }) } });
    const qint64 afterDone = createTaskId(client, u"After a done one"_s,
                                          { { u"blocked_by"_s, idArray({ doneBlocker }) } });
    const qint64 afterTrashed = createTaskId(client, u"After a trashed one"_s,
                                             { { u"blocked_by"_s, idArray({ trashedBlocker }) } });
    const qint64 doneItself
            = createTaskId(client, u"Done, nothing blocks it"_s, { { u"status"_s, u"done"_s } });
    for (qint64 id : { free, blocker, started, doneBlocker, trashedBlocker, blocked,
                       blockedByStarted, partly, afterDone, afterTrashed, doneItself })
        QVERIFY(id > 0);
    QCOMPARE(finished(client.trashTask(trashedBlocker))->status(), 200);

    const auto list = [&client](const QString &query) {
        ApiReply *reply = finished(client.send("GET", u"/api/v1/tasks?"_s + query));
        if (reply->status() != 200)
            qWarning("%s: %d %s", qPrintable(query), reply->status(), reply->body().constData());
        return idsOf(reply->json());
    };
    QCOMPARE(list(u"ready=true"_s),
             (QList<qint64>{ free, blocker, started, afterDone, afterTrashed }));
    QCOMPARE(list(u"ready=false"_s), (QList<qint64>{ blocked, blockedByStarted, partly }));
    QCOMPARE(list(u"ready=true&status=in_progress"_s), QList<qint64>{ started });
    QCOMPARE(list(u"ready=false&status=in_progress"_s), QList<qint64>{ blockedByStarted });
    QCOMPARE(list(u"ready=true&sort=-created"_s),
             (QList<qint64>{ afterTrashed, afterDone, started, blocker, free }));
    ApiReply *filter = finished(client.send("GET", u"/api/v1/tasks/filter?ready=1"_s));
    QCOMPARE(idsOf(filter->json()), list(u"ready=true"_s));
    ApiReply *total
            = finished(client.send("GET", u"/api/v1/tasks?ready=false&include_total=true"_s));
    QCOMPARE(total->json().value(u"total"_s).toInteger(), 3);

    // The blocker done: what waited for it alone is ready.
    QCOMPARE(finished(client.completeTask(blocker))->status(), 200);
    QCOMPARE(list(u"ready=true"_s),
             (QList<qint64>{ free, started, blocked, partly, afterDone, afterTrashed }));
    QCOMPARE(list(u"ready=false"_s), QList<qint64>{ blockedByStarted });
    ApiReply *bad = finished(client.send("GET", u"/api/v1/tasks?ready=maybe"_s));
    QVERIFY(isProblem(bad, 400, u"bad-request"_s));
    QVERIFY(namesField(bad, u"ready"_s));
}

void TestTaskDependencies::blockedByIsClearedWithNull_data()
{
    QTest::addColumn<QString>("clearing"); // the JSON of blocked_by that clears it
    QTest::newRow("cleared with null") << u"null"_s;
    QTest::newRow("cleared with an empty list") << u"[]"_s;
}

void TestTaskDependencies::blockedByIsClearedWithNull()
{
    QFETCH(QString, clearing);
    const qint64 first = createTaskId(*m_client, u"First blocker"_s);
    const qint64 second = createTaskId(*m_client, u"Second blocker"_s);
    QVERIFY(first > 0 && second > 0);
    const qint64 id = createTaskId(*m_client, u"Unblocked later"_s,
                                   { { u"blocked_by"_s, idArray({ second, first }) } });
    QVERIFY(id > 0);
    QCOMPARE(blockersOf(finished(m_client->task(id))->json()), (QList<qint64>{ first, second }));
    QCOMPARE(dependencyRows(id).size(), 2);

    ApiReply *cleared
            = finished(m_client->send("PATCH", u"/api/v1/tasks/%1"_s.arg(id),
                                      QString(u"{\"blocked_by\":"_s + clearing + u"}"_s).toUtf8(),
                                      { { "Content-Type", "application/json" } }));
    QCOMPARE(cleared->status(), 200);
    QVERIFY(cleared->json().value(u"blocked_by"_s).isArray());
    QVERIFY(blockersOf(cleared->json()).isEmpty());
    QVERIFY(dependencyRows(id).isEmpty());
    // The history says what went.
    ApiReply *history = finished(m_client->taskHistory(id));
    const QJsonArray records = history->json().value(u"items"_s).toArray();
    const QJsonObject last = records.last().toObject();
    QCOMPARE(last.value(u"action"_s).toString(), u"updated"_s);
    QCOMPARE(last.value(u"changes"_s).toArray().at(0).toObject().value(u"field"_s).toString(),
             u"blocked_by"_s);
    // Nothing blocks it now.
    ApiReply *done = finished(m_client->completeTask(id));
    QCOMPARE(done->status(), 200);
    QCOMPARE(done->json().value(u"status"_s).toString(), u"done"_s);
}

void TestTaskDependencies::purgingABlockerChangesWhatItBlocked()
{
    const qint64 blocker = createTaskId(*m_client, u"Purged blocker"_s);
    const qint64 other = createTaskId(*m_client, u"Remaining blocker"_s);
    QVERIFY(blocker > 0 && other > 0);
    const qint64 id = createTaskId(*m_client, u"Blocked by a purged task"_s,
                                   { { u"blocked_by"_s, idArray({ blocker, other }) } });
    QVERIFY(id > 0);
    ApiReply *before = finished(m_client->task(id));
    const QByteArray etag = before->header("ETag");
    QVERIFY(!etag.isEmpty());

    QCOMPARE(finished(m_client->purgeTask(blocker))->status(), 204);

    // blocked_by changed, so the task is at a new version: a cached copy is stale, not 304.
    ApiReply *after = finished(m_client->send("GET", u"/api/v1/tasks/%1"_s.arg(id), {},
                                              { { "If-None-Match", etag } }));
    QCOMPARE(after->status(), 200);
    QCOMPARE(blockersOf(after->json()), QList<qint64>{ other });
    QVERIFY(after->header("ETag") != etag);
    QCOMPARE(after->json().value(u"version"_s).toInteger(),
             before->json().value(u"version"_s).toInteger() + 1);
    const QJsonArray history
            = finished(m_client->taskHistory(id))->json().value(u"items"_s).toArray();
    const QJsonObject last = history.last().toObject();
    QCOMPARE(last.value(u"action"_s).toString(), u"updated"_s);
    QCOMPARE(last.value(u"changes"_s).toArray(),
             QJsonArray({ QJsonObject{ { u"field"_s, u"blocked_by"_s },
                                       { u"old"_s, idArray({ blocker, other }) },
                                       { u"new"_s, idArray({ other }) } } }));
}

QTEST_GUILESS_MAIN(TestTaskDependencies)
#include "tst_taskdependencies.moc"
