// GET /tasks/{id} is answered from memory (TaskReadersCache and TaskJsonCache) once a task has
// been read. Every kind of write must be seen by the very next read of everyone it concerns:
// each row warms the caches with reads, makes one write, and reads again at once. And on
// PostgreSQL, where other processes write the same database, a change made behind this
// server's back is seen once the cache's trust (auth_cache_ttl_ms) has run out.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "testserver.h"

#include <QDateTime>
#include <QJsonArray>
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

ApiReply *post(ApiClient &client, const QString &path, const QJsonObject &body = {})
{
    return finished(client.sendJson("POST", path, body));
}

QByteArray attachmentBody()
{
    return "--cachedreads\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
           "Content-Type: text/plain\r\n\r\nsome notes\r\n--cachedreads--\r\n";
}

} // namespace

class TestCachedReads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void theNextReadSeesEveryWrite_data();
    void theNextReadSeesEveryWrite();
    void readsInterleavedWithWritesNeverGoBack();
    void aNewTaskIsListedAtOnce();
    void listingsThatMoveWithTheClockAreNotKept();
    void aChangeBehindTheServersBackIsSeenWithinTheCacheLifetime();

private:
    Account signUp(const QString &prefix);
    // Reads the task as `account` (status and body), warming the caches.
    ApiReply *read(const Account &account, qint64 id);
    // The task as the account's newest-first listing shows it (empty when it is not listed).
    QJsonObject listed(const Account &account, qint64 id);

    std::unique_ptr<TestServer> m_server;
    Account m_owner;
    Account m_viewer;
};

Account TestCachedReads::signUp(const QString &prefix)
{
    return signUpVerified(*m_server, prefix);
}

ApiReply *TestCachedReads::read(const Account &account, qint64 id)
{
    return finished(account.api().task(id));
}

QJsonObject TestCachedReads::listed(const Account &account, qint64 id)
{
    ApiReply *reply
            = finished(account.api().send("GET", u"/api/v1/tasks?sort=-created&limit=100"_s));
    if (reply->status() != 200) {
        qWarning("listing failed: %d %s", reply->status(), reply->body().constData());
        return {};
    }
    const QJsonArray items = reply->json().value(u"items"_s).toArray();
    for (const QJsonValue &item : items) {
        if (item.toObject().value(u"id"_s).toInteger() == id)
            return item.toObject();
    }
    return {};
}

void TestCachedReads::initTestCase()
{
    TestServer::Options options;
    // Short, so that the last test need not wait long on PostgreSQL.
    options.arguments = { u"--auth-cache-ttl-ms"_s, u"300"_s };
    m_server = std::make_unique<TestServer>(options);
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_owner = signUp(u"cache-owner"_s);
    m_viewer = signUp(u"cache-viewer"_s);
    QVERIFY(m_owner.user.id > 0 && m_viewer.user.id > 0);
}

void TestCachedReads::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestCachedReads::theNextReadSeesEveryWrite_data()
{
    QTest::addColumn<QString>("write");
    for (const char *write :
         { "patch", "trash", "restore", "complete", "share", "share again as editor", "unshare",
           "purge", "attachment added", "category deleted", "blocker purged", "tags replaced" })
        QTest::newRow(write) << QString::fromLatin1(write);
}

void TestCachedReads::theNextReadSeesEveryWrite()
{
    QFETCH(QString, write);
    ApiClient &owner = m_owner.api();
    ApiReply *created = post(owner, u"/api/v1/categories"_s,
                             { { u"name"_s, u"Category for %1"_s.arg(write) } });
    QCOMPARE(created->status(), 201);
    const qint64 categoryId = created->json().value(u"id"_s).toInteger();
    const qint64 blocker = createTaskId(owner, u"Blocker for %1"_s.arg(write));
    const qint64 id = createTaskId(owner, u"Cached %1"_s.arg(write),
                                   { { u"category_id"_s, categoryId },
                                     { u"tags"_s, QJsonArray{ u"one"_s } },
                                     { u"blocked_by"_s, QJsonArray{ blocker } } });
    QVERIFY(id > 0 && blocker > 0);
    const bool sharedFirst = write == u"unshare"_s || write == u"share again as editor"_s;
    if (sharedFirst) {
        QCOMPARE(post(owner, taskPath(id, u"/assign"_s),
                      { { u"user_id"_s, m_viewer.user.id }, { u"permission"_s, u"view"_s } })
                         ->status(),
                 200);
    }
    if (write == u"restore"_s)
        QCOMPARE(finished(owner.trashTask(id))->status(), 200);
    // Warm the caches: the second read of each is answered from memory.
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(read(m_owner, id)->status(), 200);
        QCOMPARE(read(m_viewer, id)->status(), sharedFirst ? 200 : 404);
        QCOMPARE(listed(m_owner, id).isEmpty(), write == u"restore"_s);
        QCOMPARE(listed(m_viewer, id).isEmpty(), !sharedFirst);
    }
    const qint64 versionBefore = read(m_owner, id)->json().value(u"version"_s).toInteger();

    int expectedOwner = 200;
    int expectedViewer = sharedFirst ? 200 : 404;
    ApiReply *reply = nullptr;
    if (write == u"patch"_s) {
        reply = patchTask(owner, id, { { u"title"_s, u"Renamed"_s } });
    } else if (write == u"trash"_s) {
        reply = finished(owner.trashTask(id));
    } else if (write == u"restore"_s) {
        reply = finished(owner.restoreTask(id));
    } else if (write == u"complete"_s) {
        QCOMPARE(finished(owner.purgeTask(blocker))->status(), 204); // no open blocker left
        QCOMPARE(read(m_owner, id)->status(), 200); // warm again after that change
        reply = finished(owner.completeTask(id));
    } else if (write == u"share"_s) {
        reply = post(owner, taskPath(id, u"/assign"_s),
                     { { u"user_id"_s, m_viewer.user.id }, { u"permission"_s, u"view"_s } });
        expectedViewer = 200;
    } else if (write == u"share again as editor"_s) {
        reply = post(owner, taskPath(id, u"/assign"_s),
                     { { u"user_id"_s, m_viewer.user.id }, { u"permission"_s, u"edit"_s } });
    } else if (write == u"unshare"_s) {
        reply = finished(owner.unshareTask(id, m_viewer.user.id));
        expectedViewer = 404;
    } else if (write == u"purge"_s) {
        reply = finished(owner.purgeTask(id));
        expectedOwner = 404;
    } else if (write == u"attachment added"_s) {
        reply = finished(
                owner.send("POST", taskPath(id, u"/attachments"_s), attachmentBody(),
                           { { "Content-Type", "multipart/form-data; boundary=cachedreads" } }));
    } else if (write == u"category deleted"_s) {
        reply = finished(owner.send("DELETE", u"/api/v1/categories/%1"_s.arg(categoryId)));
    } else if (write == u"blocker purged"_s) {
        reply = finished(owner.purgeTask(blocker));
    } else if (write == u"tags replaced"_s) {
        reply = patchTask(owner, id, { { u"tags"_s, QJsonArray{ u"two"_s, u"three"_s } } });
    }
    QVERIFY(reply);
    QVERIFY2(reply->status() >= 200 && reply->status() < 300, reply->body().constData());

    ApiReply *ownerRead = read(m_owner, id);
    QCOMPARE(ownerRead->status(), expectedOwner);
    QCOMPARE(read(m_viewer, id)->status(), expectedViewer);
    // The listings (trashed tasks are not listed by default) show the task as a read does.
    const bool trashedNow
            = expectedOwner == 200 && !ownerRead->json().value(u"trashed_at"_s).isNull();
    const QJsonObject ownerListed = listed(m_owner, id);
    QCOMPARE(ownerListed.isEmpty(), expectedOwner == 404 || trashedNow);
    if (!ownerListed.isEmpty())
        QCOMPARE(ownerListed, ownerRead->json());
    QCOMPARE(listed(m_viewer, id).isEmpty(), expectedViewer == 404 || trashedNow);
    if (expectedOwner == 404)
        return;
    const QJsonObject task = ownerRead->json();
    QVERIFY2(task.value(u"version"_s).toInteger() > versionBefore, ownerRead->body().constData());
    QCOMPARE(ownerRead->header("ETag"),
             '"' + QByteArray::number(task.value(u"version"_s).toInteger()) + '"');
    if (write == u"patch"_s)
        QCOMPARE(task.value(u"title"_s).toString(), u"Renamed"_s);
    else if (write == u"trash"_s)
        QVERIFY(!task.value(u"trashed_at"_s).isNull());
    else if (write == u"restore"_s)
        QVERIFY(task.value(u"trashed_at"_s).isNull());
    else if (write == u"complete"_s)
        QCOMPARE(task.value(u"status"_s).toString(), u"done"_s);
    else if (write == u"share"_s || write == u"share again as editor"_s)
        QCOMPARE(task.value(u"assignees"_s).toArray().first().toObject().value(u"permission"_s),
                 write == u"share"_s ? u"view"_s : u"edit"_s);
    else if (write == u"unshare"_s)
        QVERIFY(task.value(u"assignees"_s).toArray().isEmpty());
    else if (write == u"category deleted"_s)
        QVERIFY(task.value(u"category_id"_s).isNull());
    else if (write == u"blocker purged"_s)
        QVERIFY(task.value(u"blocked_by"_s).toArray().isEmpty());
    else if (write == u"tags replaced"_s)
        QCOMPARE(task.value(u"tags"_s).toArray(), (QJsonArray{ u"two"_s, u"three"_s }));
}

void TestCachedReads::readsInterleavedWithWritesNeverGoBack()
{
    // Reads race writes on other connections: a read that starts after a write was
    // acknowledged shows that write or a later one, never an older version.
    const qint64 id = createTaskId(m_owner.api(), u"Raced"_s);
    QVERIFY(id > 0);
    ApiClient reader(m_server->url());
    reader.setAccessToken(m_owner.api().accessToken());
    QList<ApiReply *> inFlight;
    for (int round = 1; round <= 40; ++round) {
        // Reads in flight while the write commits, to tempt a stale refill of the cache.
        for (int i = 0; i < 4; ++i)
            inFlight.append(reader.task(id));
        ApiReply *written
                = patchTask(m_owner.api(), id, { { u"title"_s, u"Round %1"_s.arg(round) } });
        QCOMPARE(written->status(), 200);
        const qint64 version = written->json().value(u"version"_s).toInteger();
        ApiReply *after = finished(reader.task(id));
        QCOMPARE(after->status(), 200);
        QVERIFY2(after->json().value(u"version"_s).toInteger() >= version,
                 qPrintable(u"round %1: read version %2 after write %3"_s.arg(round)
                                    .arg(after->json().value(u"version"_s).toInteger())
                                    .arg(version)));
        QCOMPARE(after->json().value(u"title"_s).toString(), u"Round %1"_s.arg(round));
    }
    for (ApiReply *reply : std::as_const(inFlight))
        QVERIFY(waitFor(reply));
}

void TestCachedReads::aNewTaskIsListedAtOnce()
{
    const qint64 first = createTaskId(m_owner.api(), u"Listed first"_s);
    QVERIFY(!listed(m_owner, first).isEmpty());
    QVERIFY(!listed(m_owner, first).isEmpty());
    const qint64 second = createTaskId(m_owner.api(), u"Listed second"_s);
    QVERIFY(second > first);
    QVERIFY(!listed(m_owner, second).isEmpty());
}

void TestCachedReads::listingsThatMoveWithTheClockAreNotKept()
{
    // Due in a few seconds: "upcoming" now, "overdue" soon, with no write in between.
    const QString soon = QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::ISODateWithMs);
    const qint64 id = createTaskId(m_owner.api(), u"Due in a moment"_s, { { u"due_at"_s, soon } });
    QVERIFY(id > 0);
    const auto overdueIds = [&] {
        return idsOf(finished(m_owner.api().send("GET", u"/api/v1/tasks?due=overdue&limit=100"_s))
                             ->json());
    };
    QVERIFY(!overdueIds().contains(id));
    QVERIFY(!overdueIds().contains(id));
    QTRY_VERIFY_WITH_TIMEOUT(overdueIds().contains(id), 5000);
}

void TestCachedReads::aChangeBehindTheServersBackIsSeenWithinTheCacheLifetime()
{
    if (!TestServer::usingPostgres())
        QSKIP("only tasklaned writes its SQLite database: nothing changes behind its back");
    const qint64 id = createTaskId(m_owner.api(), u"Changed elsewhere"_s);
    QVERIFY(id > 0);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(read(m_owner, id)->status(), 200);
        QVERIFY(listed(m_viewer, id).isEmpty());
    }
    // What another tasklaned process sharing the database does when it shares the task.
    QVERIFY(m_server->executeSql(
            u"INSERT INTO task_shares (task_id, user_id, permission, created_at) VALUES "
            "(%1, %2, 'view', '2026-11-30T00:00:00.000Z')"_s.arg(id)
                    .arg(m_viewer.user.id)));
    QVERIFY(m_server->executeSql(
            u"UPDATE tasks SET version = version + 1 WHERE id = %1"_s.arg(id)));
    QTRY_COMPARE_WITH_TIMEOUT(read(m_viewer, id)->status(), 200, 3000);
    QTRY_VERIFY_WITH_TIMEOUT(!listed(m_viewer, id).isEmpty(), 3000);
    QTRY_COMPARE_WITH_TIMEOUT(read(m_owner, id)->json().value(u"version"_s).toInteger(), 2, 3000);
}

QTEST_GUILESS_MAIN(TestCachedReads)
#include "tst_cachedreads.moc"
