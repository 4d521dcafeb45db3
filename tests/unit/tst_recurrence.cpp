// RecurrenceRule: RRULE validation with messages that name the offending part, and expansion on
// a zone's wall clock (DST), COUNT/UNTIL ends, all-day series, windows, and use from threads.
#include "recurrence.h"
#include "timezones.h"

#include <QElapsedTimer>
#include <QTest>

#include <latch>
#include <thread>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {

const QString Berlin = u"Europe/Berlin"_s;
const QString NewYork = u"America/New_York"_s;

QDateTime utc(const QString &text)
{
    QDateTime instant = QDateTime::fromString(text, Qt::ISODate);
    instant.setTimeSpec(Qt::UTC);
    return instant;
}

Occurrence at(const QDateTime &instant)
{
    return Occurrence{ instant, QDate() };
}

Occurrence local(QDate date, QTime time, const QString &zone)
{
    return at(TimeZones::instantOf(date, time, zone));
}

Occurrence on(QDate date)
{
    return Occurrence{ QDateTime(), date };
}

RecurrenceRule rule(const QString &text, bool allDay = false)
{
    QString error;
    const auto parsed = RecurrenceRule::parse(text, allDay, &error);
    if (!parsed)
        qFatal("rule %s refused: %s", qPrintable(text), qPrintable(error));
    return *parsed;
}

// Every occurrence of a series within a few centuries (bounded by `limit`).
QList<Occurrence> all(const RecurrenceRule &recurrence, const Occurrence &first,
                      const QString &zone, int limit)
{
    return recurrence.between(first, utc(u"1990-01-01T00:00:00Z"_s), utc(u"2300-01-01T00:00:00Z"_s),
                              zone, limit);
}

QList<QDateTime> instants(const QList<Occurrence> &occurrences)
{
    QList<QDateTime> result;
    for (const Occurrence &occurrence : occurrences)
        result.append(occurrence.dueAt);
    return result;
}

QList<QDate> localDates(const QList<Occurrence> &occurrences, const QString &zone)
{
    QList<QDate> result;
    for (const Occurrence &occurrence : occurrences)
        result.append(occurrence.isAllDay() ? occurrence.dueDate
                                            : TimeZones::dateAt(occurrence.dueAt, zone));
    return result;
}

} // namespace

class TestRecurrence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void weeklyMondayKeepsItsWallClockAcrossDst_data();
    void weeklyMondayKeepsItsWallClockAcrossDst();
    void weeklyMondayForAYearIsAlwaysNineLocal_data();
    void weeklyMondayForAYearIsAlwaysNineLocal();
    void dailyAtHalfPastTwoAcrossGapAndOverlap_data();
    void dailyAtHalfPastTwoAcrossGapAndOverlap();
    void ruleParts_data();
    void ruleParts();
    void countCountsAFirstOccurrenceThatDoesNotMatch();
    void seriesEnds_data();
    void seriesEnds();
    void nextAfterACurrentBeforeTheFirstIsTheFirst();
    void allDaySeriesStayDatesInEveryZone_data();
    void allDaySeriesStayDatesInEveryZone();
    void allDayBetweenUsesTheLocalDay_data();
    void allDayBetweenUsesTheLocalDay();
    void betweenIsHalfOpenAndLimited();
    void jumpingAheadAgreesWithWalkingFromTheStart_data();
    void jumpingAheadAgreesWithWalkingFromTheStart();
    void acceptedRulesAreStoredCanonically_data();
    void acceptedRulesAreStoredCanonically();
    void refusalsNameThePart_data();
    void refusalsNameThePart();
    void sameResultsFromFourThreads();
};

void TestRecurrence::weeklyMondayKeepsItsWallClockAcrossDst_data()
{
    // libraries.md 1.3: FREQ=WEEKLY;BYDAY=MO at 09:00 local, the series started on 2027-01-04.
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDateTime>("current");
    QTest::addColumn<QDateTime>("next");
    QTest::newRow("Berlin, the last Monday before the March change is 08:00Z")
            << Berlin << utc(u"2027-03-15T08:00:00Z"_s) << utc(u"2027-03-22T08:00:00Z"_s);
    QTest::newRow("Berlin, the first Monday after 28 March is 07:00Z")
            << Berlin << utc(u"2027-03-22T08:00:00Z"_s) << utc(u"2027-03-29T07:00:00Z"_s);
    QTest::newRow("Berlin, the last Monday before the October change is 07:00Z")
            << Berlin << utc(u"2027-10-18T07:00:00Z"_s) << utc(u"2027-10-25T07:00:00Z"_s);
    QTest::newRow("Berlin, the first Monday after 31 October is 08:00Z")
            << Berlin << utc(u"2027-10-25T07:00:00Z"_s) << utc(u"2027-11-01T08:00:00Z"_s);
    QTest::newRow("New York, the last Monday before the March change is 14:00Z")
            << NewYork << utc(u"2027-03-01T14:00:00Z"_s) << utc(u"2027-03-08T14:00:00Z"_s);
    QTest::newRow("New York, the first Monday after 14 March is 13:00Z")
            << NewYork << utc(u"2027-03-08T14:00:00Z"_s) << utc(u"2027-03-15T13:00:00Z"_s);
    QTest::newRow("New York, the last Monday before the November change is 13:00Z")
            << NewYork << utc(u"2027-10-25T13:00:00Z"_s) << utc(u"2027-11-01T13:00:00Z"_s);
    QTest::newRow("New York, the first Monday after 7 November is 14:00Z")
            << NewYork << utc(u"2027-11-01T13:00:00Z"_s) << utc(u"2027-11-08T14:00:00Z"_s);
    QTest::newRow("a current instant between occurrences gives the next one")
            << Berlin << utc(u"2027-03-24T12:00:00Z"_s) << utc(u"2027-03-29T07:00:00Z"_s);
}

void TestRecurrence::weeklyMondayKeepsItsWallClockAcrossDst()
{
    QFETCH(QString, zone);
    QFETCH(QDateTime, current);
    QFETCH(QDateTime, next);
    const Occurrence first = local(QDate(2027, 1, 4), QTime(9, 0), zone);
    const auto found = rule(u"FREQ=WEEKLY;BYDAY=MO"_s).nextAfter(first, at(current), zone);
    QVERIFY(found);
    QCOMPARE(found->dueAt, next);
    QVERIFY(!found->isAllDay());
}

void TestRecurrence::weeklyMondayForAYearIsAlwaysNineLocal_data()
{
    QTest::addColumn<QString>("zone");
    QTest::newRow("Europe/Berlin") << Berlin;
    QTest::newRow("America/New_York") << NewYork;
}

void TestRecurrence::weeklyMondayForAYearIsAlwaysNineLocal()
{
    QFETCH(QString, zone);
    const Occurrence first = local(QDate(2027, 1, 4), QTime(9, 0), zone);
    const QList<Occurrence> year = rule(u"FREQ=WEEKLY;BYDAY=MO"_s)
                                           .between(first, utc(u"2027-01-01T00:00:00Z"_s),
                                                    utc(u"2028-01-01T00:00:00Z"_s), zone, 100);
    QCOMPARE(year.size(), 52);
    QSet<int> offsets;
    for (const Occurrence &occurrence : year) {
        QCOMPARE(TimeZones::timeAt(occurrence.dueAt, zone), QTime(9, 0));
        QCOMPARE(TimeZones::dateAt(occurrence.dueAt, zone).dayOfWeek(), 1);
        offsets.insert(int(occurrence.dueAt.secsTo(
                QDateTime(TimeZones::dateAt(occurrence.dueAt, zone), QTime(9, 0), Qt::UTC))));
    }
    QCOMPARE(offsets.size(), 2); // winter and summer time both seen
}

void TestRecurrence::dailyAtHalfPastTwoAcrossGapAndOverlap_data()
{
    QTest::addColumn<QDate>("start");
    QTest::addColumn<QList<QDateTime>>("expected");
    QTest::newRow("spring: the day in the gap is 03:30 summer time, the next day 02:30 again")
            << QDate(2027, 3, 26)
            << QList<QDateTime>{ utc(u"2027-03-26T01:30:00Z"_s), utc(u"2027-03-27T01:30:00Z"_s),
                                 utc(u"2027-03-28T01:30:00Z"_s), utc(u"2027-03-29T00:30:00Z"_s),
                                 utc(u"2027-03-30T00:30:00Z"_s) };
    QTest::newRow("autumn: the day of the overlap is its first 02:30")
            << QDate(2027, 10, 29)
            << QList<QDateTime>{ utc(u"2027-10-29T00:30:00Z"_s), utc(u"2027-10-30T00:30:00Z"_s),
                                 utc(u"2027-10-31T00:30:00Z"_s), utc(u"2027-11-01T01:30:00Z"_s),
                                 utc(u"2027-11-02T01:30:00Z"_s) };
}

void TestRecurrence::dailyAtHalfPastTwoAcrossGapAndOverlap()
{
    QFETCH(QDate, start);
    QFETCH(QList<QDateTime>, expected);
    const RecurrenceRule daily = rule(u"FREQ=DAILY"_s);
    const Occurrence first = local(start, QTime(2, 30), Berlin);
    QCOMPARE(instants(all(daily, first, Berlin, 5)), expected);
    // nextAfter jumps to each of them from the one before.
    Occurrence current = first;
    for (qsizetype i = 1; i < expected.size(); ++i) {
        const auto next = daily.nextAfter(first, current, Berlin);
        QVERIFY(next);
        QCOMPARE(next->dueAt, expected.at(i));
        current = *next;
    }
}

void TestRecurrence::ruleParts_data()
{
    // libraries.md 1.5, in Europe/Berlin.
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allDay");
    QTest::addColumn<QDate>("start");
    QTest::addColumn<QTime>("time");
    QTest::addColumn<QList<QDate>>("expected");
    const QTime eight(8, 0);
    const auto days = [](int month, std::initializer_list<int> list) {
        QList<QDate> dates;
        for (int day : list)
            dates.append(QDate(2027, month, day));
        return dates;
    };
    QTest::newRow("weekly on Monday, Wednesday and Friday, five times")
            << u"FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5"_s << false << QDate(2027, 1, 4) << eight
            << days(1, { 4, 6, 8, 11, 13 });
    QTest::newRow("every other Tuesday, four times")
            << u"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4"_s << false << QDate(2027, 1, 5) << eight
            << QList<QDate>{ QDate(2027, 1, 5), QDate(2027, 1, 19), QDate(2027, 2, 2),
                             QDate(2027, 2, 16) };
    QTest::newRow("the last Friday of the month")
            << u"FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"_s << false << QDate(2027, 1, 29) << eight
            << QList<QDate>{ QDate(2027, 1, 29), QDate(2027, 2, 26), QDate(2027, 3, 26) };
    QTest::newRow("the twentieth Monday of the year (beyond a month's five)")
            << u"FREQ=YEARLY;BYDAY=20MO;COUNT=2"_s << false << QDate(2027, 5, 17) << eight
            << QList<QDate>{ QDate(2027, 5, 17), QDate(2028, 5, 15) };
    QTest::newRow("the second Tuesday of the month")
            << u"FREQ=MONTHLY;BYDAY=2TU;COUNT=3"_s << false << QDate(2027, 1, 12) << eight
            << QList<QDate>{ QDate(2027, 1, 12), QDate(2027, 2, 9), QDate(2027, 3, 9) };
    const QList<QDate> thirtyFirsts{ QDate(2027, 1, 31), QDate(2027, 3, 31), QDate(2027, 5, 31),
                                     QDate(2027, 7, 31) };
    QTest::newRow("monthly on the 31st skips the short months")
            << u"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4"_s << false << QDate(2027, 1, 31) << eight
            << thirtyFirsts;
    QTest::newRow("monthly from a 31st skips them too")
            << u"FREQ=MONTHLY;COUNT=4"_s << false << QDate(2027, 1, 31) << eight << thirtyFirsts;
    QTest::newRow("the last day of the month")
            << u"FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4"_s << false << QDate(2027, 1, 31) << eight
            << QList<QDate>{ QDate(2027, 1, 31), QDate(2027, 2, 28), QDate(2027, 3, 31),
                             QDate(2027, 4, 30) };
    QTest::newRow("the last workday of the month")
            << u"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3"_s << false
            << QDate(2027, 1, 29) << eight
            << QList<QDate>{ QDate(2027, 1, 29), QDate(2027, 2, 26), QDate(2027, 3, 31) };
    QTest::newRow("UNTIL is inclusive: 09:00 Berlin on the 18th is 08:00Z")
            << u"FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T080000Z"_s << false << QDate(2027, 1, 4)
            << QTime(9, 0) << days(1, { 4, 11, 18 });
    QTest::newRow("UNTIL a second earlier ends the series a week sooner")
            << u"FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T075959Z"_s << false << QDate(2027, 1, 4)
            << QTime(9, 0) << days(1, { 4, 11 });
    QTest::newRow("UNTIL as a date includes that whole day")
            << u"FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118"_s << false << QDate(2027, 1, 4)
            << QTime(23, 0) << days(1, { 4, 11, 18 });
    QTest::newRow("UNTIL in summer time is converted with the summer offset")
            << u"FREQ=DAILY;UNTIL=20270702T070000Z"_s << false << QDate(2027, 6, 30) << QTime(9, 0)
            << QList<QDate>{ QDate(2027, 6, 30), QDate(2027, 7, 1), QDate(2027, 7, 2) };
    QTest::newRow("yearly from 29 February is leap years only")
            << u"FREQ=YEARLY"_s << true << QDate(2028, 2, 29) << QTime()
            << QList<QDate>{ QDate(2028, 2, 29), QDate(2032, 2, 29), QDate(2036, 2, 29) };
    QTest::newRow("the last day of February every year")
            << u"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"_s << true << QDate(2028, 2, 29) << QTime()
            << QList<QDate>{ QDate(2028, 2, 29), QDate(2029, 2, 28), QDate(2030, 2, 28) };
    QTest::newRow("all-day UNTIL as a date is inclusive")
            << u"FREQ=DAILY;UNTIL=20270330"_s << true << QDate(2027, 3, 28) << QTime()
            << QList<QDate>{ QDate(2027, 3, 28), QDate(2027, 3, 29), QDate(2027, 3, 30) };
}

void TestRecurrence::ruleParts()
{
    QFETCH(QString, text);
    QFETCH(bool, allDay);
    QFETCH(QDate, start);
    QFETCH(QTime, time);
    QFETCH(QList<QDate>, expected);
    const Occurrence first = allDay ? on(start) : local(start, time, Berlin);
    const QList<Occurrence> found = all(rule(text, allDay), first, Berlin, 3 + 10);
    const QList<Occurrence> shown = found.mid(0, expected.size() == 3 && allDay ? 3 : -1);
    QCOMPARE(localDates(shown, Berlin), expected);
    for (const Occurrence &occurrence : shown) {
        QCOMPARE(occurrence.isAllDay(), allDay);
        if (!allDay)
            QCOMPARE(TimeZones::timeAt(occurrence.dueAt, Berlin), time);
    }
}

void TestRecurrence::countCountsAFirstOccurrenceThatDoesNotMatch()
{
    // RFC 5545: DTSTART is the first instance and counts; libical alone would skip Wednesday
    // and give the 11th and the 18th.
    const RecurrenceRule mondays = rule(u"FREQ=WEEKLY;BYDAY=MO;COUNT=2"_s);
    const Occurrence wednesday = local(QDate(2027, 1, 6), QTime(9, 0), Berlin);
    QCOMPARE(localDates(all(mondays, wednesday, Berlin, 10), Berlin),
             (QList<QDate>{ QDate(2027, 1, 6), QDate(2027, 1, 11) }));
    const auto second = mondays.nextAfter(wednesday, wednesday, Berlin);
    QVERIFY(second);
    QCOMPARE(second->dueAt, utc(u"2027-01-11T08:00:00Z"_s));
    QVERIFY(!mondays.nextAfter(wednesday, *second, Berlin));
}

void TestRecurrence::seriesEnds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allDay");
    QTest::addColumn<int>("occurrences");
    QTest::newRow("daily, three times") << u"FREQ=DAILY;COUNT=3"_s << false << 3;
    QTest::newRow("daily until the third day at 09:00 Berlin")
            << u"FREQ=DAILY;UNTIL=20270106T080000Z"_s << false << 3;
    QTest::newRow("all-day, three times") << u"FREQ=DAILY;COUNT=3"_s << true << 3;
    QTest::newRow("all-day until the third day") << u"FREQ=DAILY;UNTIL=20270106"_s << true << 3;
    QTest::newRow("a single occurrence") << u"FREQ=YEARLY;COUNT=1"_s << false << 1;
    QTest::newRow("the maximum COUNT") << u"FREQ=DAILY;COUNT=1000"_s << false << 1000;
}

void TestRecurrence::seriesEnds()
{
    QFETCH(QString, text);
    QFETCH(bool, allDay);
    QFETCH(int, occurrences);
    const RecurrenceRule recurrence = rule(text, allDay);
    const Occurrence first
            = allDay ? on(QDate(2027, 1, 4)) : local(QDate(2027, 1, 4), QTime(9, 0), Berlin);
    QList<Occurrence> chain{ first };
    while (chain.size() <= occurrences) {
        const auto next = recurrence.nextAfter(first, chain.last(), Berlin);
        if (!next)
            break;
        QVERIFY(next->isAllDay() == allDay);
        chain.append(*next);
    }
    QCOMPARE(chain.size(), occurrences);
    QCOMPARE(all(recurrence, first, Berlin, 2000), chain);
    QVERIFY(!recurrence.nextAfter(first, chain.last(), Berlin));
}

void TestRecurrence::nextAfterACurrentBeforeTheFirstIsTheFirst()
{
    const Occurrence first = local(QDate(2027, 1, 6), QTime(9, 0), Berlin);
    const auto found = rule(u"FREQ=WEEKLY;BYDAY=MO"_s)
                               .nextAfter(first, at(utc(u"2026-12-01T00:00:00Z"_s)), Berlin);
    QVERIFY(found);
    QCOMPARE(*found, first);
}

void TestRecurrence::allDaySeriesStayDatesInEveryZone_data()
{
    QTest::addColumn<QString>("zone");
    QTest::newRow("UTC") << u"UTC"_s;
    QTest::newRow("Berlin") << Berlin;
    QTest::newRow("Kiritimati, UTC+14") << u"Pacific/Kiritimati"_s;
    QTest::newRow("Pago Pago, UTC-11") << u"Pacific/Pago_Pago"_s;
}

void TestRecurrence::allDaySeriesStayDatesInEveryZone()
{
    QFETCH(QString, zone);
    // From the 15th (not a last day, but the first occurrence anyway) to each month's last day.
    const RecurrenceRule lastDay = rule(u"FREQ=MONTHLY;BYMONTHDAY=-1"_s, true);
    const Occurrence first = on(QDate(2027, 6, 15));
    const QList<QDate> expected{ QDate(2027, 6, 15), QDate(2027, 6, 30), QDate(2027, 7, 31),
                                 QDate(2027, 8, 31), QDate(2027, 9, 30) };
    const QList<Occurrence> found = all(lastDay, first, zone, 5);
    QCOMPARE(localDates(found, zone), expected);
    for (const Occurrence &occurrence : found)
        QVERIFY(occurrence.isAllDay() && !occurrence.dueAt.isValid());
    const auto next = lastDay.nextAfter(first, on(QDate(2027, 7, 31)), zone);
    QVERIFY(next);
    QCOMPARE(*next, on(QDate(2027, 8, 31)));
}

void TestRecurrence::allDayBetweenUsesTheLocalDay_data()
{
    // Daily all-day series; the window is 2027-01-10 23:30Z to 2027-01-11 00:30Z.
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QList<QDate>>("expected");
    QTest::newRow("in Berlin the window is within 11 January")
            << Berlin << QList<QDate>{ QDate(2027, 1, 11) };
    QTest::newRow("in New York it is within 10 January")
            << NewYork << QList<QDate>{ QDate(2027, 1, 10) };
    QTest::newRow("in UTC it spans both days")
            << u"UTC"_s << QList<QDate>{ QDate(2027, 1, 10), QDate(2027, 1, 11) };
}

void TestRecurrence::allDayBetweenUsesTheLocalDay()
{
    QFETCH(QString, zone);
    QFETCH(QList<QDate>, expected);
    const QList<Occurrence> found
            = rule(u"FREQ=DAILY"_s, true)
                      .between(on(QDate(2027, 1, 1)), utc(u"2027-01-10T23:30:00Z"_s),
                               utc(u"2027-01-11T00:30:00Z"_s), zone, 10);
    QCOMPARE(localDates(found, zone), expected);
}

void TestRecurrence::betweenIsHalfOpenAndLimited()
{
    const RecurrenceRule daily = rule(u"FREQ=DAILY"_s);
    const Occurrence first = local(QDate(2027, 1, 1), QTime(9, 0), Berlin);
    // [from, to): an occurrence exactly at `from` is in, one exactly at `to` is out.
    const QList<Occurrence> window = daily.between(first, utc(u"2027-01-05T08:00:00Z"_s),
                                                   utc(u"2027-01-08T08:00:00Z"_s), Berlin, 10);
    QCOMPARE(instants(window),
             (QList<QDateTime>{ utc(u"2027-01-05T08:00:00Z"_s), utc(u"2027-01-06T08:00:00Z"_s),
                                utc(u"2027-01-07T08:00:00Z"_s) }));
    // The limit keeps the earliest ones.
    const QList<Occurrence> limited = daily.between(first, utc(u"2027-01-05T08:00:00Z"_s),
                                                    utc(u"2028-01-01T00:00:00Z"_s), Berlin, 2);
    QCOMPARE(instants(limited),
             (QList<QDateTime>{ utc(u"2027-01-05T08:00:00Z"_s), utc(u"2027-01-06T08:00:00Z"_s) }));
    QVERIFY(daily.between(first, utc(u"2027-01-05T08:00:00Z"_s), utc(u"2028-01-01T00:00:00Z"_s),
                          Berlin, 0)
                    .isEmpty());
    QVERIFY(daily.between(first, utc(u"2027-01-08T08:00:00Z"_s), utc(u"2027-01-05T08:00:00Z"_s),
                          Berlin, 10)
                    .isEmpty());
    // The first occurrence is in range like any other; nothing comes before it.
    QCOMPARE(instants(daily.between(first, utc(u"2026-01-01T00:00:00Z"_s),
                                    utc(u"2027-01-02T00:00:00Z"_s), Berlin, 10)),
             (QList<QDateTime>{ utc(u"2027-01-01T08:00:00Z"_s) }));
}

void TestRecurrence::jumpingAheadAgreesWithWalkingFromTheStart_data()
{
    // nextAfter on a rule without COUNT jumps (icalrecur_iterator_set_start, or a restart for
    // HOURLY, whose phase set_start loses); with COUNT=1000 the same rule is walked from its
    // first occurrence. Both must list the same series.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QDate>("start");
    QTest::addColumn<QTime>("time");
    QTest::newRow("every 5 hours over the spring change")
            << u"FREQ=HOURLY;INTERVAL=5"_s << Berlin << QDate(2027, 3, 20) << QTime(9, 30);
    QTest::newRow("every 7 hours over the autumn change")
            << u"FREQ=HOURLY;INTERVAL=7"_s << NewYork << QDate(2027, 10, 30) << QTime(1, 15);
    QTest::newRow("every 3 days") << u"FREQ=DAILY;INTERVAL=3"_s << Berlin << QDate(2027, 1, 31)
                                  << QTime(0, 0);
    QTest::newRow("twice a day") << u"FREQ=DAILY;INTERVAL=2;BYHOUR=9,17;BYMINUTE=15"_s << NewYork
                                 << QDate(2027, 3, 1) << QTime(9, 15);
    QTest::newRow("every other week on Sunday and Monday, weeks starting on Sunday")
            << u"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU"_s << Berlin << QDate(2027, 1, 10)
            << QTime(8, 0);
    QTest::newRow("every third week") << u"FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH"_s << NewYork
                                      << QDate(2027, 1, 5) << QTime(18, 0);
    QTest::newRow("first and last workday every other month")
            << u"FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1"_s << Berlin
            << QDate(2027, 1, 1) << QTime(9, 0);
    QTest::newRow("second Tuesday every five months")
            << u"FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU"_s << Berlin << QDate(2027, 1, 12)
            << QTime(9, 0);
    QTest::newRow("Friday the 13th") << u"FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR"_s << Berlin
                                     << QDate(2027, 8, 13) << QTime(13, 0);
    QTest::newRow("last Sunday of March every other year")
            << u"FREQ=YEARLY;INTERVAL=2;BYMONTH=3;BYDAY=-1SU"_s << Berlin << QDate(2027, 3, 28)
            << QTime(2, 30);
    QTest::newRow("Monday of week 20")
            << u"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"_s << Berlin << QDate(2027, 5, 17) << QTime(9, 0);
    QTest::newRow("the 100th and the last day of the year")
            << u"FREQ=YEARLY;BYYEARDAY=100,-1"_s << NewYork << QDate(2027, 4, 10) << QTime(9, 0);
}

void TestRecurrence::jumpingAheadAgreesWithWalkingFromTheStart()
{
    QFETCH(QString, text);
    QFETCH(QString, zone);
    QFETCH(QDate, start);
    QFETCH(QTime, time);
    const int length = 60;
    const Occurrence first = local(start, time, zone);
    const QList<Occurrence> walked = all(rule(text + u";COUNT=1000"_s), first, zone, length);
    QCOMPARE(walked.size(), length);
    const RecurrenceRule open = rule(text);
    QList<Occurrence> jumped{ first };
    while (jumped.size() < length) {
        const auto next = open.nextAfter(first, jumped.last(), zone);
        QVERIFY(next);
        jumped.append(*next);
    }
    QCOMPARE(jumped, walked);
    // between() from the middle jumps too.
    const QList<Occurrence> middle
            = open.between(first, walked.at(30).dueAt, walked.at(40).dueAt, zone, 100);
    QCOMPARE(middle, walked.mid(30, 10));
}

void TestRecurrence::acceptedRulesAreStoredCanonically_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allDay");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("lower case and a trailing semicolon are tolerated")
            << u"freq=weekly;byday=mo;"_s << false << u"FREQ=WEEKLY;BYDAY=MO"_s;
    QTest::newRow("a plus sign on an ordinal is dropped")
            << u"FREQ=MONTHLY;BYDAY=+1MO"_s << false << u"FREQ=MONTHLY;BYDAY=1MO"_s;
    QTest::newRow("hourly, the densest allowed") << u"FREQ=HOURLY"_s << false << u"FREQ=HOURLY"_s;
    QTest::newRow("every two hours")
            << u"FREQ=HOURLY;INTERVAL=2"_s << false << u"FREQ=HOURLY;INTERVAL=2"_s;
    QTest::newRow("hours exactly one apart")
            << u"FREQ=DAILY;BYHOUR=9,10,11"_s << false << u"FREQ=DAILY;BYHOUR=9,10,11"_s;
    QTest::newRow("the maximum INTERVAL and COUNT")
            << u"FREQ=DAILY;INTERVAL=1000;COUNT=1000"_s << false
            << u"FREQ=DAILY;COUNT=1000;INTERVAL=1000"_s;
    QTest::newRow("UNTIL as a date")
            << u"FREQ=DAILY;UNTIL=20271231"_s << true << u"FREQ=DAILY;UNTIL=20271231"_s;
    QTest::newRow("week starting on Sunday")
            << u"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=SU"_s << false
            << u"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=SU"_s;
    QTest::newRow("the last workday") << u"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"_s << true
                                      << u"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"_s;
    QTest::newRow("a negative day as an expansion")
            << u"FREQ=MONTHLY;BYMONTHDAY=-1"_s << true << u"FREQ=MONTHLY;BYMONTHDAY=-1"_s;
}

void TestRecurrence::acceptedRulesAreStoredCanonically()
{
    QFETCH(QString, text);
    QFETCH(bool, allDay);
    QFETCH(QString, canonical);
    QString error = u"untouched"_s;
    const auto parsed = RecurrenceRule::parse(text, allDay, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->text(), canonical);
    const auto again = RecurrenceRule::parse(parsed->text(), allDay, nullptr);
    QVERIFY(again);
    QCOMPARE(again->text(), canonical);
}

void TestRecurrence::refusalsNameThePart_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allDay");
    QTest::addColumn<QStringList>("mentions");
    const auto row
            = [](const char *name, const QString &text, bool allDay, const QStringList &mentions) {
                  QTest::newRow(name) << text << allDay << mentions;
              };
    row("an empty rule", u"  "_s, false, { u"empty"_s, u"FREQ"_s });
    row("no FREQ", u"BYDAY=MO"_s, false, { u"no FREQ"_s });
    row("an unknown frequency", u"FREQ=FORTNIGHTLY"_s, false, { u"'FREQ=FORTNIGHTLY'"_s });
    row("an empty part, which libical would silently drop with the rest", u"FREQ=DAILY;;BYHOUR=9"_s,
        false, { u"empty part"_s });
    row("a part without a value", u"FREQ=DAILY;BYHOUR"_s, false,
        { u"'BYHOUR'"_s, u"NAME=VALUE"_s });
    row("an unknown part", u"FREQ=DAILY;FOO=BAR"_s, false, { u"'FOO=BAR'"_s });
    row("an extension part", u"FREQ=DAILY;X-NAME=1"_s, false, { u"'X-NAME=1'"_s });
    row("a made-up weekday", u"FREQ=WEEKLY;BYDAY=XX"_s, false, { u"'BYDAY=XX'"_s });
    row("an empty weekday", u"FREQ=WEEKLY;BYDAY=MO,,TU"_s, false, { u"'BYDAY=MO,,TU'"_s });
    row("INTERVAL zero", u"FREQ=DAILY;INTERVAL=0"_s, false, { u"'INTERVAL=0'"_s, u"1000"_s });
    row("INTERVAL with trailing letters (libical reads 2)", u"FREQ=DAILY;INTERVAL=2x"_s, false,
        { u"'INTERVAL=2x'"_s });
    row("INTERVAL beyond a short (libical reads 4464)", u"FREQ=DAILY;INTERVAL=70000"_s, false,
        { u"'INTERVAL=70000'"_s });
    row("INTERVAL just over the maximum", u"FREQ=DAILY;INTERVAL=1001"_s, false,
        { u"'INTERVAL=1001'"_s, u"1 to 1000"_s });
    row("COUNT zero", u"FREQ=DAILY;COUNT=0"_s, false, { u"'COUNT=0'"_s });
    row("COUNT in words", u"FREQ=DAILY;COUNT=abc"_s, false, { u"'COUNT=abc'"_s });
    row("COUNT just over the maximum", u"FREQ=DAILY;COUNT=1001"_s, false,
        { u"'COUNT=1001'"_s, u"1 to 1000"_s });
    row("a huge COUNT", u"FREQ=DAILY;COUNT=2000000000"_s, false, { u"'COUNT=2000000000'"_s });
    row("a negative COUNT", u"FREQ=DAILY;COUNT=-3"_s, false, { u"'COUNT=-3'"_s });
    row("COUNT together with UNTIL", u"FREQ=DAILY;COUNT=3;UNTIL=20270105"_s, false,
        { u"'COUNT=3'"_s, u"'UNTIL=20270105'"_s, u"together"_s });
    row("COUNT twice", u"FREQ=DAILY;COUNT=3;COUNT=4"_s, false, { u"'COUNT=4'"_s, u"once"_s });
    row("UNTIL in month 13", u"FREQ=DAILY;UNTIL=20271301"_s, false,
        { u"'UNTIL=20271301'"_s, u"does not exist"_s });
    row("UNTIL on 30 February", u"FREQ=DAILY;UNTIL=20270230"_s, false, { u"'UNTIL=20270230'"_s });
    row("UNTIL at hour 25", u"FREQ=DAILY;UNTIL=20270101T250000Z"_s, false,
        { u"'UNTIL=20270101T250000Z'"_s });
    row("UNTIL as a bare year", u"FREQ=DAILY;UNTIL=2027"_s, false, { u"'UNTIL=2027'"_s });
    row("UNTIL with dashes (libical accepts it)", u"FREQ=DAILY;UNTIL=2027-01-05"_s, false,
        { u"'UNTIL=2027-01-05'"_s });
    row("day 32 of the month", u"FREQ=MONTHLY;BYMONTHDAY=32"_s, false, { u"'BYMONTHDAY=32'"_s });
    row("day 0 of the month", u"FREQ=MONTHLY;BYMONTHDAY=0"_s, false, { u"'BYMONTHDAY=0'"_s });
    row("hour 25", u"FREQ=DAILY;BYHOUR=25"_s, false, { u"'BYHOUR=25'"_s });
    row("a leap second (libical moves it to the next minute)", u"FREQ=DAILY;BYSECOND=60"_s, false,
        { u"'BYSECOND=60'"_s });
    row("BYMONTHDAY with WEEKLY", u"FREQ=WEEKLY;BYMONTHDAY=1"_s, false,
        { u"'BYMONTHDAY=1'"_s, u"FREQ=WEEKLY"_s });
    row("BYWEEKNO with MONTHLY", u"FREQ=MONTHLY;BYWEEKNO=10;BYDAY=MO"_s, false,
        { u"'BYWEEKNO=10'"_s });
    row("BYYEARDAY with DAILY", u"FREQ=DAILY;BYYEARDAY=100"_s, false, { u"'BYYEARDAY=100'"_s });
    row("a sixth Monday of the month", u"FREQ=MONTHLY;BYDAY=6MO"_s, false,
        { u"'BYDAY=6MO'"_s, u"fifth"_s });
    row("the sixth Monday from the end of February", u"FREQ=YEARLY;BYMONTH=2;BYDAY=-6MO"_s, false,
        { u"'BYDAY=-6MO'"_s, u"fifth"_s });
    row("RSCALE", u"RSCALE=GREGORIAN;FREQ=DAILY"_s, false,
        { u"'RSCALE=GREGORIAN'"_s, u"not supported"_s });
    row("SKIP, which needs RSCALE", u"FREQ=DAILY;SKIP=OMIT"_s, false, { u"'SKIP=OMIT'"_s });
    row("an ordinal weekday in a weekly rule", u"FREQ=WEEKLY;BYDAY=1MO"_s, false,
        { u"'BYDAY=1MO'"_s, u"MONTHLY"_s });
    row("an ordinal weekday in a daily rule", u"FREQ=DAILY;BYDAY=-1FR"_s, false,
        { u"'BYDAY=-1FR'"_s });
    row("an hour on an all-day series", u"FREQ=DAILY;BYHOUR=9"_s, true,
        { u"'BYHOUR=9'"_s, u"all-day"_s });
    row("a minute on an all-day series", u"FREQ=WEEKLY;BYMINUTE=30"_s, true,
        { u"'BYMINUTE=30'"_s, u"all-day"_s });
    row("a second on an all-day series", u"FREQ=WEEKLY;BYSECOND=30"_s, true,
        { u"'BYSECOND=30'"_s });
    row("hourly on an all-day series", u"FREQ=HOURLY"_s, true,
        { u"'FREQ=HOURLY'"_s, u"all-day"_s });
    row("the last day of the month as a daily limit (3.0.16 yields nothing)",
        u"FREQ=DAILY;BYMONTHDAY=-1"_s, false, { u"'BYMONTHDAY=-1'"_s, u"MONTHLY"_s });
    row("a negative day of the year outside YEARLY", u"FREQ=HOURLY;BYYEARDAY=-1"_s, false,
        { u"'BYYEARDAY=-1'"_s });
    row("an hourly rule narrowed to some hours", u"FREQ=HOURLY;BYHOUR=9"_s, false,
        { u"'BYHOUR=9'"_s, u"FREQ=DAILY"_s });
    row("BYSETPOS with WEEKLY (3.0.16 ignores it)", u"FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=-1"_s, false,
        { u"'BYSETPOS=-1'"_s });
    row("BYSETPOS among several times of day",
        u"FREQ=MONTHLY;BYDAY=MO,FR;BYHOUR=9,17;BYSETPOS=-1"_s, false, { u"'BYSETPOS=-1'"_s });
    row("week 53 (3.0.16 puts it in years without one)", u"FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO"_s,
        false, { u"'BYWEEKNO=53'"_s });
    row("BYWEEKNO without BYDAY", u"FREQ=YEARLY;BYWEEKNO=20"_s, false,
        { u"'BYWEEKNO=20'"_s, u"BYDAY"_s });
    row("the 31st of months that have 30 days", u"FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31"_s, false,
        { u"'BYMONTHDAY=31'"_s, u"'BYMONTH=4,6'"_s });
    row("30 February, daily", u"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"_s, false,
        { u"'BYMONTHDAY=30'"_s });
    row("a month the interval never reaches", u"FREQ=MONTHLY;INTERVAL=12;BYMONTH=2"_s, false,
        { u"never"_s });
    row("every second", u"FREQ=SECONDLY"_s, false,
        { u"'FREQ=SECONDLY'"_s, u"too frequent"_s, u"1 hour"_s });
    row("every minute, even every 60", u"FREQ=MINUTELY;INTERVAL=60"_s, false,
        { u"'FREQ=MINUTELY'"_s, u"too frequent"_s, u"1 hour"_s });
    row("on the hour and the half hour", u"FREQ=DAILY;BYHOUR=9;BYMINUTE=0,30"_s, false,
        { u"too frequent"_s, u"30 minutes"_s, u"1 hour"_s });
    row("two seconds of one minute", u"FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYSECOND=0,30"_s, false,
        { u"too frequent"_s, u"30 seconds"_s });
    row("09:00 and 09:59", u"FREQ=DAILY;BYHOUR=9;BYMINUTE=0,59"_s, false,
        { u"too frequent"_s, u"1 hour"_s });
}

void TestRecurrence::refusalsNameThePart()
{
    QFETCH(QString, text);
    QFETCH(bool, allDay);
    QFETCH(QStringList, mentions);
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!RecurrenceRule::parse(text, allDay, &error));
    QVERIFY2(timer.elapsed() < 5000, "refusing a rule must not take long");
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.endsWith(u'.'), qPrintable(error));
    for (const QString &mention : mentions)
        QVERIFY2(error.contains(mention), qPrintable(error + u" lacks "_s + mention));
    QVERIFY(!RecurrenceRule::parse(text, allDay, nullptr)); // no message wanted: no crash
}

void TestRecurrence::sameResultsFromFourThreads()
{
    // Zones no other test uses, so their first lookup and lazy load happen here, on four
    // threads at once (libical 3.0.16 crashed on that; libraries.md 1.8).
    const QStringList zones{ u"Asia/Kolkata"_s,       u"Africa/Casablanca"_s, u"Pacific/Chatham"_s,
                             u"America/Sao_Paulo"_s,  u"Asia/Tehran"_s,       u"Europe/Dublin"_s,
                             u"Australia/Adelaide"_s, u"America/St_Johns"_s };
    const QStringList texts{ u"FREQ=WEEKLY;BYDAY=MO,WE,FR"_s, u"FREQ=DAILY;BYHOUR=2,14"_s,
                             u"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"_s,
                             u"FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;COUNT=40"_s,
                             u"FREQ=HOURLY;INTERVAL=5"_s };
    const auto work = [&] {
        QStringList lines;
        for (const QString &zone : zones) {
            for (const QString &text : texts) {
                QString error;
                const auto parsed = RecurrenceRule::parse(text, false, &error);
                if (!parsed) {
                    lines.append(error);
                    continue;
                }
                const Occurrence first{ TimeZones::instantOf(QDate(2027, 1, 4), QTime(2, 30), zone),
                                        QDate() };
                const QList<Occurrence> found = parsed->between(
                        first, QDateTime(QDate(2027, 1, 1), QTime(0, 0), Qt::UTC),
                        QDateTime(QDate(2029, 1, 1), QTime(0, 0), Qt::UTC), zone, 100);
                for (const Occurrence &occurrence : found)
                    lines.append(occurrence.dueAt.toString(Qt::ISODate));
                const auto next = parsed->nextAfter(first, found.last(), zone);
                lines.append(next ? next->dueAt.toString(Qt::ISODate) : u"end"_s);
                lines.append(TimeZones::dateAt(found.last().dueAt, zone).toString(Qt::ISODate));
            }
        }
        return lines;
    };
    constexpr int threadCount = 4;
    std::latch ready(threadCount);
    std::vector<QStringList> results(threadCount);
    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            results[size_t(i)] = work();
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    const QStringList alone = work();
    // Every rule was accepted and expanded (an error message would be one line instead).
    QVERIFY(alone.size() > zones.size() * texts.size() * 40);
    QCOMPARE(alone.filter(u"rule"_s).size(), 0);
    for (const QStringList &result : results)
        QCOMPARE(result, alone);
}

QTEST_GUILESS_MAIN(TestRecurrence)
#include "tst_recurrence.moc"
