// Web Push through the real tasklaned and a local push service (pushreceiver.py) that checks
// and decrypts what arrives as a browser's would: the VAPID key is kept across restarts; a
// subscription must name a public https:// endpoint and a real P-256 key (internal addresses
// are refused: the server cannot be turned against them); a reminder reaches every subscribed
// browser, encrypted and signed, with the job's uid as its Topic; a push service answering 410
// ends that subscription.
#include "pushtestreceiver.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestWebPush : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theVapidKeyOutlivesARestart();
    void subscriptionsAreChecked_data();
    void subscriptionsAreChecked();
    void aReminderIsPushedToEveryBrowser();

private:
    std::unique_ptr<TestServer> m_server; // for the rows of subscriptionsAreChecked
};

namespace {

const QString SubscribePath = u"/api/v1/notifications/subscribe"_s;

// A browser's subscription with a real key, for an endpoint of our choosing.
QJsonObject subscriptionFor(const QString &endpoint)
{
    return { { u"endpoint"_s, endpoint },
             { u"keys"_s,
               QJsonObject{ { u"p256dh"_s,
                              u"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7"
                              "Vd8pZGH6SRpkNtoIAiw4"_s },
                            { u"auth"_s, u"BTBZMqHH6r4Tts7J_aSIgg"_s } } } };
}

QString vapidKeyOf(ApiClient &client)
{
    ApiReply *reply = finished(client.send("GET", u"/api/v1/notifications/vapid-public-key"_s));
    return reply->status() == 200 ? reply->json().value(u"public_key"_s).toString() : QString();
}

} // namespace

void TestWebPush::theVapidKeyOutlivesARestart()
{
    TestServer server;
    QVERIFY(server.start());
    Account ada = signUpAccount(server.url(), u"ada"_s);
    const QString key = vapidKeyOf(ada.api());
    const QByteArray raw = QByteArray::fromBase64(key.toLatin1(), QByteArray::Base64UrlEncoding);
    QCOMPARE(raw.size(), 65);
    QCOMPARE(raw.at(0), '\x04');
    QVERIFY(!key.contains(u'='));
    QCOMPARE(server.stop(), 0);
    QVERIFY(server.start());
    reconnect(ada, server.url());
    QCOMPARE(vapidKeyOf(ada.api()), key); // subscriptions made with it still work
    // Kept like the signing key: in the data folder, for its owner alone.
    const QFile::Permissions mode = QFile::permissions(server.dataDir() + u"/vapid-private-key"_s);
    QCOMPARE(mode & (QFile::ReadOwner | QFile::WriteOwner), QFile::ReadOwner | QFile::WriteOwner);
    QCOMPARE(mode & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    // Nobody but a signed-in user asks for it.
    ApiClient anonymous(server.url());
    QCOMPARE(finished(anonymous.send("GET", u"/api/v1/notifications/vapid-public-key"_s))->status(),
             401);
}

void TestWebPush::subscriptionsAreChecked_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    const auto withKeys = [](const QJsonObject &keys) {
        return QJsonObject{ { u"endpoint"_s, u"https://push.example.net/send/abc"_s },
                            { u"keys"_s, keys } };
    };
    const QJsonObject good = subscriptionFor(u"https://push.example.net/x"_s);
    const QString p256dh = good.value(u"keys"_s).toObject().value(u"p256dh"_s).toString();
    const QString auth = good.value(u"keys"_s).toObject().value(u"auth"_s).toString();
    // Internal addresses: the server must not be made to post to them.
    QTest::newRow("plain http") << subscriptionFor(u"http://push.example.net/x"_s) << u"endpoint"_s
                                << u"invalid_value"_s;
    QTest::newRow("a private address")
            << subscriptionFor(u"https://10.1.2.3/x"_s) << u"endpoint"_s << u"invalid_value"_s;
    QTest::newRow("the cloud metadata address")
            << subscriptionFor(u"https://169.254.169.254/latest/meta-data"_s) << u"endpoint"_s
            << u"invalid_value"_s;
    QTest::newRow("loopback by name") << subscriptionFor(u"https://localhost:8443/x"_s)
                                      << u"endpoint"_s << u"invalid_value"_s;
    QTest::newRow("loopback IPv6")
            << subscriptionFor(u"https://[::1]/x"_s) << u"endpoint"_s << u"invalid_value"_s;
    QTest::newRow("an IPv4-mapped private address")
            << subscriptionFor(u"https://[::ffff:192.168.1.1]/x"_s) << u"endpoint"_s
            << u"invalid_value"_s;
    QTest::newRow("a unique local IPv6 address")
            << subscriptionFor(u"https://[fd00::1]/x"_s) << u"endpoint"_s << u"invalid_value"_s;
    QTest::newRow("credentials in the URL")
            << subscriptionFor(u"https://user:pw@push.example.net/x"_s) << u"endpoint"_s
            << u"invalid_value"_s;
    QTest::newRow("not a URL") << subscriptionFor(u"push me"_s) << u"endpoint"_s
                               << u"invalid_value"_s;
    QTest::newRow("no endpoint") << QJsonObject{ { u"keys"_s, good.value(u"keys"_s) } }
                                 << u"endpoint"_s << u"required"_s;
    QTest::newRow("no keys") << QJsonObject{ { u"endpoint"_s, u"https://push.example.net/x"_s } }
                             << u"keys"_s << u"required"_s;
    QTest::newRow("a key too short")
            << withKeys({ { u"p256dh"_s, p256dh.left(40) }, { u"auth"_s, auth } })
            << u"keys.p256dh"_s << u"invalid_length"_s;
    const QString offCurve = QString(p256dh.left(40) + u"AAAA"_s + p256dh.mid(44));
    QTest::newRow("a key off the curve")
            << withKeys({ { u"p256dh"_s, offCurve }, { u"auth"_s, auth } }) << u"keys.p256dh"_s
            << u"invalid_value"_s;
    QTest::newRow("an auth secret of 15 bytes")
            << withKeys({ { u"p256dh"_s, p256dh }, { u"auth"_s, u"BTBZMqHH6r4Tts7J_aSI"_s } })
            << u"keys.auth"_s << u"invalid_length"_s;
    QTest::newRow("base64 that is not base64url")
            << withKeys({ { u"p256dh"_s, p256dh }, { u"auth"_s, u"BTBZMqHH6r4Tts7J/aSIgg"_s } })
            << u"keys.auth"_s << u"invalid_format"_s;
}

void TestWebPush::subscriptionsAreChecked()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    if (!m_server) { // one server for every row (no push_allow_loopback: production's rules)
        m_server = std::make_unique<TestServer>();
        QVERIFY(m_server->start());
    }
    Account ada = signUpAccount(m_server->url(), u"ada"_s);
    ApiReply *reply = finished(ada.api().sendJson("POST", SubscribePath, body));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
}

void TestWebPush::aReminderIsPushedToEveryBrowser()
{
    PushTestReceiver receiver;
    QVERIFY(receiver.start(3, 1)); // the first answers 410 Gone
    TestServer::Options options;
    options.arguments = { u"--push-allow-loopback"_s, u"true"_s };
    TestServer server(options);
    QVERIFY(server.start());
    Account ada = signUpAccount(server.url(), u"ada"_s);
    const QList<QJsonObject> browsers = receiver.subscriptions();
    QCOMPARE(browsers.size(), 3);
    for (const QJsonObject &browser : browsers)
        QCOMPARE(finished(ada.api().sendJson("POST", SubscribePath, browser))->status(), 201);
    // The same browser again: the same subscription.
    ApiReply *again = finished(ada.api().sendJson("POST", SubscribePath, browsers.at(2)));
    QCOMPARE(again->status(), 200);
    QCOMPARE(again->json().value(u"endpoint"_s).toString(),
             browsers.at(2).value(u"endpoint"_s).toString());
    QVERIFY(!again->json().contains(u"keys"_s)); // never shown back
    QCOMPARE(finished(ada.api().sendJson(
                              "PATCH", u"/api/v1/users/me/notification-settings"_s,
                              { { u"events"_s,
                                  QJsonObject{ { u"reminder"_s,
                                                 QJsonObject{ { u"push"_s, true } } } } } }))
                     ->status(),
             200);

    const qint64 id = createTaskId(
            ada.api(), u"Water the plants"_s,
            { { u"due_at"_s, apiTimeIn(2 * 3600) },
              { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, apiTimeIn(1) } } } } });
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(receiver.messages().size(), 3, 15'000);
    QSet<QString> reached;
    QSet<QString> topics;
    for (const QJsonObject &arrived : receiver.messages()) {
        reached.insert(arrived.value(u"subscription"_s).toString());
        topics.insert(arrived.value(u"topic"_s).toString());
        QVERIFY2(arrived.value(u"vapid_ok"_s).toBool(),
                 qPrintable(arrived.value(u"vapid_error"_s).toString()));
        QCOMPARE(arrived.value(u"encoding"_s).toString(), u"aes128gcm"_s);
        QCOMPARE(arrived.value(u"ttl"_s).toString(), u"86400"_s);
        const QJsonObject message = arrived.value(u"message"_s).toObject();
        QVERIFY2(!message.isEmpty(), qPrintable(arrived.value(u"decrypt_error"_s).toString()));
        QCOMPARE(message.value(u"title"_s).toString(), u"Reminder: Water the plants"_s);
        QCOMPARE(message.value(u"event"_s).toString(), u"reminder"_s);
        QCOMPARE(message.value(u"task_id"_s).toInteger(), id);
        QVERIFY(message.value(u"url"_s).toString().endsWith(u"/api/v1/tasks/%1"_s.arg(id)));
    }
    QCOMPARE(reached.size(), 3);
    QCOMPARE(topics.size(), 1); // the job's uid, on every copy
    QVERIFY(!topics.begin()->isEmpty() && topics.begin()->size() <= 32);

    // The browser whose push service said 410 is unsubscribed; the others stay.
    QTRY_COMPARE_WITH_TIMEOUT(
            finished(ada.api().sendJson(
                             "DELETE", SubscribePath,
                             { { u"endpoint"_s, browsers.at(0).value(u"endpoint"_s).toString() } }))
                    ->status(),
            404, 5000);
    QCOMPARE(finished(ada.api().sendJson("DELETE", SubscribePath,
                                         { { u"endpoint"_s,
                                             browsers.at(1).value(u"endpoint"_s).toString() } }))
                     ->status(),
             204);
    // A second reminder reaches the one browser left, once.
    QVERIFY(createTaskId(
                    ada.api(), u"Feed the cat"_s,
                    { { u"due_at"_s, apiTimeIn(2 * 3600) },
                      { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, apiTimeIn(1) } } } } })
            > 0);
    QTRY_COMPARE_WITH_TIMEOUT(receiver.messages().size(), 4, 15'000);
    QCOMPARE(receiver.messages().last().value(u"subscription"_s).toString(), u"sub2"_s);
    QTest::qWait(1500);
    QCOMPARE(receiver.messages().size(), 4);
}

QTEST_GUILESS_MAIN(TestWebPush)
#include "tst_webpush.moc"
