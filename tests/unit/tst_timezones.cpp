// TimeZones: the zone whitelist, and wall clock <-> UTC conversions that follow RFC 5545 §3.3.5
// in DST gaps and overlaps (where QDateTime does not).
#include "timezones.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

QDateTime utc(const QString &text)
{
    QDateTime instant = QDateTime::fromString(text, Qt::ISODate);
    instant.setTimeSpec(Qt::UTC);
    return instant;
}

} // namespace

class TestTimeZones : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyWhitelistedNamesAreKnown_data();
    void onlyWhitelistedNamesAreKnown();
    void instantOfFollowsRfc5545_data();
    void instantOfFollowsRfc5545();
    void wallClockAtAnInstant_data();
    void wallClockAtAnInstant();
    void wallClockRoundTripsAroundTransitions();
    void startOfDayIsTheFirstInstantOfTheDate_data();
    void startOfDayIsTheFirstInstantOfTheDate();
};

void TestTimeZones::onlyWhitelistedNamesAreKnown_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("known");
    QTest::newRow("Europe/Berlin is a zone") << u"Europe/Berlin"_s << true;
    QTest::newRow("America/New_York is a zone") << u"America/New_York"_s << true;
    QTest::newRow("Australia/Lord_Howe is a zone") << u"Australia/Lord_Howe"_s << true;
    QTest::newRow("UTC is always known") << u"UTC"_s << true;
    QTest::newRow("an empty name is not") << QString() << false;
    QTest::newRow("names are case-sensitive") << u"europe/berlin"_s << false;
    QTest::newRow("the right/ tree (leap seconds) is not offered")
            << u"right/Europe/Berlin"_s << false;
    QTest::newRow("the posix/ tree is not offered") << u"posix/Europe/Berlin"_s << false;
    QTest::newRow("a relative path into the zone directory is refused")
            << u"../zoneinfo/Europe/Berlin"_s << false;
    QTest::newRow("a path out of the zone directory is refused")
            << u"../../../etc/passwd"_s << false;
    QTest::newRow("an absolute path is refused") << u"/usr/share/zoneinfo/Europe/Berlin"_s << false;
    QTest::newRow("a trailing slash is refused") << u"Europe/Berlin/"_s << false;
    QTest::newRow("a made-up zone is not known") << u"Mars/Olympus_Mons"_s << false;
    QTest::newRow("Qt's fixed-offset ids have no zone file") << u"UTC+02:00"_s << false;
    QTest::newRow("zone.tab's index file is not a zone") << u"zone.tab"_s << false;
}

void TestTimeZones::onlyWhitelistedNamesAreKnown()
{
    QFETCH(QString, name);
    QFETCH(bool, known);
    QCOMPARE(TimeZones::isKnown(name), known);
}

void TestTimeZones::instantOfFollowsRfc5545_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDate>("date");
    QTest::addColumn<QTime>("time");
    QTest::addColumn<QDateTime>("expected");
    const QString berlin = u"Europe/Berlin"_s;
    const QString newYork = u"America/New_York"_s;
    QTest::newRow("Berlin in winter is UTC+1")
            << berlin << QDate(2027, 3, 22) << QTime(9, 0) << utc(u"2027-03-22T08:00:00Z"_s);
    QTest::newRow("Berlin in summer is UTC+2")
            << berlin << QDate(2027, 3, 29) << QTime(9, 0) << utc(u"2027-03-29T07:00:00Z"_s);
    QTest::newRow("Berlin, the last second before the spring gap")
            << berlin << QDate(2027, 3, 28) << QTime(1, 59, 59) << utc(u"2027-03-28T00:59:59Z"_s);
    QTest::newRow("Berlin, 02:30 in the spring gap is read as 03:30 summer time")
            << berlin << QDate(2027, 3, 28) << QTime(2, 30) << utc(u"2027-03-28T01:30:00Z"_s);
    QTest::newRow("Berlin, 03:00 right after the gap")
            << berlin << QDate(2027, 3, 28) << QTime(3, 0) << utc(u"2027-03-28T01:00:00Z"_s);
    QTest::newRow("Berlin, 02:30 in the autumn overlap is the earlier (summer) instant")
            << berlin << QDate(2027, 10, 31) << QTime(2, 30) << utc(u"2027-10-31T00:30:00Z"_s);
    QTest::newRow("Berlin, 03:00 after the overlap is winter time")
            << berlin << QDate(2027, 10, 31) << QTime(3, 0) << utc(u"2027-10-31T02:00:00Z"_s);
    QTest::newRow("New York, 02:30 in the spring gap is read as 03:30 daylight time")
            << newYork << QDate(2027, 3, 14) << QTime(2, 30) << utc(u"2027-03-14T07:30:00Z"_s);
    QTest::newRow("New York, 01:30 in the autumn overlap is the earlier (daylight) instant")
            << newYork << QDate(2027, 11, 7) << QTime(1, 30) << utc(u"2027-11-07T05:30:00Z"_s);
    QTest::newRow("Lord Howe, 02:15 in its half-hour gap is read with the offset before it")
            << u"Australia/Lord_Howe"_s << QDate(2027, 10, 3) << QTime(2, 15)
            << utc(u"2027-10-02T15:45:00Z"_s);
    QTest::newRow("far in the future the zone's rule still applies")
            << berlin << QDate(2045, 7, 1) << QTime(9, 0) << utc(u"2045-07-01T07:00:00Z"_s);
    QTest::newRow("milliseconds are kept") << u"UTC"_s << QDate(2027, 1, 1) << QTime(12, 0, 0, 250)
                                           << utc(u"2027-01-01T12:00:00.250Z"_s);
    QTest::newRow("an unknown zone is read as UTC")
            << u"Mars/Olympus_Mons"_s << QDate(2027, 1, 1) << QTime(12, 0)
            << utc(u"2027-01-01T12:00:00Z"_s);
}

void TestTimeZones::instantOfFollowsRfc5545()
{
    QFETCH(QString, zone);
    QFETCH(QDate, date);
    QFETCH(QTime, time);
    QFETCH(QDateTime, expected);
    const QDateTime instant = TimeZones::instantOf(date, time, zone);
    QCOMPARE(instant, expected);
    QCOMPARE(instant.timeSpec(), Qt::UTC);
}

void TestTimeZones::wallClockAtAnInstant_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDateTime>("instant");
    QTest::addColumn<QDate>("date");
    QTest::addColumn<QTime>("time");
    QTest::newRow("Berlin, the first 02:30 of the autumn overlap")
            << u"Europe/Berlin"_s << utc(u"2027-10-31T00:30:00Z"_s) << QDate(2027, 10, 31)
            << QTime(2, 30);
    QTest::newRow("Berlin, the second 02:30 of the autumn overlap")
            << u"Europe/Berlin"_s << utc(u"2027-10-31T01:30:00Z"_s) << QDate(2027, 10, 31)
            << QTime(2, 30);
    QTest::newRow("New York is still on the previous day")
            << u"America/New_York"_s << utc(u"2027-03-14T04:59:00Z"_s) << QDate(2027, 3, 13)
            << QTime(23, 59);
    QTest::newRow("Kiritimati is already on the next day")
            << u"Pacific/Kiritimati"_s << utc(u"2027-03-14T10:00:00Z"_s) << QDate(2027, 3, 15)
            << QTime(0, 0);
    QTest::newRow("UTC is UTC") << u"UTC"_s << utc(u"2027-03-14T10:00:00.500Z"_s)
                                << QDate(2027, 3, 14) << QTime(10, 0, 0, 500);
}

void TestTimeZones::wallClockAtAnInstant()
{
    QFETCH(QString, zone);
    QFETCH(QDateTime, instant);
    QFETCH(QDate, date);
    QFETCH(QTime, time);
    QCOMPARE(TimeZones::dateAt(instant, zone), date);
    QCOMPARE(TimeZones::timeAt(instant, zone), time);
}

void TestTimeZones::wallClockRoundTripsAroundTransitions()
{
    // Every quarter hour for two days around each change: reading the wall clock and converting
    // back gives the same instant, except in the second pass of an overlap, which RFC 5545
    // reads as the first.
    const QList<std::pair<QString, QDateTime>> changes{
        { u"Europe/Berlin"_s, utc(u"2027-03-28T01:00:00Z"_s) },
        { u"Europe/Berlin"_s, utc(u"2027-10-31T01:00:00Z"_s) },
        { u"America/New_York"_s, utc(u"2027-03-14T07:00:00Z"_s) },
        { u"America/New_York"_s, utc(u"2027-11-07T06:00:00Z"_s) },
    };
    for (const auto &[zone, change] : changes) {
        for (int quarter = -96; quarter < 96; ++quarter) {
            const QDateTime instant = change.addSecs(quarter * 900);
            const QDateTime back = TimeZones::instantOf(TimeZones::dateAt(instant, zone),
                                                        TimeZones::timeAt(instant, zone), zone);
            const bool secondPass = change.date().month() >= 10 && instant >= change
                    && instant < change.addSecs(3600);
            if (secondPass)
                QCOMPARE(back, instant.addSecs(-3600));
            else
                QCOMPARE(back, instant);
        }
    }
}

void TestTimeZones::startOfDayIsTheFirstInstantOfTheDate_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDate>("date");
    QTest::addColumn<QDateTime>("expected");
    QTest::newRow("Berlin on the day of the spring change (midnight is still winter time)")
            << u"Europe/Berlin"_s << QDate(2027, 3, 28) << utc(u"2027-03-27T23:00:00Z"_s);
    QTest::newRow("Berlin in summer")
            << u"Europe/Berlin"_s << QDate(2027, 7, 1) << utc(u"2027-06-30T22:00:00Z"_s);
    QTest::newRow("Santiago skips midnight: the day starts at 01:00")
            << u"America/Santiago"_s << QDate(2027, 9, 5) << utc(u"2027-09-05T04:00:00Z"_s);
    QTest::newRow("Santiago repeats 23:00-24:00 the evening before; midnight is once")
            << u"America/Santiago"_s << QDate(2027, 4, 4) << utc(u"2027-04-04T04:00:00Z"_s);
    QTest::newRow("UTC") << u"UTC"_s << QDate(2027, 1, 1) << utc(u"2027-01-01T00:00:00Z"_s);
}

void TestTimeZones::startOfDayIsTheFirstInstantOfTheDate()
{
    QFETCH(QString, zone);
    QFETCH(QDate, date);
    QFETCH(QDateTime, expected);
    QCOMPARE(TimeZones::startOfDay(date, zone), expected);
    QCOMPARE(TimeZones::dateAt(expected, zone), date);
    QVERIFY(TimeZones::dateAt(expected.addSecs(-1), zone) < date);
}

QTEST_GUILESS_MAIN(TestTimeZones)
#include "tst_timezones.moc"
