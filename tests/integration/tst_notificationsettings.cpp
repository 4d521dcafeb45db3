// Notification settings through the real tasklaned: each user's channels per event type, quiet
// hours and digest at GET/PATCH /api/v1/users/me/notification-settings, every bad field refused
// by name; a channel turned off is not used, and quiet hours hold email back until they end
// while the in-app notice comes at once; a setting saved applies from the very next change.
#include "accountfixtures.h"
#include "smtptestserver.h"
#include "taskfixtures.h"
#include "testserver.h"
#include "user.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

class TestNotificationSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaultsThenChangesAreKept();
    void badSettingsAreRefused_data();
    void badSettingsAreRefused();
    void aChannelTurnedOffIsNotUsed();
    void aSettingAppliesFromTheNextChange();
    void quietHoursHoldEmailUntilTheyEnd();

private:
    std::unique_ptr<TestServer> m_server;
};

namespace {

const QString SettingsPath = u"/api/v1/users/me/notification-settings"_s;

int mailsTo(const TestServer &server, const QString &address)
{
    int count = 0;
    for (const ReceivedMail &mail : notices(outboxOf(server)))
        count += mail.header("To").contains(address);
    return count;
}

QList<QJsonObject> notificationsOf(ApiClient &client, const QString &type)
{
    QList<QJsonObject> items;
    ApiReply *reply = finished(client.send("GET", u"/api/v1/notifications"_s));
    for (const QJsonValue &item : reply->json().value(u"items"_s).toArray()) {
        if (item.toObject().value(u"type"_s).toString() == type)
            items.append(item.toObject());
    }
    return items;
}

qint64 taskWithReminderIn(ApiClient &client, const QString &title, int seconds)
{
    return createTaskId(
            client, title,
            { { u"due_at"_s, apiTimeIn(2 * 3600) }, // no due-soon alert meanwhile
              { u"reminders"_s, QJsonArray{ QJsonObject{ { u"at"_s, apiTimeIn(seconds) } } } } });
}

} // namespace

void TestNotificationSettings::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestNotificationSettings::defaultsThenChangesAreKept()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    ApiReply *reply = finished(ada.api().send("GET", SettingsPath));
    QCOMPARE(reply->status(), 200);
    const QJsonObject defaults = reply->json();
    const QJsonObject events = defaults.value(u"events"_s).toObject();
    QCOMPARE(events.keys().size(), 6);
    for (const QString &type : { u"shared"_s, u"changed"_s, u"reminder"_s, u"due_soon"_s,
                                 u"overdue"_s, u"blocker_done"_s }) {
        const QJsonObject channels = events.value(type).toObject();
        QCOMPARE(channels.value(u"in_app"_s), QJsonValue(true));
        QCOMPARE(channels.value(u"email"_s), QJsonValue(true));
        QCOMPARE(channels.value(u"push"_s), QJsonValue(false));
        QCOMPARE(channels.value(u"sms"_s), QJsonValue(false));
    }
    QVERIFY(defaults.value(u"quiet_hours"_s).isNull());
    QCOMPARE(defaults.value(u"digest"_s).toObject().value(u"enabled"_s), QJsonValue(false));
    QCOMPARE(defaults.value(u"digest"_s).toObject().value(u"hour"_s).toInt(), 7);

    reply = finished(ada.api().sendJson(
            "PATCH", SettingsPath,
            { { u"events"_s,
                QJsonObject{ { u"changed"_s, QJsonObject{ { u"email"_s, false } } } } },
              { u"quiet_hours"_s,
                QJsonObject{ { u"start"_s, u"22:30"_s }, { u"end"_s, u"07:00"_s } } },
              { u"digest"_s, QJsonObject{ { u"enabled"_s, true }, { u"hour"_s, 6 } } } }));
    QCOMPARE(reply->status(), 200);
    // Only what was named changed; the answer is what GET says from now on.
    const QJsonObject changed = reply->json();
    QCOMPARE(finished(ada.api().send("GET", SettingsPath))->json(), changed);
    const QJsonObject changedEvents = changed.value(u"events"_s).toObject();
    QCOMPARE(changedEvents.value(u"changed"_s).toObject().value(u"email"_s), QJsonValue(false));
    QCOMPARE(changedEvents.value(u"changed"_s).toObject().value(u"in_app"_s), QJsonValue(true));
    QCOMPARE(changedEvents.value(u"reminder"_s), events.value(u"reminder"_s));
    QCOMPARE(changed.value(u"quiet_hours"_s).toObject().value(u"start"_s).toString(), u"22:30"_s);
    QCOMPARE(changed.value(u"digest"_s).toObject().value(u"hour"_s).toInt(), 6);
    QCOMPARE(changed.value(u"digest"_s).toObject().value(u"instead_of_email"_s), QJsonValue(false));

    // Quiet hours are removed with null; another user's settings are their own.
    reply = finished(ada.api().sendJson("PATCH", SettingsPath,
                                        { { u"quiet_hours"_s, QJsonValue(QJsonValue::Null) } }));
    QCOMPARE(reply->status(), 200);
    QVERIFY(reply->json().value(u"quiet_hours"_s).isNull());
    Account bob = signUpVerified(*m_server, u"bob"_s);
    QCOMPARE(finished(bob.api().send("GET", SettingsPath))->json(), defaults);
}

void TestNotificationSettings::badSettingsAreRefused_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("code");
    const auto events = [](const QString &type, const QJsonObject &channels) {
        return QJsonObject{ { u"events"_s, QJsonObject{ { type, channels } } } };
    };
    const auto quiet = [](const QJsonObject &hours) {
        return QJsonObject{ { u"quiet_hours"_s, hours } };
    };
    const auto digest = [](const QJsonObject &fields) {
        return QJsonObject{ { u"digest"_s, fields } };
    };
    QTest::newRow("an unknown event type") << events(u"birthday"_s, { { u"email"_s, true } })
                                           << u"events.birthday"_s << u"unknown_field"_s;
    QTest::newRow("an unknown channel") << events(u"reminder"_s, { { u"pigeon"_s, true } })
                                        << u"events.reminder.pigeon"_s << u"unknown_field"_s;
    QTest::newRow("a channel not a boolean") << events(u"reminder"_s, { { u"email"_s, u"yes"_s } })
                                             << u"events.reminder.email"_s << u"wrong_type"_s;
    QTest::newRow("events not an object")
            << QJsonObject{ { u"events"_s, QJsonArray{} } } << u"events"_s << u"wrong_type"_s;
    QTest::newRow("a time not HH:MM")
            << quiet({ { u"start"_s, u"7:00"_s }, { u"end"_s, u"08:00"_s } })
            << u"quiet_hours.start"_s << u"invalid_format"_s;
    QTest::newRow("an hour past 23")
            << quiet({ { u"start"_s, u"22:00"_s }, { u"end"_s, u"24:00"_s } })
            << u"quiet_hours.end"_s << u"invalid_format"_s;
    QTest::newRow("no end") << quiet({ { u"start"_s, u"22:00"_s } }) << u"quiet_hours.end"_s
                            << u"required"_s;
    QTest::newRow("ending when they start")
            << quiet({ { u"start"_s, u"22:00"_s }, { u"end"_s, u"22:00"_s } })
            << u"quiet_hours.end"_s << u"invalid_value"_s;
    QTest::newRow("a digest hour of 24")
            << digest({ { u"hour"_s, 24 } }) << u"digest.hour"_s << u"out_of_range"_s;
    QTest::newRow("a digest hour with a fraction")
            << digest({ { u"hour"_s, 6.5 } }) << u"digest.hour"_s << u"wrong_type"_s;
    QTest::newRow("an unknown digest field")
            << digest({ { u"weekly"_s, true } }) << u"digest.weekly"_s << u"unknown_field"_s;
    QTest::newRow("an unknown field")
            << QJsonObject{ { u"volume"_s, 11 } } << u"volume"_s << u"unknown_field"_s;
}

void TestNotificationSettings::badSettingsAreRefused()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, field);
    QFETCH(QString, code);
    Account ada = signUpVerified(*m_server, u"ada"_s);
    const QJsonObject before = finished(ada.api().send("GET", SettingsPath))->json();
    ApiReply *reply = finished(ada.api().sendJson("PATCH", SettingsPath, body));
    QVERIFY2(isProblem(reply, 422, u"validation-failed"_s), reply->body().constData());
    QVERIFY2(namesField(reply, field, code), reply->body().constData());
    QCOMPARE(finished(ada.api().send("GET", SettingsPath))->json(), before); // nothing kept
}

void TestNotificationSettings::aChannelTurnedOffIsNotUsed()
{
    Account ada = signUpVerified(*m_server, u"ada"_s);
    QCOMPARE(finished(ada.api().sendJson(
                              "PATCH", SettingsPath,
                              { { u"events"_s,
                                  QJsonObject{ { u"reminder"_s,
                                                 QJsonObject{ { u"email"_s, false } } } } } }))
                     ->status(),
             200);
    QVERIFY(taskWithReminderIn(ada.api(), u"Water the plants"_s, 1) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(notificationsOf(ada.api(), u"reminder"_s).size(), 1, 15'000);
    QTest::qWait(2000); // an email would have been sent with the notice
    QCOMPARE(mailsTo(*m_server, ada.user.email), 0);
}

void TestNotificationSettings::aSettingAppliesFromTheNextChange()
{
    // The server keeps users' settings between changes (a task with many readers changes
    // often): a setting saved is nonetheless what the very next change goes by.
    Account ada = signUpVerified(*m_server, u"ada"_s);
    Account bob = signUpVerified(*m_server, u"bob"_s);
    const qint64 id = createTaskId(ada.api(), u"Shared plan"_s);
    QCOMPARE(finished(ada.api().sendJson(
                              "POST", u"/api/v1/tasks/%1/assign"_s.arg(id),
                              { { u"user_id"_s, bob.id() }, { u"permission"_s, u"edit"_s } }))
                     ->status(),
             200);
    const auto inApp = [&ada](bool on) {
        return finished(ada.api().sendJson(
                                "PATCH", SettingsPath,
                                { { u"events"_s,
                                    QJsonObject{ { u"changed"_s,
                                                   QJsonObject{ { u"in_app"_s, on } } } } } }))
                ->status();
    };
    int n = 0;
    const auto bobChangesIt = [&] {
        return patchTask(bob.api(), id, { { u"title"_s, u"Shared plan %1"_s.arg(++n) } })->status();
    };
    QCOMPARE(bobChangesIt(), 200);
    QCOMPARE(notificationsOf(ada.api(), u"changed"_s).size(), 1);
    QCOMPARE(inApp(false), 200);
    QCOMPARE(bobChangesIt(), 200);
    QCOMPARE(notificationsOf(ada.api(), u"changed"_s).size(), 1);
    QCOMPARE(inApp(true), 200);
    QCOMPARE(bobChangesIt(), 200);
    QCOMPARE(notificationsOf(ada.api(), u"changed"_s).size(), 2);
}

void TestNotificationSettings::quietHoursHoldEmailUntilTheyEnd()
{
    Account ada = signUpVerified(*m_server, u"ada"_s); // time zone UTC
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Quiet since two minutes ago, until the next whole minute at least 15 s away.
    QDateTime end = QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()), Qt::UTC)
                            .addSecs(60);
    if (now.secsTo(end) < 15)
        end = end.addSecs(60);
    const QJsonObject hours{ { u"start"_s, now.addSecs(-120).toString(u"HH:mm"_s) },
                             { u"end"_s, end.toString(u"HH:mm"_s) } };
    QCOMPARE(finished(ada.api().sendJson("PATCH", SettingsPath, { { u"quiet_hours"_s, hours } }))
                     ->status(),
             200);
    QVERIFY(taskWithReminderIn(ada.api(), u"Call the plumber"_s, 1) > 0);
    // The in-app notice is not held back...
    QTRY_COMPARE_WITH_TIMEOUT(notificationsOf(ada.api(), u"reminder"_s).size(), 1, 15'000);
    // ...the email is, until the quiet hours end.
    while (QDateTime::currentDateTimeUtc().secsTo(end) > 2) {
        QCOMPARE(mailsTo(*m_server, ada.user.email), 0);
        QTest::qWait(1000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(mailsTo(*m_server, ada.user.email), 1, 20'000);
    QVERIFY(QDateTime::currentDateTimeUtc() >= end);
    for (const ReceivedMail &mail : notices(outboxOf(*m_server))) {
        if (mail.header("To").contains(ada.user.email))
            QCOMPARE(mail.header("Subject"), u"Reminder: Call the plumber"_s);
    }
}

QTEST_GUILESS_MAIN(TestNotificationSettings)
#include "tst_notificationsettings.moc"
