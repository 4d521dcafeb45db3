// Phone numbers and SMS through the real tasklaned and a fake provider (smsprovider.py) that
// checks its credentials: a number takes effect only once the six-digit code sent to it is
// confirmed (wrong codes counted, codes rate-limited, a provider's refusal a 502); reminders go
// out by SMS to a verified number when the user turned SMS on; a number the provider refuses
// for good is recorded and not tried again; without a provider, messages land in sms-outbox.
#include "smstestprovider.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestSms : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aNumberTakesEffectOnceItsCodeIsConfirmed();
    void wrongCodesAreCountedAndCodesRateLimited();
    void badNumbersAreRefused_data();
    void badNumbersAreRefused();
    void aProviderRefusingTheCodeIsABadGateway();
    void aReminderGoesOutBySms();
    void aNumberRefusedForGoodIsNotTriedAgain();
    void withoutAProviderMessagesGoToTheOutbox();

private:
    SmsTestProvider m_provider;
    std::unique_ptr<TestServer> m_server;
};

namespace {

const QString PhonePath = u"/api/v1/users/me/phone"_s;

// The code in the last message to `number`.
QString codeSentTo(const SmsTestProvider &provider, const QString &number)
{
    static const QRegularExpression sixDigits(u"\\b([0-9]{6})\\b"_s);
    QString code;
    for (const QJsonObject &message : provider.messages()) {
        if (message.value(u"to"_s).toString() == number)
            code = sixDigits.match(message.value(u"body"_s).toString()).captured(1);
    }
    return code;
}

int messagesTo(const SmsTestProvider &provider, const QString &number)
{
    int count = 0;
    for (const QJsonObject &message : provider.messages())
        count += message.value(u"to"_s).toString() == number;
    return count;
}

ApiReply *addNumber(Account &account, const QString &number)
{
    return finished(account.api().sendJson("POST", PhonePath, { { u"phone"_s, number } }));
}

ApiReply *confirm(Account &account, const QString &code)
{
    return finished(
            account.api().sendJson("POST", PhonePath + u"/verify"_s, { { u"code"_s, code } }));
}

bool turnOnSms(Account &account)
{
    return finished(account.api().sendJson(
                            "PATCH", u"/api/v1/users/me/notification-settings"_s,
                            { { u"events"_s,
                                QJsonObject{
                                        { u"reminder"_s, QJsonObject{ { u"sms"_s, true } } } } } }))
                   ->status()
            == 200;
}

qint64 taskWithReminderIn(ApiClient &client, const QString &title, int seconds)
{
    return createTaskId(
            client, title,
            { { u"due_at"_s, apiTimeIn(2 * 3600) },
              { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, apiTimeIn(seconds) } } } } });
}

} // namespace

void TestSms::initTestCase()
{
    QVERIFY(m_provider.start());
    TestServer::Options options;
    // Retries a second apart, so that a retry would show within the tests' waits.
    options.arguments
            = m_provider.serverArguments() + QStringList{ u"--job-retry-base-seconds"_s, u"1"_s };
    options.environment.insert(u"TASKLANE_SMS_TOKEN"_s,
                               QString::fromLatin1(SmsTestProvider::Token));
    m_server = std::make_unique<TestServer>(options);
    QVERIFY(m_server->start());
    QTRY_VERIFY(m_server->logs().contains("text messages go to http://127.0.0.1"));
    QVERIFY(!m_server->logs().contains(SmsTestProvider::Token)); // secrets never logged
}

void TestSms::aNumberTakesEffectOnceItsCodeIsConfirmed()
{
    Account ada = signUpAccount(m_server->url(), u"ada"_s);
    const QString number = u"+4915112345601"_s;
    ApiReply *added = addNumber(ada, number);
    QCOMPARE(added->status(), 202);
    QCOMPARE(added->json().value(u"phone"_s).toString(), number);
    const QDateTime expires = fromApiTimestamp(added->json().value(u"expires_at"_s).toString());
    QVERIFY(QDateTime::currentDateTimeUtc().secsTo(expires) > 9 * 60);
    QCOMPARE(messagesTo(m_provider, number), 1);
    const QJsonObject sent = m_provider.messages().last();
    QVERIFY(sent.value(u"authorized"_s).toBool());
    QCOMPARE(sent.value(u"from"_s).toString(), u"+15005550006"_s);
    const QString code = codeSentTo(m_provider, number);
    QCOMPARE(code.size(), 6);
    // Pending until confirmed.
    QJsonObject status = finished(ada.api().send("GET", PhonePath))->json();
    QVERIFY(status.value(u"phone"_s).isNull());
    QCOMPARE(status.value(u"pending"_s).toObject().value(u"phone"_s).toString(), number);
    QVERIFY(!status.contains(u"code"_s));

    ApiReply *confirmed = confirm(ada, code);
    QCOMPARE(confirmed->status(), 200);
    QCOMPARE(confirmed->json().value(u"phone"_s).toString(), number);
    status = finished(ada.api().send("GET", PhonePath))->json();
    QCOMPARE(status.value(u"phone"_s).toString(), number);
    QVERIFY(status.value(u"pending"_s).isNull());
    // A code is good once.
    QVERIFY(namesField(confirm(ada, code), u"code"_s, u"not_found"_s));
    // Removing it stops SMS.
    QCOMPARE(finished(ada.api().send("DELETE", PhonePath))->status(), 204);
    QVERIFY(finished(ada.api().send("GET", PhonePath))->json().value(u"phone"_s).isNull());
    QCOMPARE(finished(ada.api().send("DELETE", PhonePath))->status(), 404);
    // Set and removed: two profile changes in the activity log (the number is not in it).
    ApiReply *activity = finished(
            ada.api().send("GET", u"/api/v1/users/me/activity?action=user.profile_changed"_s));
    const QJsonArray entries = activity->json().value(u"items"_s).toArray();
    QCOMPARE(entries.size(), 2);
    for (const QJsonValue &entry : entries)
        QCOMPARE(entry.toObject().value(u"details"_s).toObject().value(u"fields"_s).toArray(),
                 QJsonArray{ u"sms_phone"_s });
    QVERIFY(!activity->body().contains(number.toUtf8()));
}

void TestSms::wrongCodesAreCountedAndCodesRateLimited()
{
    Account bob = signUpAccount(m_server->url(), u"bob"_s);
    const QString number = u"+4915112345602"_s;
    QCOMPARE(addNumber(bob, number)->status(), 202);
    const QString code = codeSentTo(m_provider, number);
    const QString wrong = code == u"000000" ? u"111111"_s : u"000000"_s;
    // Another code within the minute: refused, saying when to try again.
    ApiReply *again = addNumber(bob, number);
    QVERIFY2(isProblem(again, 429, u"too-many-requests"_s), again->body().constData());
    const int retryAfter = again->header("Retry-After").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= 60, again->header("Retry-After").constData());
    QCOMPARE(messagesTo(m_provider, number), 1);
    // Four wrong codes are counted; the fifth ends the code, and the right one no longer works.
    for (int i = 0; i < 4; ++i)
        QVERIFY(namesField(confirm(bob, wrong), u"code"_s, u"invalid_value"_s));
    QVERIFY(namesField(confirm(bob, wrong), u"code"_s, u"too_many"_s));
    ApiReply *late = confirm(bob, code);
    QVERIFY2(isProblem(late, 422, u"validation-failed"_s), late->body().constData());
    QVERIFY(namesField(late, u"code"_s, u"too_many"_s));
    QVERIFY(finished(bob.api().send("GET", PhonePath))->json().value(u"phone"_s).isNull());
}

void TestSms::badNumbersAreRefused_data()
{
    QTest::addColumn<QJsonValue>("phone");
    QTest::newRow("no plus") << QJsonValue(u"4915112345678"_s);
    QTest::newRow("a country code starting with 0") << QJsonValue(u"+0915112345678"_s);
    QTest::newRow("spaces") << QJsonValue(u"+49 151 1234567"_s);
    QTest::newRow("too short") << QJsonValue(u"+12345"_s);
    QTest::newRow("sixteen digits") << QJsonValue(u"+1234567890123456"_s);
    QTest::newRow("letters") << QJsonValue(u"+49151CALLME"_s);
    QTest::newRow("a number, not a string") << QJsonValue(4915112345678.0);
}

void TestSms::badNumbersAreRefused()
{
    QFETCH(QJsonValue, phone);
    Account ada = signUpAccount(m_server->url(), u"ada"_s);
    const int before = int(m_provider.messages().size());
    ApiReply *reply = finished(ada.api().sendJson("POST", PhonePath, { { u"phone"_s, phone } }));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY(namesField(reply, u"phone"_s));
    QCOMPARE(m_provider.messages().size(), before); // nothing sent
}

void TestSms::aProviderRefusingTheCodeIsABadGateway()
{
    Account cat = signUpAccount(m_server->url(), u"cat"_s);
    ApiReply *reply = addNumber(cat, u"+15559990001"_s); // the provider answers 503
    QVERIFY2(isProblem(reply, 502, u"upstream-failed"_s), reply->body().constData());
    QVERIFY(finished(cat.api().send("GET", PhonePath))->json().value(u"pending"_s).isNull());
}

void TestSms::aReminderGoesOutBySms()
{
    Account dan = signUpAccount(m_server->url(), u"dan"_s);
    const QString number = u"+4915112345604"_s;
    QCOMPARE(addNumber(dan, number)->status(), 202);
    QCOMPARE(confirm(dan, codeSentTo(m_provider, number))->status(), 200);
    QVERIFY(turnOnSms(dan));
    const qint64 id = taskWithReminderIn(dan.api(), u"Water the plants"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(messagesTo(m_provider, number), 2, 15'000);
    const QJsonObject sms = m_provider.messages().last();
    QCOMPARE(sms.value(u"to"_s).toString(), number);
    QVERIFY2(sms.value(u"body"_s).toString().startsWith(u"Reminder: Water the plants http"_s),
             qPrintable(sms.value(u"body"_s).toString()));
    QVERIFY(sms.value(u"body"_s).toString().endsWith(u"/api/v1/tasks/%1"_s.arg(id)));
    QTest::qWait(1500);
    QCOMPARE(messagesTo(m_provider, number), 2); // once
}

void TestSms::aNumberRefusedForGoodIsNotTriedAgain()
{
    Account eve = signUpAccount(m_server->url(), u"eve"_s);
    // A number that was verified once and that the provider no longer reaches.
    const QString number = u"+15550001234"_s;
    QVERIFY(m_server->executeSql(
            u"UPDATE users SET phone = '%1' WHERE id = %2"_s.arg(number).arg(eve.id())));
    QVERIFY(turnOnSms(eve));
    QVERIFY(taskWithReminderIn(eve.api(), u"Pay the rent"_s, 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(messagesTo(m_provider, number), 1, 15'000);
    QTest::qWait(3000); // a retry (1 s base) would have come by now
    QCOMPARE(messagesTo(m_provider, number), 1);
    QCOMPARE(m_provider.messages().last().value(u"status"_s).toInt(), 400);
}

void TestSms::withoutAProviderMessagesGoToTheOutbox()
{
    TestServer server;
    QVERIFY(server.start());
    QTRY_VERIFY(server.logs().contains("text messages go to outbox folder"));
    Account ada = signUpAccount(server.url(), u"ada"_s);
    QCOMPARE(addNumber(ada, u"+4915112345605"_s)->status(), 202);
    const QDir outbox(server.dataDir() + u"/sms-outbox"_s);
    QCOMPARE(outbox.entryList({ u"*.json"_s }, QDir::Files).size(), 1);
}

QTEST_GUILESS_MAIN(TestSms)
#include "tst_sms.moc"
