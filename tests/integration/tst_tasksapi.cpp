// Tasks themselves: what a task is, how it is validated, changed, versioned, retried, recorded
// in its history, trashed, restored and purged.
#include "accountfixtures.h"
#include "task.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
const RawHeaders JsonType{ { "Content-Type", "application/json" } };

ApiReply *postJson(ApiClient &client, const QString &path, const QByteArray &body,
                   RawHeaders headers = JsonType)
{
    return client.send("POST", path, body, headers);
}

QStringList fieldsOf(const ApiReply *reply)
{
    QStringList fields;
    const auto problem = reply->problem();
    if (problem) {
        for (const FieldError &error : problem->errors)
            fields.append(error.field);
    }
    return fields;
}

Task createTask(ApiClient &client, const QJsonObject &body)
{
    ApiReply *reply = postJson(client, u"/api/v1/tasks"_s, QJsonDocument(body).toJson(), JsonType);
    if (!waitFor(reply) || reply->status() != 201) {
        qWarning("create failed: %d %s", reply->status(), reply->body().constData());
        return {};
    }
    return Task::fromJson(reply->json()).value_or(Task());
}
} // namespace

class TestTasksApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void createRefusesInvalidFields_data();
    void createRefusesInvalidFields();
    void createAppliesDefaultsAndTrims();
    void createAcceptsEveryField();
    void createNeedsAJsonBodyAndAToken();
    void concurrentCreatesEachGetTheirOwnTask();
    void patchChangesOnlyTheNamedFields();
    void patchNullClearsAndDueKindsReplaceEachOther();
    void patchRefusesInvalidChanges_data();
    void patchRefusesInvalidChanges();
    void completedAtFollowsTheStatus();
    void everyWriteBumpsTheVersionAndETag();
    void ifMatchRefusesStaleWrites();
    void ifNoneMatchAnswersNotModified();
    void idempotencyKeyReplaysTheFirstAnswer();
    void idempotencyKeyWithAnotherBodyIsRefused();
    void idempotencyKeysBelongToOneUser();
    void idempotentReplaySurvivesARestart();
    void historyRecordsEveryChangeWithAFieldDiff();
    void historyPagesWithSignedCursors();
    void trashRestoreAndPurge();
    void timeZoneIsValidatedAndShown();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestTasksApi::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestTasksApi::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestTasksApi::createRefusesInvalidFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("fields");
    const QString longTitle(501, u'x');
    const QString longDescription(100'001, u'd');
    QJsonArray tooManyTags;
    for (int i = 0; i < 51; ++i)
        tooManyTags.append(u"t%1"_s.arg(i));
    QJsonArray tooManyReminders;
    for (int i = 0; i < 21; ++i)
        tooManyReminders.append(QJsonObject{ { u"before_minutes"_s, i } });
    const auto json = [](const QJsonObject &object) {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    };
    QTest::newRow("a missing title")
            << json({ { u"description"_s, u"x"_s } }) << QStringList{ u"title"_s };
    QTest::newRow("a title of spaces")
            << json({ { u"title"_s, u"   "_s } }) << QStringList{ u"title"_s };
    QTest::newRow("a title of 501 characters")
            << json({ { u"title"_s, longTitle } }) << QStringList{ u"title"_s };
    QTest::newRow("a title that is a number")
            << json({ { u"title"_s, 5 } }) << QStringList{ u"title"_s };
    QTest::newRow("a description of 100,001 characters")
            << json({ { u"title"_s, u"t"_s }, { u"description"_s, longDescription } })
            << QStringList{ u"description"_s };
    QTest::newRow("an unknown status and priority") << json({ { u"title"_s, u"t"_s },
                                                              { u"status"_s, u"finished"_s },
                                                              { u"priority"_s, u"urgent"_s } })
                                                    << QStringList{ u"priority"_s, u"status"_s };
    QTest::newRow("51 tags") << json({ { u"title"_s, u"t"_s }, { u"tags"_s, tooManyTags } })
                             << QStringList{ u"tags"_s };
    QTest::newRow("tags that differ only in case")
            << json({ { u"title"_s, u"t"_s }, { u"tags"_s, QJsonArray{ u"Work"_s, u"work"_s } } })
            << QStringList{ u"tags[1]"_s };
    QTest::newRow("an empty tag and one of 51 characters")
            << json({ { u"title"_s, u"t"_s },
                      { u"tags"_s, QJsonArray{ u""_s, QString(51, u'a') } } })
            << QStringList{ u"tags[0]"_s, u"tags[1]"_s };
    QTest::newRow("due_at without an offset")
            << json({ { u"title"_s, u"t"_s }, { u"due_at"_s, u"2027-03-15T09:00:00"_s } })
            << QStringList{ u"due_at"_s };
    QTest::newRow("due_at and due_date both") << json({ { u"title"_s, u"t"_s },
                                                        { u"due_at"_s, u"2027-03-15T09:00:00Z"_s },
                                                        { u"due_date"_s, u"2027-03-15"_s } })
                                              << QStringList{ u"due_date"_s };
    QTest::newRow("a due_date that is not a date")
            << json({ { u"title"_s, u"t"_s }, { u"due_date"_s, u"2027-02-30"_s } })
            << QStringList{ u"due_date"_s };
    QTest::newRow("21 reminders") << json({ { u"title"_s, u"t"_s },
                                            { u"due_at"_s, u"2027-03-15T09:00:00Z"_s },
                                            { u"reminders"_s, tooManyReminders } })
                                  << QStringList{ u"reminders"_s };
    QTest::newRow("a reminder with both at and before_minutes")
            << json({ { u"title"_s, u"t"_s },
                      { u"reminders"_s,
                        QJsonArray{ QJsonObject{ { u"at"_s, u"2027-03-15T09:00:00Z"_s },
                                                 { u"before_minutes"_s, 5 } } } } })
            << QStringList{ u"reminders[0]"_s };
    QTest::newRow("a negative before_minutes") << json(
            { { u"title"_s, u"t"_s },
              { u"due_at"_s, u"2027-03-15T09:00:00Z"_s },
              { u"reminders"_s, QJsonArray{ QJsonObject{ { u"before_minutes"_s, -5 } } } } })
                                               << QStringList{ u"reminders[0].before_minutes"_s };
    QTest::newRow("before_minutes without a due")
            << json({ { u"title"_s, u"t"_s },
                      { u"reminders"_s, QJsonArray{ QJsonObject{ { u"before_minutes"_s, 5 } } } } })
            << QStringList{ u"reminders"_s };
    QTest::newRow("an rrule without a due")
            << json({ { u"title"_s, u"t"_s }, { u"rrule"_s, u"FREQ=DAILY"_s } })
            << QStringList{ u"rrule"_s };
    QTest::newRow("a category id that is a string")
            << json({ { u"title"_s, u"t"_s }, { u"category_id"_s, u"3"_s } })
            << QStringList{ u"category_id"_s };
    QTest::newRow("a category that does not exist")
            << json({ { u"title"_s, u"t"_s }, { u"category_id"_s, 999999 } })
            << QStringList{ u"category_id"_s };
    QTest::newRow("a blocker id that is not a whole number")
            << json({ { u"title"_s, u"t"_s }, { u"blocked_by"_s, QJsonArray{ 1.5 } } })
            << QStringList{ u"blocked_by[0]"_s };
    QTest::newRow("read-only and unknown fields")
            << json({ { u"title"_s, u"t"_s },
                      { u"id"_s, 5 },
                      { u"version"_s, 9 },
                      { u"owner_id"_s, 1 },
                      { u"colour"_s, u"red"_s } })
            << QStringList{ u"id"_s, u"owner_id"_s, u"version"_s, u"colour"_s };
}

void TestTasksApi::createRefusesInvalidFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, fields);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *reply = postJson(client, u"/api/v1/tasks"_s, body);
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 422);
    QCOMPARE(reply->problem()->slug(), u"validation-failed"_s);
    QStringList found = fieldsOf(reply);
    found.sort();
    fields.sort();
    QCOMPARE(found, fields);
    // Nothing was written.
    ApiReply *list = client.listTasks();
    QVERIFY(waitFor(list));
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 0);
}

void TestTasksApi::createAppliesDefaultsAndTrims()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    ApiReply *reply = postJson(client, u"/api/v1/tasks"_s, R"({"title":"  Water the plants \t"})");
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->status(), 201);
    const auto task = Task::fromJson(reply->json());
    QVERIFY(task);
    QCOMPARE(task->title, u"Water the plants"_s);
    QCOMPARE(task->status, TaskStatus::Todo);
    QCOMPARE(task->priority, TaskPriority::Medium);
    QCOMPARE(task->ownerId, user.id);
    QCOMPARE(task->version, 1);
    QVERIFY(task->tags.isEmpty() && task->blockedBy.isEmpty() && task->assignees.isEmpty());
    QVERIFY(!task->dueAt.isValid() && !task->dueDate.isValid() && !task->completedAt.isValid());
    QCOMPARE(reply->header("Location"), "/api/v1/tasks/" + QByteArray::number(task->id));
    QCOMPARE(reply->header("ETag"), "\"1\"");
    const QJsonObject json = reply->json();
    for (const char *key : { "category_id", "due_at", "due_date", "rrule", "completed_at" })
        QVERIFY2(json.value(QLatin1StringView(key)).isNull(), key);
    // Acknowledged means committed: the row is there.
    const auto rows = m_server->querySql(u"SELECT title FROM tasks WHERE id = %1"_s.arg(task->id));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().first().toString(), u"Water the plants"_s);
}

void TestTasksApi::createAcceptsEveryField()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *category = client.createCategory({ u"Home"_s, std::optional<QString>(u"#FFAA00"_s) });
    QVERIFY(waitFor(category));
    QCOMPARE(category->status(), 201);
    const qint64 categoryId = category->json().value(u"id"_s).toInteger();
    QCOMPARE(category->json().value(u"color"_s).toString(), u"#ffaa00"_s);
    const Task blocker = createTask(client, { { u"title"_s, u"first"_s } });
    const QJsonObject body{
        { u"title"_s, u"Ünïcode ✓ 🚀"_s },
        { u"description"_s, u"line one\nline two\ttabbed"_s },
        { u"status"_s, u"in_progress"_s },
        { u"priority"_s, u"low"_s },
        { u"category_id"_s, categoryId },
        { u"tags"_s, QJsonArray{ u"Work"_s, u" errand "_s } },
        { u"due_at"_s, u"2027-03-15T09:00:00.123456+01:00"_s },
        { u"reminders"_s,
          QJsonArray{ QJsonObject{ { u"before_minutes"_s, 30 } },
                      QJsonObject{ { u"at"_s, u"2027-03-14T20:00:00Z"_s } } } },
        { u"blocked_by"_s, QJsonArray{ blocker.id } },
    };
    const Task task = createTask(client, body);
    QVERIFY(task.id > 0);
    QCOMPARE(task.title, u"Ünïcode ✓ 🚀"_s);
    QCOMPARE(task.description, u"line one\nline two\ttabbed"_s);
    QCOMPARE(task.status, TaskStatus::InProgress);
    QCOMPARE(task.priority, TaskPriority::Low);
    QCOMPARE(task.categoryId, categoryId);
    QCOMPARE(task.tags, (QStringList{ u"Work"_s, u"errand"_s }));
    // The instant in UTC, to the millisecond.
    QCOMPARE(toApiTimestamp(task.dueAt), u"2027-03-15T08:00:00.123Z"_s);
    QCOMPARE(task.reminders.size(), 2);
    QCOMPARE(task.reminders.at(0).beforeMinutes, 30);
    QCOMPARE(toApiTimestamp(task.reminders.at(1).at), u"2027-03-14T20:00:00.000Z"_s);
    QCOMPARE(task.blockedBy, QList<qint64>{ blocker.id });
    // What GET shows is what POST answered.
    ApiReply *get = client.task(task.id);
    QVERIFY(waitFor(get));
    QCOMPARE(Task::fromJson(get->json()).value(), task);
}

void TestTasksApi::createNeedsAJsonBodyAndAToken()
{
    ApiClient client(m_server->url());
    ApiReply *anonymous = postJson(client, u"/api/v1/tasks"_s, R"({"title":"x"})");
    QVERIFY(waitFor(anonymous));
    QCOMPARE(anonymous->status(), 401);
    signUpAndLogIn(client);
    ApiReply *form = client.send("POST", u"/api/v1/tasks"_s, "title=x",
                                 { { "Content-Type", "application/x-www-form-urlencoded" } });
    ApiReply *broken = postJson(client, u"/api/v1/tasks"_s, R"({"title":)");
    ApiReply *array = postJson(client, u"/api/v1/tasks"_s, R"(["title"])");
    QVERIFY(waitFor(form) && waitFor(broken) && waitFor(array));
    QCOMPARE(form->status(), 415);
    QCOMPARE(broken->status(), 400);
    QCOMPARE(array->status(), 400);
}

void TestTasksApi::concurrentCreatesEachGetTheirOwnTask()
{
    // Creates that arrive together commit together (on PostgreSQL with one statement for all):
    // each must still get its own task, with its own tags, owner and history record.
    constexpr int Users = 4;
    constexpr int TasksEach = 12;
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<qint64> userIds;
    for (int u = 0; u < Users; ++u) {
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        userIds.append(signUpAndLogIn(*clients.back(), u"together"_s).id);
    }
    struct Sent
    {
        int user;
        QString title;
        QStringList tags;
        ApiReply *reply;
    };
    std::vector<Sent> sent;
    for (int n = 0; n < TasksEach; ++n) {
        for (int u = 0; u < Users; ++u) {
            const QString title = u"user %1 task %2 «ü»"_s.arg(u).arg(n);
            const QStringList tags{ u"U%1"_s.arg(u), u"N%1"_s.arg(n) };
            const QJsonObject body{ { u"title"_s, title },
                                    { u"tags"_s, QJsonArray::fromStringList(tags) },
                                    { u"due_date"_s,
                                      u"2027-03-%1"_s.arg(n + 1, 2, 10, QChar(u'0')) } };
            sent.push_back({ u, title, tags,
                             clients[size_t(u)]->sendJson("POST", u"/api/v1/tasks"_s, body) });
        }
    }
    QSet<qint64> ids;
    for (const Sent &one : sent) {
        QVERIFY(waitFor(one.reply));
        QCOMPARE(one.reply->status(), 201);
        const auto task = Task::fromJson(one.reply->json());
        QVERIFY(task);
        QCOMPARE(task->title, one.title);
        QCOMPARE(task->tags, one.tags);
        QCOMPARE(task->ownerId, userIds[one.user]);
        QVERIFY(!ids.contains(task->id));
        ids.insert(task->id);

        ApiClient &client = *clients[size_t(one.user)];
        ApiReply *read = client.send("GET", u"/api/v1/tasks/%1"_s.arg(task->id));
        QVERIFY(waitFor(read));
        QCOMPARE(read->status(), 200);
        QCOMPARE(read->json(), one.reply->json());
        ApiReply *history = client.taskHistory(task->id);
        QVERIFY(waitFor(history));
        const QJsonArray records = history->json().value(u"items"_s).toArray();
        QCOMPARE(records.size(), 1);
        QVERIFY(records.at(0)
                        .toObject()
                        .value(u"changes"_s)
                        .toArray()
                        .contains(QJsonObject{ { u"field"_s, u"title"_s },
                                               { u"old"_s, QJsonValue::Null },
                                               { u"new"_s, one.title } }));
        const auto tagRows = m_server->querySql(
                u"SELECT tag_key FROM task_tags WHERE task_id = %1 ORDER BY tag_key"_s.arg(
                        task->id));
        QCOMPARE(tagRows.size(), 2);
        QCOMPARE(tagRows.at(0).first().toString(), one.tags.at(1).toLower()); // "n..." < "u..."
        QCOMPARE(tagRows.at(1).first().toString(), one.tags.at(0).toLower());
    }
    QCOMPARE(ids.size(), Users * TasksEach);
}

void TestTasksApi::patchChangesOnlyTheNamedFields()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client,
                                    { { u"title"_s, u"Report"_s },
                                      { u"description"_s, u"Quarterly"_s },
                                      { u"tags"_s, QJsonArray{ u"work"_s } },
                                      { u"priority"_s, u"high"_s } });
    ApiReply *patch = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(created.id),
                                  R"({"title":"Annual report"})", JsonType);
    QVERIFY(waitFor(patch));
    QCOMPARE(patch->status(), 200);
    const Task patched = Task::fromJson(patch->json()).value();
    Task expected = created;
    expected.title = u"Annual report"_s;
    expected.version = 2;
    expected.updatedAt = patched.updatedAt;
    QCOMPARE(patched, expected);
    QVERIFY(patched.updatedAt >= created.updatedAt);
    // Changing nothing is no write: the version stays.
    ApiReply *same = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(created.id),
                                 R"({"title":"Annual report"})", JsonType);
    QVERIFY(waitFor(same));
    QCOMPARE(same->json().value(u"version"_s).toInteger(), 2);
}

void TestTasksApi::patchNullClearsAndDueKindsReplaceEachOther()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client,
                                    { { u"title"_s, u"Dentist"_s },
                                      { u"description"_s, u"Bring the card"_s },
                                      { u"tags"_s, QJsonArray{ u"health"_s } },
                                      { u"due_date"_s, u"2027-05-04"_s } });
    const QString path = u"/api/v1/tasks/%1"_s.arg(created.id);
    ApiReply *toInstant
            = client.send("PATCH", path, R"({"due_at":"2027-05-04T07:30:00Z"})", JsonType);
    QVERIFY(waitFor(toInstant));
    QCOMPARE(toInstant->status(), 200);
    QCOMPARE(toInstant->json().value(u"due_at"_s).toString(), u"2027-05-04T07:30:00.000Z"_s);
    QVERIFY(toInstant->json().value(u"due_date"_s).isNull());
    ApiReply *toDate = client.send("PATCH", path, R"({"due_date":"2027-05-05"})", JsonType);
    QVERIFY(waitFor(toDate));
    QVERIFY(toDate->json().value(u"due_at"_s).isNull());
    QCOMPARE(toDate->json().value(u"due_date"_s).toString(), u"2027-05-05"_s);
    ApiReply *cleared = client.send(
            "PATCH", path, R"({"due_date":null,"description":null,"tags":null})", JsonType);
    QVERIFY(waitFor(cleared));
    QCOMPARE(cleared->status(), 200);
    const Task task = Task::fromJson(cleared->json()).value();
    QVERIFY(!task.dueAt.isValid() && !task.dueDate.isValid());
    QCOMPARE(task.description, QString());
    QVERIFY(task.tags.isEmpty());
    QCOMPARE(task.title, u"Dentist"_s);
}

void TestTasksApi::patchRefusesInvalidChanges_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("fields");
    QTest::newRow("an empty object") << QByteArray("{}") << 422 << QStringList{ QString() };
    QTest::newRow("a null title") << QByteArray(R"({"title":null})") << 422
                                  << QStringList{ u"title"_s };
    QTest::newRow("a null status")
            << QByteArray(R"({"status":null})") << 422 << QStringList{ u"status"_s };
    QTest::newRow("the version") << QByteArray(R"({"version":7})") << 422
                                 << QStringList{ u"version"_s };
    QTest::newRow("assignees") << QByteArray(R"({"assignees":[]})") << 422
                               << QStringList{ u"assignees"_s };
    QTest::newRow("a title with a control character")
            << QByteArray(R"({"title":"a\u0001b"})") << 422 << QStringList{ u"title"_s };
    QTest::newRow("an unknown field next to a good one")
            << QByteArray(R"({"title":"ok","done":true})") << 422 << QStringList{ u"done"_s };
}

void TestTasksApi::patchRefusesInvalidChanges()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QStringList, fields);
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client, { { u"title"_s, u"Keep me"_s } });
    ApiReply *patch = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(created.id), body, JsonType);
    QVERIFY(waitFor(patch));
    QCOMPARE(patch->status(), status);
    QCOMPARE(fieldsOf(patch), fields);
    ApiReply *get = client.task(created.id);
    QVERIFY(waitFor(get));
    QCOMPARE(Task::fromJson(get->json()).value(), created);
}

void TestTasksApi::completedAtFollowsTheStatus()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client, { { u"title"_s, u"Ship it"_s } });
    const QString path = u"/api/v1/tasks/%1"_s.arg(created.id);
    ApiReply *done = client.send("PATCH", path, R"({"status":"done"})", JsonType);
    QVERIFY(waitFor(done));
    const Task finished = Task::fromJson(done->json()).value();
    QCOMPARE(finished.status, TaskStatus::Done);
    QVERIFY(finished.completedAt.isValid());
    QVERIFY(qAbs(finished.completedAt.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    ApiReply *reopened = client.send("PATCH", path, R"({"status":"in_progress"})", JsonType);
    QVERIFY(waitFor(reopened));
    QVERIFY(reopened->json().value(u"completed_at"_s).isNull());
    ApiReply *completed = client.completeTask(created.id);
    QVERIFY(waitFor(completed));
    QCOMPARE(completed->status(), 200);
    QCOMPARE(completed->json().value(u"status"_s).toString(), u"done"_s);
    QVERIFY(!completed->json().value(u"completed_at"_s).isNull());
    // Skipping needs a recurring task.
    ApiReply *skip = client.skipTask(created.id);
    QVERIFY(waitFor(skip));
    QCOMPARE(skip->status(), 409);
}

void TestTasksApi::everyWriteBumpsTheVersionAndETag()
{
    ApiClient client(m_server->url());
    ApiClient other(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(verifyAddress(client, user.email, outboxOf(*m_server)));
    const SignedInUser friendUser = signUpAndLogIn(other, u"friend"_s);
    const Task created = createTask(client, { { u"title"_s, u"Versioned"_s } });
    QList<ApiReply *> writes;
    writes << client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(created.id), R"({"priority":"high"})",
                          JsonType);
    QVERIFY(waitFor(writes.last()));
    writes << client.shareTask(created.id, { friendUser.id, std::nullopt, SharePermission::View });
    QVERIFY(waitFor(writes.last()));
    writes << client.trashTask(created.id);
    QVERIFY(waitFor(writes.last()));
    writes << client.restoreTask(created.id);
    QVERIFY(waitFor(writes.last()));
    writes << client.completeTask(created.id);
    QVERIFY(waitFor(writes.last()));
    qint64 expected = 1;
    for (ApiReply *write : std::as_const(writes)) {
        ++expected;
        QCOMPARE(write->status(), 200);
        QCOMPARE(write->json().value(u"version"_s).toInteger(), expected);
        QCOMPARE(write->header("ETag"), '"' + QByteArray::number(expected) + '"');
    }
}

void TestTasksApi::ifMatchRefusesStaleWrites()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client, { { u"title"_s, u"Contested"_s } });
    const QString path = u"/api/v1/tasks/%1"_s.arg(created.id);
    ApiReply *first
            = client.send("PATCH", path, R"({"title":"First"})",
                          { { "Content-Type", "application/json" }, { "If-Match", "\"1\"" } });
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 200);
    // A second writer who read version 1 loses.
    ApiReply *second
            = client.send("PATCH", path, R"({"title":"Second"})",
                          { { "Content-Type", "application/json" }, { "If-Match", "\"1\"" } });
    ApiReply *weak
            = client.send("PATCH", path, R"({"title":"Weak"})",
                          { { "Content-Type", "application/json" }, { "If-Match", "W/\"2\"" } });
    ApiReply *staleDelete = client.send("DELETE", path, {}, { { "If-Match", "\"1\"" } });
    QVERIFY(waitFor(second) && waitFor(weak) && waitFor(staleDelete));
    QCOMPARE(second->status(), 412);
    QCOMPARE(second->problem()->slug(), u"precondition-failed"_s);
    QCOMPARE(weak->status(), 412);
    QCOMPARE(staleDelete->status(), 412);
    ApiReply *get = client.task(created.id);
    QVERIFY(waitFor(get));
    QCOMPARE(get->json().value(u"title"_s).toString(), u"First"_s);
    QVERIFY(get->json().value(u"trashed_at"_s).isNull());
    // The current version, or any, passes.
    ApiReply *current = client.send("DELETE", path, {}, { { "If-Match", "\"2\"" } });
    QVERIFY(waitFor(current));
    QCOMPARE(current->status(), 200);
    ApiReply *any = client.send("PATCH", path, R"({"title":"Any"})",
                                { { "Content-Type", "application/json" }, { "If-Match", "*" } });
    QVERIFY(waitFor(any));
    QCOMPARE(any->status(), 409); // it is in the trash now
}

void TestTasksApi::ifNoneMatchAnswersNotModified()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client, { { u"title"_s, u"Cached"_s } });
    const QString path = u"/api/v1/tasks/%1"_s.arg(created.id);
    ApiReply *same = client.send("GET", path, {}, { { "If-None-Match", "\"1\"" } });
    ApiReply *other = client.send("GET", path, {}, { { "If-None-Match", "\"7\"" } });
    QVERIFY(waitFor(same) && waitFor(other));
    QCOMPARE(same->status(), 304);
    QVERIFY(same->body().isEmpty());
    QCOMPARE(same->header("ETag"), "\"1\"");
    QCOMPARE(other->status(), 200);
}

void TestTasksApi::idempotencyKeyReplaysTheFirstAnswer()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const QByteArray body = R"({"title":"Pay rent","priority":"high"})";
    const RawHeaders headers{ { "Content-Type", "application/json" },
                              { "Idempotency-Key", "rent-2027-03" } };
    ApiReply *first = postJson(client, u"/api/v1/tasks"_s, body, headers);
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 201);
    QVERIFY(first->header("Idempotent-Replayed").isEmpty());
    ApiReply *retry = postJson(client, u"/api/v1/tasks"_s, body, headers);
    QVERIFY(waitFor(retry));
    QCOMPARE(retry->status(), 201);
    QCOMPARE(retry->body(), first->body());
    QCOMPARE(retry->header("Location"), first->header("Location"));
    QCOMPARE(retry->header("ETag"), first->header("ETag"));
    QCOMPARE(retry->header("Idempotent-Replayed"), "true");
    ApiReply *list = client.listTasks();
    QVERIFY(waitFor(list));
    QCOMPARE(list->json().value(u"items"_s).toArray().size(), 1);
    // A malformed key is refused before anything runs.
    ApiReply *bad = postJson(client, u"/api/v1/tasks"_s, body,
                             { { "Content-Type", "application/json" },
                               { "Idempotency-Key", QByteArray(256, 'k') } });
    QVERIFY(waitFor(bad));
    QCOMPARE(bad->status(), 400);
}

void TestTasksApi::idempotencyKeyWithAnotherBodyIsRefused()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const RawHeaders headers{ { "Content-Type", "application/json" },
                              { "Idempotency-Key", "k-1" } };
    ApiReply *first = postJson(client, u"/api/v1/tasks"_s, R"({"title":"One"})", headers);
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 201);
    ApiReply *other = postJson(client, u"/api/v1/tasks"_s, R"({"title":"Two"})", headers);
    QVERIFY(waitFor(other));
    QCOMPARE(other->status(), 422);
    QCOMPARE(other->problem()->slug(), u"idempotency-key-reused"_s);
    // A failed request stores nothing: fixed, it runs.
    const RawHeaders fresh{ { "Content-Type", "application/json" }, { "Idempotency-Key", "k-2" } };
    ApiReply *invalid = postJson(client, u"/api/v1/tasks"_s, R"({"title":""})", fresh);
    QVERIFY(waitFor(invalid));
    QCOMPARE(invalid->status(), 422);
    ApiReply *fixed = postJson(client, u"/api/v1/tasks"_s, R"({"title":"Three"})", fresh);
    QVERIFY(waitFor(fixed));
    QCOMPARE(fixed->status(), 201);
}

void TestTasksApi::idempotencyKeysBelongToOneUser()
{
    ApiClient alice(m_server->url()), bob(m_server->url());
    signUpAndLogIn(alice, u"alice"_s);
    signUpAndLogIn(bob, u"bob"_s);
    const RawHeaders headers{ { "Content-Type", "application/json" },
                              { "Idempotency-Key", "shared-key" } };
    ApiReply *fromAlice = postJson(alice, u"/api/v1/tasks"_s, R"({"title":"Alice's"})", headers);
    QVERIFY(waitFor(fromAlice));
    ApiReply *fromBob = postJson(bob, u"/api/v1/tasks"_s, R"({"title":"Alice's"})", headers);
    QVERIFY(waitFor(fromBob));
    QCOMPARE(fromAlice->status(), 201);
    QCOMPARE(fromBob->status(), 201);
    QVERIFY(fromBob->header("Idempotent-Replayed").isEmpty());
    QVERIFY(fromBob->json().value(u"id"_s) != fromAlice->json().value(u"id"_s));
}

void TestTasksApi::idempotentReplaySurvivesARestart()
{
    TestServer server;
    QVERIFY(server.start());
    ApiClient client(server.url());
    signUpAndLogIn(client);
    const RawHeaders headers{ { "Content-Type", "application/json" },
                              { "Idempotency-Key", "survives" } };
    ApiReply *first = postJson(client, u"/api/v1/tasks"_s, R"({"title":"Once"})", headers);
    QVERIFY(waitFor(first));
    QCOMPARE(first->status(), 201);
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.start());
    ApiClient again(server.url());
    again.setAccessToken(client.accessToken());
    ApiReply *retry = postJson(again, u"/api/v1/tasks"_s, R"({"title":"Once"})", headers);
    QVERIFY(waitFor(retry));
    QCOMPARE(retry->status(), 201);
    QCOMPARE(retry->body(), first->body());
    QCOMPARE(retry->header("Idempotent-Replayed"), "true");
    const auto rows = server.querySql(u"SELECT count(*) FROM tasks"_s);
    QCOMPARE(rows.first().first().toInt(), 1);
    QCOMPARE(server.stop(), 0);
}

void TestTasksApi::historyRecordsEveryChangeWithAFieldDiff()
{
    ApiClient client(m_server->url());
    const SignedInUser user = signUpAndLogIn(client);
    const Task created
            = createTask(client, { { u"title"_s, u"Draft"_s }, { u"priority"_s, u"low"_s } });
    const QString path = u"/api/v1/tasks/%1"_s.arg(created.id);
    ApiReply *patch = client.send("PATCH", path, R"({"title":"Final","tags":["a"]})", JsonType);
    QVERIFY(waitFor(patch));
    ApiReply *trash = client.trashTask(created.id);
    QVERIFY(waitFor(trash));
    ApiReply *history = client.taskHistory(created.id);
    QVERIFY(waitFor(history));
    QCOMPARE(history->status(), 200);
    const QJsonArray items = history->json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 3);
    QStringList actions;
    qint64 previousId = 0;
    for (const QJsonValue &value : items) {
        const auto record = TaskHistoryRecord::fromJson(value.toObject());
        QVERIFY(record);
        QVERIFY(record->id > previousId);
        previousId = record->id;
        QCOMPARE(record->taskId, created.id);
        QCOMPARE(record->actorId, user.id);
        actions.append(record->action);
    }
    QCOMPARE(actions, (QStringList{ u"created"_s, u"updated"_s, u"trashed"_s }));
    const QJsonArray changes = items.at(1).toObject().value(u"changes"_s).toArray();
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0).toObject(),
             (QJsonObject{ { u"field"_s, u"title"_s },
                           { u"old"_s, u"Draft"_s },
                           { u"new"_s, u"Final"_s } }));
    QCOMPARE(changes.at(1).toObject().value(u"field"_s).toString(), u"tags"_s);
    QCOMPARE(changes.at(1).toObject().value(u"new"_s).toArray(), QJsonArray{ u"a"_s });
    const QJsonArray createdChanges = items.at(0).toObject().value(u"changes"_s).toArray();
    QVERIFY(createdChanges.contains(QJsonObject{ { u"field"_s, u"priority"_s },
                                                 { u"old"_s, QJsonValue::Null },
                                                 { u"new"_s, u"low"_s } }));
    // Written in the same transaction as the change: the rows match one for one.
    const auto rows = m_server->querySql(
            u"SELECT count(*) FROM task_history WHERE task_id = %1"_s.arg(created.id));
    QCOMPARE(rows.first().first().toInt(), 3);
}

void TestTasksApi::historyPagesWithSignedCursors()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task created = createTask(client, { { u"title"_s, u"v0"_s } });
    for (int i = 1; i <= 5; ++i) {
        ApiReply *patch = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(created.id),
                                      u"{\"title\":\"v%1\"}"_s.arg(i).toUtf8(), JsonType);
        QVERIFY(waitFor(patch));
    }
    QList<qint64> ids;
    QString cursor;
    int pages = 0;
    do {
        ApiReply *page = client.send(
                "GET",
                u"/api/v1/tasks/%1/history?limit=4"_s.arg(created.id)
                        + (cursor.isEmpty() ? QString()
                                            : u"&cursor="_s
                                           + QString::fromLatin1(QUrl::toPercentEncoding(cursor))));
        QVERIFY(waitFor(page));
        QCOMPARE(page->status(), 200);
        const QJsonArray items = page->json().value(u"items"_s).toArray();
        for (const QJsonValue &item : items)
            ids.append(item.toObject().value(u"id"_s).toInteger());
        cursor = page->json().value(u"next_cursor"_s).toString();
        ++pages;
    } while (!cursor.isEmpty() && pages < 10);
    QCOMPARE(pages, 2);
    QCOMPARE(ids.size(), 6);
    QVERIFY(std::is_sorted(ids.begin(), ids.end()));
    ApiReply *forged = client.send(
            "GET", u"/api/v1/tasks/%1/history?cursor=eyJhIjowfQ.AAAA"_s.arg(created.id));
    QVERIFY(waitFor(forged));
    QCOMPARE(forged->status(), 400);
}

void TestTasksApi::trashRestoreAndPurge()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    const Task kept = createTask(client, { { u"title"_s, u"Kept"_s } });
    const Task binned = createTask(client, { { u"title"_s, u"Binned"_s } });
    ApiReply *trash = client.trashTask(binned.id);
    QVERIFY(waitFor(trash));
    QCOMPARE(trash->status(), 200);
    QVERIFY(!trash->json().value(u"trashed_at"_s).isNull());
    const auto idsOf = [&client](const TaskQuery &query) {
        ApiReply *list = client.listTasks(query);
        QList<qint64> ids;
        if (!waitFor(list))
            return ids;
        const QJsonArray items = list->json().value(u"items"_s).toArray();
        for (const QJsonValue &item : items)
            ids.append(item.toObject().value(u"id"_s).toInteger());
        return ids;
    };
    TaskQuery trashed;
    trashed.trashed = true;
    QCOMPARE(idsOf({}), QList<qint64>{ kept.id });
    QCOMPARE(idsOf(trashed), QList<qint64>{ binned.id });
    // Still readable, but not changeable until restored.
    ApiReply *get = client.task(binned.id);
    ApiReply *patch = client.send("PATCH", u"/api/v1/tasks/%1"_s.arg(binned.id), R"({"title":"x"})",
                                  JsonType);
    QVERIFY(waitFor(get) && waitFor(patch));
    QCOMPARE(get->status(), 200);
    QCOMPARE(patch->status(), 409);
    ApiReply *restore = client.restoreTask(binned.id);
    QVERIFY(waitFor(restore));
    QCOMPARE(restore->status(), 200);
    QVERIFY(restore->json().value(u"trashed_at"_s).isNull());
    QCOMPARE(idsOf({}).size(), 2);
    ApiReply *purge = client.purgeTask(binned.id);
    QVERIFY(waitFor(purge));
    QCOMPARE(purge->status(), 204);
    ApiReply *gone = client.task(binned.id);
    QVERIFY(waitFor(gone));
    QCOMPARE(gone->status(), 404);
    QCOMPARE(m_server->querySql(u"SELECT count(*) FROM tasks WHERE id = %1"_s.arg(binned.id))
                     .first()
                     .first()
                     .toInt(),
             0);
    // The log keeps only that it was purged.
    const auto history = m_server->querySql(
            u"SELECT action FROM task_history WHERE task_id = %1"_s.arg(binned.id));
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().first().toString(), u"purged"_s);
    ApiReply *badFlag = client.send("DELETE", u"/api/v1/tasks/%1?permanent=yes"_s.arg(kept.id));
    QVERIFY(waitFor(badFlag));
    QCOMPARE(badFlag->status(), 400);
}

void TestTasksApi::timeZoneIsValidatedAndShown()
{
    ApiClient client(m_server->url());
    signUpAndLogIn(client);
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"time_zone"_s).toString(), u"UTC"_s);
    for (const QString &bad : { u"Mars/Olympus"_s, u"../../etc/passwd"_s, u"right/Europe/Berlin"_s,
                                u""_s, u"europe/berlin"_s }) {
        ApiReply *update = client.updateMe({ { u"time_zone"_s, bad } });
        QVERIFY(waitFor(update));
        QVERIFY2(update->status() == 422, qPrintable(bad));
        QCOMPARE(fieldsOf(update), QStringList{ u"time_zone"_s });
    }
    ApiReply *update = client.updateMe({ { u"time_zone"_s, u"Europe/Berlin"_s } });
    QVERIFY(waitFor(update));
    QCOMPARE(update->status(), 200);
    QCOMPARE(update->json().value(u"time_zone"_s).toString(), u"Europe/Berlin"_s);
    ApiReply *again = client.me();
    QVERIFY(waitFor(again));
    QCOMPARE(again->json().value(u"time_zone"_s).toString(), u"Europe/Berlin"_s);
}

QTEST_GUILESS_MAIN(TestTasksApi)
#include "tst_tasksapi.moc"
