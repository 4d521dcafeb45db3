// The full-text index behind GET /tasks/search and ?q=, as a user relies on it: a search finds
// every change acknowledged before it (new words found, old ones gone, a purged task gone), an
// ended share hides the task from the former assignee's searches at once, and a change written
// while the server was down (as another tool or a restore would) is found after it restarts.
#include "accountfixtures.h"
#include "taskfixtures.h"
#include "tasklistrepository.h"
#include "testserver.h"

#include <QJsonArray>
#include <QTest>
#include <QUrl>

#include <memory>
#include <vector>

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
    void aRareWordIsFoundInTasksOlderThanTheNewestThousands();

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
    QVERIFY(verifyAddress(*m_owner, m_ownerUser.email, outboxOf(*m_server)));
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

void TestSearchIndex::aRareWordIsFoundInTasksOlderThanTheNewestThousands()
{
    // PostgreSQL looks for the window's matches among a user's newest SearchWalk tasks first,
    // and asks its index for older ones only when those hold too few: a word in a few old tasks
    // must still be found, newest first, as well as in the newest ones.
    ApiClient &owner = *m_owner;
    QList<qint64> expected;
    for (int i = 0; i < 3; ++i)
        expected.prepend(createTaskId(owner, u"Old note %1 about the quokka"_s.arg(i)));
    constexpr int Filler = TaskListRepository::SearchWalk + 100;
    std::vector<std::unique_ptr<ApiClient>> clients;
    for (int c = 0; c < 4; ++c) {
        clients.push_back(std::make_unique<ApiClient>(m_server->url()));
        clients.back()->setAccessToken(m_ownerUser.accessToken);
    }
    for (int sent = 0; sent < Filler;) {
        std::vector<ApiReply *> replies;
        for (int n = 0; n < 64 && sent < Filler; ++n, ++sent)
            replies.push_back(clients[size_t(n % 4)]->sendJson(
                    "POST", u"/api/v1/tasks"_s,
                    { { u"title"_s, u"Filler %1 without the word"_s.arg(sent) } }));
        for (ApiReply *reply : replies) {
            QVERIFY(waitFor(reply));
            QCOMPARE(reply->status(), 201);
        }
    }
    for (int i = 0; i < 2; ++i)
        expected.prepend(createTaskId(owner, u"New note %1 about the quokka"_s.arg(i)));
    QList<qint64> found = searchIds(owner, u"quokka"_s);
    std::sort(found.begin(), found.end(), std::greater<>());
    QCOMPARE(found, expected);
}

QTEST_GUILESS_MAIN(TestSearchIndex)
#include "tst_searchindex.moc"
