// The full-text index behind GET /tasks/search and ?q=, as a user relies on it: a search finds
// every change acknowledged before it (new words found, old ones gone, a purged task gone), an
// ended share hides the task from the former assignee's searches at once, and a change written
// while the server was down (as another tool or a restore would) is found after it restarts.
#include "taskfixtures.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
QList<qint64> searchIds(ApiClient &client, const QString &q, const QString &path = u"search"_s)
{
    ApiReply *reply = finished(client.send(
            "GET",
            u"/api/v1/tasks/%1?q=%2"_s.arg(path, QString::fromLatin1(QUrl::toPercentEncoding(q)))));
    if (reply->status() != 200) {
        qWarning("search failed: %d %s", reply->status(), reply->body().constData());
        return {};
    }
    return idsOf(reply->json());
}
} // namespace

class TestSearchIndex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void aSearchFindsEveryAcknowledgedChange();
    void anEndedShareIsNotFoundAtOnce();
    void aChangeMadeWhileTheServerWasDownIsFound();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<ApiClient> m_owner;
    std::unique_ptr<ApiClient> m_viewer;
    SignedInUser m_ownerUser;
    SignedInUser m_viewerUser;
};

void TestSearchIndex::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_owner = std::make_unique<ApiClient>(m_server->url());
    m_viewer = std::make_unique<ApiClient>(m_server->url());
    m_ownerUser = signUpAndLogIn(*m_owner, u"search-owner"_s);
    m_viewerUser = signUpAndLogIn(*m_viewer, u"search-viewer"_s);
    QVERIFY(m_ownerUser.id > 0 && m_viewerUser.id > 0);
}

void TestSearchIndex::cleanupTestCase()
{
    QCOMPARE(m_server->stop(), 0);
}

void TestSearchIndex::aSearchFindsEveryAcknowledgedChange()
{
    const qint64 id = createTaskId(*m_owner, u"Round zero"_s);
    QVERIFY(id > 0);
    for (int round = 1; round <= 25; ++round) {
        const QString word = u"zebra%1"_s.arg(round);
        QCOMPARE(patchTask(*m_owner, id, { { u"title"_s, QString(u"Round "_s + word) } })->status(),
                 200);
        QCOMPARE(searchIds(*m_owner, word), QList<qint64>{ id });
        QCOMPARE(searchIds(*m_owner, word, u"filter"_s), QList<qint64>{ id }); // ?q= filters too
        if (round > 1) // the old words are gone from it
            QVERIFY(searchIds(*m_owner, u"zebra%1"_s.arg(round - 1)).isEmpty());
    }
    const qint64 fresh = createTaskId(*m_owner, u"Brand new yak"_s);
    QCOMPARE(searchIds(*m_owner, u"yak"_s), QList<qint64>{ fresh });
    QCOMPARE(finished(m_owner->purgeTask(fresh))->status(), 204);
    QVERIFY(searchIds(*m_owner, u"yak"_s).isEmpty());
}

void TestSearchIndex::anEndedShareIsNotFoundAtOnce()
{
    const qint64 id = createTaskId(*m_owner, u"Shared gnu"_s);
    QCOMPARE(finished(m_owner->sendJson("POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                                        { { u"user_id"_s, m_viewerUser.id },
                                          { u"permission"_s, u"view"_s } }))
                     ->status(),
             200);
    QCOMPARE(searchIds(*m_viewer, u"gnu"_s), QList<qint64>{ id });
    QCOMPARE(finished(m_owner->unshareTask(id, m_viewerUser.id))->status(), 204);
    QVERIFY(searchIds(*m_viewer, u"gnu"_s).isEmpty());
    QCOMPARE(searchIds(*m_owner, u"gnu"_s), QList<qint64>{ id });
}

void TestSearchIndex::aChangeMadeWhileTheServerWasDownIsFound()
{
    const qint64 id = createTaskId(*m_owner, u"Before the outage: ibex"_s);
    QCOMPARE(searchIds(*m_owner, u"ibex"_s), QList<qint64>{ id });
    QCOMPARE(m_server->stop(), 0);
    QVERIFY(m_server->executeSql(
            u"UPDATE tasks SET title = 'After the outage: okapi', version = version + 1 WHERE id = %1"_s
                    .arg(id)));
    QVERIFY(m_server->executeSql(
            u"INSERT INTO task_history (task_id, actor_id, at, action, changes) VALUES (%1, %2, "
            "'2026-11-30T00:00:00.000Z', 'updated', '[]')"_s.arg(id)
                    .arg(m_ownerUser.id)));
    QVERIFY2(m_server->start(), m_server->logs().constData());
    m_owner = std::make_unique<ApiClient>(m_server->url());
    m_owner->setAccessToken(m_ownerUser.accessToken); // the signing key outlives a restart
    QCOMPARE(searchIds(*m_owner, u"okapi"_s), QList<qint64>{ id });
    QVERIFY(searchIds(*m_owner, u"ibex"_s).isEmpty());
}

QTEST_GUILESS_MAIN(TestSearchIndex)
#include "tst_searchindex.moc"
