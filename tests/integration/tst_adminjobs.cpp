// The administrators' routes for background work, through the real tasklaned: only an admin
// lists jobs and the delivery log and retries dead jobs; each attempt of a delivery is in the
// log with its outcome; bad parameters are 400, unknown jobs 404, a job that is not dead 409.
#include "accountfixtures.h"
#include "activity.h"
#include "job.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestAdminJobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void onlyAdministratorsSeeBackgroundWork_data();
    void onlyAdministratorsSeeBackgroundWork();
    void deadJobsAreListedAndRetried();
    void everyAttemptIsInTheDeliveryLog();
    void badParametersAreRefused_data();
    void badParametersAreRefused();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<ApiClient> m_admin;
};

void TestAdminJobs::initTestCase()
{
    TestServer::Options options;
    options.arguments = { u"--job-lease-seconds"_s, u"2"_s };
    m_server = std::make_unique<TestServer>(options);
    const QString password = strongPassword();
    QCOMPARE(m_server->runCommand({ u"user"_s, u"create"_s, u"--email"_s, u"root@example.com"_s,
                                    u"--role"_s, u"admin"_s },
                                  password.toUtf8() + '\n'),
             0);
    QVERIFY(m_server->start());
    m_admin = std::make_unique<ApiClient>(m_server->url());
    ApiReply *login = finished(m_admin->login(u"root@example.com"_s, password));
    QCOMPARE(login->status(), 200);
    m_admin->setAccessToken(login->json().value(u"access_token"_s).toString());
}

void TestAdminJobs::onlyAdministratorsSeeBackgroundWork_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("jobs") << QByteArray("GET") << u"/api/v1/admin/jobs"_s;
    QTest::newRow("retry") << QByteArray("POST") << u"/api/v1/admin/jobs/1/retry"_s;
    QTest::newRow("deliveries") << QByteArray("GET") << u"/api/v1/admin/deliveries"_s;
}

void TestAdminJobs::onlyAdministratorsSeeBackgroundWork()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    Account user = signUpAccount(m_server->url(), u"plain"_s);
    QCOMPARE(finished(user.api().send(method, path))->status(), 403);
    ApiClient anonymous(m_server->url());
    QCOMPARE(finished(anonymous.send(method, path))->status(), 401);
}

void TestAdminJobs::deadJobsAreListedAndRetried()
{
    QVERIFY(m_server->executeSql(
            u"INSERT INTO jobs (uid, kind, payload, status, run_at, attempts, created_at, "
            "updated_at) VALUES ('admin-test', 'unheard-of', '{}', 'queued', "
            "'2020-01-01T00:00:00.000Z', 0, '2020-01-01T00:00:00.000Z', "
            "'2020-01-01T00:00:00.000Z')"_s));
    QJsonObject dead;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                ApiReply *reply = finished(
                        m_admin->send("GET", u"/api/v1/admin/jobs?status=dead&kind=unheard-of"_s));
                const QJsonArray items = reply->json().value(u"items"_s).toArray();
                if (reply->status() != 200 || items.isEmpty())
                    return false;
                dead = items.first().toObject();
                return true;
            }(),
            10'000);
    QCOMPARE(dead.value(u"uid"_s).toString(), u"admin-test"_s);
    const qint64 id = dead.value(u"id"_s).toInteger();
    ApiReply *retried = finished(m_admin->send("POST", u"/api/v1/admin/jobs/%1/retry"_s.arg(id)));
    QCOMPARE(retried->status(), 200);
    QCOMPARE(retried->json().value(u"status"_s).toString(), u"queued"_s);
    QCOMPARE(retried->json().value(u"attempts"_s).toInt(), 0);
    // Taken again at once (this process heard of it): dead again after one more attempt.
    QTRY_VERIFY_WITH_TIMEOUT(
            finished(m_admin->send("GET", u"/api/v1/admin/jobs?status=dead&kind=unheard-of"_s))
                            ->json()
                            .value(u"items"_s)
                            .toArray()
                            .size()
                    == 1,
            10'000);
    // A job that is not dead; one that does not exist.
    ApiReply *done = finished(m_admin->send("GET", u"/api/v1/admin/jobs?status=done&limit=1"_s));
    const QJsonArray doneItems = done->json().value(u"items"_s).toArray();
    QCOMPARE(doneItems.size(), 1);
    QCOMPARE(finished(m_admin->send(
                              "POST",
                              u"/api/v1/admin/jobs/%1/retry"_s.arg(
                                      doneItems.first().toObject().value(u"id"_s).toInteger())))
                     ->status(),
             409);
    QCOMPARE(finished(m_admin->send("POST", u"/api/v1/admin/jobs/999999/retry"_s))->status(), 404);
    // The retry is the administrator's in the activity log; the refusals changed nothing.
    ApiReply *log = finished(m_admin->send(
            "GET", u"/api/v1/admin/activity?action=%1"_s.arg(ActivityAction::JobRetried)));
    const QJsonArray entries = log->json().value(u"items"_s).toArray();
    QCOMPARE(entries.size(), 1);
    const QJsonObject entry = entries.first().toObject();
    QCOMPARE(entry.value(u"target_type"_s).toString(), u"job"_s);
    QCOMPARE(entry.value(u"target_id"_s).toInteger(), id);
    QCOMPARE(entry.value(u"actor_id"_s).toInteger(),
             finished(m_admin->me())->json().value(u"id"_s).toInteger());

    // Pages follow each other without repeats.
    QList<qint64> walked;
    QString cursor;
    for (int page = 0; page < 20; ++page) {
        ApiReply *reply = finished(m_admin->send(
                "GET",
                u"/api/v1/admin/jobs?limit=1"_s
                        + (cursor.isEmpty() ? QString()
                                            : u"&cursor="_s
                                           + QString::fromLatin1(
                                                      QUrl::toPercentEncoding(cursor)))));
        QCOMPARE(reply->status(), 200);
        for (const QJsonValue &item : reply->json().value(u"items"_s).toArray())
            walked.append(item.toObject().value(u"id"_s).toInteger());
        if (reply->json().value(u"next_cursor"_s).isNull())
            break;
        cursor = reply->json().value(u"next_cursor"_s).toString();
    }
    QVERIFY(walked.size() >= 2);
    QCOMPARE(QSet<qint64>(walked.cbegin(), walked.cend()).size(), walked.size());
}

void TestAdminJobs::everyAttemptIsInTheDeliveryLog()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    const QString at = toApiTimestamp(QDateTime::currentDateTimeUtc().addSecs(1));
    QVERIFY(createTaskId(ada.api(), u"Logged"_s,
                         { { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, at } } } } })
            > 0);
    const QString path = u"/api/v1/admin/deliveries?user_id=%1"_s.arg(ada.id());
    QJsonArray items;
    QTRY_VERIFY_WITH_TIMEOUT(
            (items = finished(m_admin->send("GET", path))->json().value(u"items"_s).toArray())
                            .size()
                    == 2,
            10'000);
    QSet<QString> channels;
    for (const QJsonValue &value : std::as_const(items)) {
        const QJsonObject attempt = value.toObject();
        channels.insert(attempt.value(u"channel"_s).toString());
        QCOMPARE(attempt.value(u"outcome"_s).toString(), u"sent"_s);
        QCOMPARE(attempt.value(u"event"_s).toString(), u"reminder"_s);
        QCOMPARE(attempt.value(u"user_id"_s).toInteger(), ada.id());
        QVERIFY(attempt.value(u"job_id"_s).toInteger() > 0);
    }
    QCOMPARE(channels, (QSet<QString>{ u"email"_s, u"in_app"_s }));
    const QJsonArray emails = finished(m_admin->send("GET", path + u"&channel=email"_s))
                                      ->json()
                                      .value(u"items"_s)
                                      .toArray();
    QCOMPARE(emails.size(), 1);
    QCOMPARE(emails.first().toObject().value(u"recipient"_s).toString(), ada.user.email);
    QCOMPARE(finished(m_admin->send("GET", path + u"&outcome=permanent_failure"_s))
                     ->json()
                     .value(u"items"_s)
                     .toArray()
                     .size(),
             0);
}

void TestAdminJobs::badParametersAreRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("field");
    QTest::newRow("an unknown status") << u"/api/v1/admin/jobs?status=asleep"_s << u"status"_s;
    QTest::newRow("an unknown parameter") << u"/api/v1/admin/jobs?owner=x"_s << u"owner"_s;
    QTest::newRow("a forged cursor") << u"/api/v1/admin/jobs?cursor=abc.def"_s << u"cursor"_s;
    QTest::newRow("another listing's cursor") << u"deliveries-with-jobs-cursor"_s << u"cursor"_s;
    QTest::newRow("an unknown channel")
            << u"/api/v1/admin/deliveries?channel=fax"_s << u"channel"_s;
    QTest::newRow("an unknown outcome")
            << u"/api/v1/admin/deliveries?outcome=maybe"_s << u"outcome"_s;
    QTest::newRow("a user id that is none")
            << u"/api/v1/admin/deliveries?user_id=-3"_s << u"user_id"_s;
    QTest::newRow("limit 0") << u"/api/v1/admin/deliveries?limit=0"_s << u"limit"_s;
}

void TestAdminJobs::badParametersAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QString, field);
    if (path == u"deliveries-with-jobs-cursor") {
        const QString cursor = finished(m_admin->send("GET", u"/api/v1/admin/jobs?limit=1"_s))
                                       ->json()
                                       .value(u"next_cursor"_s)
                                       .toString();
        QVERIFY(!cursor.isEmpty());
        path = u"/api/v1/admin/deliveries?cursor="_s
                + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
    }
    ApiReply *reply = finished(m_admin->send("GET", path));
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

QTEST_GUILESS_MAIN(TestAdminJobs)
#include "tst_adminjobs.moc"
