// In-app notifications through the real tasklaned: made with what causes them (a share,
// someone else's change, a finished blocker, a reminder), each user's own (another's id is
// 404), listed newest first with unread=true and signed cursors, read one by one or all, and
// deleted.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestNotifications : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sharesAndOthersChangesAreNotified();
    void aFinishedBlockerIsNotified();
    void aReminderIsNotifiedInTheApp();
    void readingPagingAndDeleting();
    void anotherUsersNotificationIsNotFound_data();
    void anotherUsersNotificationIsNotFound();
    void badParametersAreRefused_data();
    void badParametersAreRefused();

private:
    std::unique_ptr<TestServer> m_server;
};

namespace {

QList<QJsonObject> notificationsOf(ApiClient &client, const QString &query = {})
{
    ApiReply *reply = finished(client.send("GET", u"/api/v1/notifications"_s + query));
    if (reply->status() != 200) {
        qWarning("listing notifications: %d %s", reply->status(), reply->body().constData());
        return {};
    }
    QList<QJsonObject> items;
    for (const QJsonValue &item : reply->json().value(u"items"_s).toArray())
        items.append(item.toObject());
    return items;
}

} // namespace

void TestNotifications::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestNotifications::sharesAndOthersChangesAreNotified()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    Account bob = signUpVerified(*m_server, u"bob"_s);
    const qint64 id = createTaskId(ada.api(), u"Shared plan"_s);
    QCOMPARE(finished(ada.api().sendJson(
                              "POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                              { { u"user_id"_s, bob.id() }, { u"permission"_s, u"edit"_s } }))
                     ->status(),
             200);
    QList<QJsonObject> bobs = notificationsOf(bob.api());
    QCOMPARE(bobs.size(), 1);
    QCOMPARE(bobs.at(0).value(u"type"_s).toString(), u"shared"_s);
    QCOMPARE(bobs.at(0).value(u"task_id"_s).toInteger(), id);
    QCOMPARE(bobs.at(0).value(u"title"_s).toString(), u"Shared plan"_s);
    QCOMPARE(bobs.at(0).value(u"read"_s).toBool(), false);
    QCOMPARE(bobs.at(0).value(u"data"_s).toObject().value(u"permission"_s).toString(), u"edit"_s);
    QCOMPARE(bobs.at(0).value(u"data"_s).toObject().value(u"actor_id"_s).toInteger(), ada.id());
    QVERIFY(notificationsOf(ada.api()).isEmpty()); // one's own doing is no news

    // Bob changes it: Ada hears what changed; Bob does not hear of his own change.
    QCOMPARE(patchTask(bob.api(), id, { { u"title"_s, u"Shared plan, revised"_s } })->status(),
             200);
    QList<QJsonObject> adas = notificationsOf(ada.api());
    QCOMPARE(adas.size(), 1);
    QCOMPARE(adas.at(0).value(u"type"_s).toString(), u"changed"_s);
    const QJsonObject data = adas.at(0).value(u"data"_s).toObject();
    QCOMPARE(data.value(u"actor_id"_s).toInteger(), bob.id());
    QCOMPARE(data.value(u"action"_s).toString(), u"updated"_s);
    const QJsonObject change = data.value(u"changes"_s).toArray().at(0).toObject();
    QCOMPARE(change.value(u"field"_s).toString(), u"title"_s);
    QCOMPARE(change.value(u"old"_s).toString(), u"Shared plan"_s);
    QCOMPARE(change.value(u"new"_s).toString(), u"Shared plan, revised"_s);
    QCOMPARE(notificationsOf(bob.api()).size(), 1);

    // Ada completes it: Bob hears.
    QCOMPARE(patchTask(ada.api(), id, { { u"status"_s, u"done"_s } })->status(), 200);
    bobs = notificationsOf(bob.api());
    QCOMPARE(bobs.size(), 2);
    QCOMPARE(bobs.at(0).value(u"type"_s).toString(), u"changed"_s); // newest first
    QCOMPARE(notificationsOf(ada.api()).size(), 1);
}

void TestNotifications::aFinishedBlockerIsNotified()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    const qint64 blocker = createTaskId(ada.api(), u"Get the permit"_s);
    const qint64 blocked = createTaskId(ada.api(), u"Build the shed"_s,
                                        { { u"blocked_by"_s, QJsonArray{ blocker } } });
    QVERIFY(blocker > 0 && blocked > 0);
    QVERIFY(notificationsOf(ada.api()).isEmpty());
    QCOMPARE(patchTask(ada.api(), blocker, { { u"status"_s, u"done"_s } })->status(), 200);
    const QList<QJsonObject> items = notificationsOf(ada.api());
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).value(u"type"_s).toString(), u"blocker_done"_s);
    QCOMPARE(items.at(0).value(u"task_id"_s).toInteger(), blocked);
    QCOMPARE(items.at(0).value(u"title"_s).toString(), u"Build the shed"_s);
    QCOMPARE(items.at(0).value(u"data"_s).toObject().value(u"blocker_id"_s).toInteger(), blocker);
}

void TestNotifications::aReminderIsNotifiedInTheApp()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    const QString at = toApiTimestamp(QDateTime::currentDateTimeUtc().addSecs(1));
    const qint64 id
            = createTaskId(ada.api(), u"Call the plumber"_s,
                           { { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, at } } } } });
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(notificationsOf(ada.api()).size(), 1, 10'000);
    const QJsonObject item = notificationsOf(ada.api()).first();
    QCOMPARE(item.value(u"type"_s).toString(), u"reminder"_s);
    QCOMPARE(item.value(u"task_id"_s).toInteger(), id);
    QCOMPARE(item.value(u"data"_s).toObject().value(u"reminder"_s).toString(), u"at:"_s + at);
    QTest::qWait(1000);
    QCOMPARE(notificationsOf(ada.api()).size(), 1); // once
}

void TestNotifications::readingPagingAndDeleting()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    Account bob = signUpVerified(*m_server, u"bob"_s);
    for (int i = 0; i < 5; ++i) {
        const qint64 id = createTaskId(ada.api(), u"For Bob %1"_s.arg(i));
        QCOMPARE(finished(ada.api().sendJson(
                                  "POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                  { { u"user_id"_s, bob.id() }, { u"permission"_s, u"view"_s } }))
                         ->status(),
                 200);
    }
    const QList<QJsonObject> all = notificationsOf(bob.api());
    QCOMPARE(all.size(), 5);
    QCOMPARE(all.first().value(u"title"_s).toString(), u"For Bob 4"_s);

    // Pages of two, newest first, each once.
    QList<qint64> walked;
    QString cursor;
    for (int page = 0; page < 10; ++page) {
        ApiReply *reply = finished(
                bob.api().send("GET",
                               u"/api/v1/notifications?limit=2"_s
                                       + (cursor.isEmpty() ? QString() : u"&cursor="_s + cursor)));
        QCOMPARE(reply->status(), 200);
        for (const QJsonValue &item : reply->json().value(u"items"_s).toArray())
            walked.append(item.toObject().value(u"id"_s).toInteger());
        if (reply->json().value(u"next_cursor"_s).isNull())
            break;
        cursor = QString::fromLatin1(
                QUrl::toPercentEncoding(reply->json().value(u"next_cursor"_s).toString()));
    }
    QCOMPARE(walked.size(), 5);
    QCOMPARE(walked.first(), all.first().value(u"id"_s).toInteger());

    // Read one: it says so, and unread=true leaves it out.
    const qint64 first = all.at(0).value(u"id"_s).toInteger();
    ApiReply *read
            = finished(bob.api().send("POST", u"/api/v1/notifications/read/%1"_s.arg(first)));
    QCOMPARE(read->status(), 200);
    QCOMPARE(read->json().value(u"read"_s).toBool(), true);
    QVERIFY(read->json().value(u"read_at"_s).isString());
    QCOMPARE(notificationsOf(bob.api(), u"?unread=true"_s).size(), 4);
    QCOMPARE(notificationsOf(bob.api(), u"?unread=false"_s).size(), 5);

    ApiReply *readAll = finished(bob.api().send("POST", u"/api/v1/notifications/read-all"_s));
    QCOMPARE(readAll->status(), 200);
    QCOMPARE(readAll->json().value(u"updated"_s).toInt(), 4);
    QCOMPARE(notificationsOf(bob.api(), u"?unread=true"_s).size(), 0);

    QCOMPARE(finished(bob.api().send("DELETE", u"/api/v1/notifications/%1"_s.arg(first)))->status(),
             204);
    QCOMPARE(notificationsOf(bob.api()).size(), 4);
    QCOMPARE(finished(bob.api().send("DELETE", u"/api/v1/notifications/%1"_s.arg(first)))->status(),
             404);
}

void TestNotifications::anotherUsersNotificationIsNotFound_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path"); // %1: the other user's notification
    QTest::newRow("read") << QByteArray("POST") << u"/api/v1/notifications/read/%1"_s;
    QTest::newRow("delete") << QByteArray("DELETE") << u"/api/v1/notifications/%1"_s;
}

void TestNotifications::anotherUsersNotificationIsNotFound()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    Account ada = signUpVerified(*m_server, u"ada"_s);
    Account bob = signUpVerified(*m_server, u"bob"_s);
    Account eve = signUpVerified(*m_server, u"eve"_s);
    const qint64 id = createTaskId(ada.api(), u"Private"_s);
    finished(ada.api().sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                { { u"user_id"_s, bob.id() }, { u"permission"_s, u"view"_s } }));
    const QList<QJsonObject> bobs = notificationsOf(bob.api());
    QCOMPARE(bobs.size(), 1);
    const qint64 notification = bobs.first().value(u"id"_s).toInteger();
    ApiReply *reply = finished(eve.api().send(method, path.arg(notification)));
    QCOMPARE(reply->status(), 404);
    QCOMPARE(reply->json().value(u"type"_s).toString(), u"urn:tasklane:problem:not-found"_s);
    // Still there, still unread.
    QCOMPARE(notificationsOf(bob.api(), u"?unread=true"_s).size(), 1);
    QCOMPARE(finished(eve.api().send("POST", u"/api/v1/notifications/read-all"_s))
                     ->json()
                     .value(u"updated"_s)
                     .toInt(),
             0);
    QCOMPARE(notificationsOf(bob.api(), u"?unread=true"_s).size(), 1);
}

void TestNotifications::badParametersAreRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("unread is neither true nor false") << u"?unread=yes"_s << u"unread"_s;
    QTest::newRow("limit 0") << u"?limit=0"_s << u"limit"_s;
    QTest::newRow("an unknown parameter") << u"?sort=title"_s << u"sort"_s;
    QTest::newRow("a forged cursor") << u"?cursor=eyJuIjoxfQ.AAAA"_s << u"cursor"_s;
    QTest::newRow("a parameter twice") << u"?limit=1&limit=2"_s << u"limit"_s;
}

void TestNotifications::badParametersAreRefused()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    Account ada = signUpVerified(*m_server, u"ada"_s);
    ApiReply *reply = finished(ada.api().send("GET", u"/api/v1/notifications"_s + query));
    QCOMPARE(reply->status(), 400);
    QCOMPARE(reply->json()
                     .value(u"errors"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"field"_s)
                     .toString(),
             field);
}

QTEST_GUILESS_MAIN(TestNotifications)
#include "tst_notifications.moc"
