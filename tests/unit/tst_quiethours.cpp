// Quiet hours (NotificationSettings::isQuietAt, Notifier::quietUntil): when an email may go out
// for a user whose quiet hours are on their own wall clock, within a day or across midnight,
// across a daylight-saving change, and in a zone far from UTC.
#include "notificationsettings.h"
#include "notifier.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestQuietHours : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emailWaitsUntilQuietHoursEnd_data();
    void emailWaitsUntilQuietHoursEnd();
};

namespace {
QDateTime utc(const QString &text)
{
    return QDateTime::fromString(text, Qt::ISODate).toUTC();
}
} // namespace

void TestQuietHours::emailWaitsUntilQuietHoursEnd_data()
{
    QTest::addColumn<QString>("start");
    QTest::addColumn<QString>("end");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<QDateTime>("deliverAt");

    const QDateTime noon = utc(u"2026-06-10T12:00:00Z"_s);
    QTest::newRow("no quiet hours") << QString() << QString() << u"UTC"_s << noon << noon;
    QTest::newRow("outside, within a day") << u"13:00"_s << u"14:00"_s << u"UTC"_s << noon << noon;
    QTest::newRow("inside, within a day")
            << u"11:30"_s << u"12:45"_s << u"UTC"_s << noon << utc(u"2026-06-10T12:45:00Z"_s);
    QTest::newRow("at the start") << u"12:00"_s << u"13:00"_s << u"UTC"_s << noon
                                  << utc(u"2026-06-10T13:00:00Z"_s);
    QTest::newRow("at the end: not quiet") << u"11:00"_s << u"12:00"_s << u"UTC"_s << noon << noon;
    QTest::newRow("across midnight, before it")
            << u"22:00"_s << u"07:00"_s << u"UTC"_s << utc(u"2026-06-10T23:10:00Z"_s)
            << utc(u"2026-06-11T07:00:00Z"_s);
    QTest::newRow("across midnight, after it")
            << u"22:00"_s << u"07:00"_s << u"UTC"_s << utc(u"2026-06-11T03:00:00Z"_s)
            << utc(u"2026-06-11T07:00:00Z"_s);
    QTest::newRow("across midnight, outside")
            << u"22:00"_s << u"07:00"_s << u"UTC"_s << noon << noon;
    // 23:10 in Berlin (summer, +2) is 21:10 UTC; 07:00 there is 05:00 UTC.
    QTest::newRow("on the user's wall clock")
            << u"22:00"_s << u"07:00"_s << u"Europe/Berlin"_s << utc(u"2026-06-10T21:10:00Z"_s)
            << utc(u"2026-06-11T05:00:00Z"_s);
    // Berlin leaves summer time on 25 October 2026 at 03:00 (+2 to +1): quiet from 22:00 on
    // the 24th (20:00 UTC) until 07:00 on the 25th, which is 06:00 UTC.
    QTest::newRow("across the autumn change")
            << u"22:00"_s << u"07:00"_s << u"Europe/Berlin"_s << utc(u"2026-10-24T21:00:00Z"_s)
            << utc(u"2026-10-25T06:00:00Z"_s);
    // Kiritimati is UTC+14: 10:00 UTC is already midnight there, the next day.
    QTest::newRow("far from UTC") << u"23:00"_s << u"06:00"_s << u"Pacific/Kiritimati"_s
                                  << utc(u"2026-06-10T10:00:00Z"_s)
                                  << utc(u"2026-06-10T16:00:00Z"_s);
}

void TestQuietHours::emailWaitsUntilQuietHoursEnd()
{
    QFETCH(QString, start);
    QFETCH(QString, end);
    QFETCH(QString, zone);
    QFETCH(QDateTime, now);
    QFETCH(QDateTime, deliverAt);
    NotificationSettings settings = NotificationSettings::defaults();
    if (!start.isEmpty()) {
        FieldErrors errors;
        const auto patched = NotificationSettings::patched(
                settings,
                { { u"quiet_hours"_s, QJsonObject{ { u"start"_s, start }, { u"end"_s, end } } } },
                &errors);
        QVERIFY(patched);
        settings = *patched;
        // What is stored reads back the same.
        QCOMPARE(NotificationSettings::fromStoredJson(settings.toJson()), settings);
    }
    QCOMPARE(Notifier::quietUntil(settings, zone, now), deliverAt);
}

QTEST_GUILESS_MAIN(TestQuietHours)
#include "tst_quiethours.moc"
