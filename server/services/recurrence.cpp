#include "recurrence.h"

#include "icalsupport.h"

#include <QHash>
#include <QRegularExpression>
#include <QStringList>

#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr qint64 SecondsPerDay = 86400;
// How many consecutive occurrences parse() looks at to judge the spacing of a rule.
constexpr int SampleSize = 100;
// between() never returns more than this, whatever limit it is given.
constexpr int MaxBetween = 10000;
// parse() expands a rule from this start (a Monday) to judge it; the task's real first
// occurrence is not known yet, and the rule's shape does not depend on it.
const QDate ReferenceDate(2027, 1, 4);
const QTime ReferenceTime(9, 0);

struct IteratorFree
{
    void operator()(icalrecur_iterator *iterator) const { icalrecur_iterator_free(iterator); }
};
using Iterator = std::unique_ptr<icalrecur_iterator, IteratorFree>;

struct MallocFree
{
    void operator()(char *text) const { std::free(text); }
};

template<size_t N>
int valueCount(const short (&list)[N])
{
    int count = 0;
    while (count < int(N) && list[count] != ICAL_RECURRENCE_ARRAY_MAX)
        ++count;
    return count;
}

template<size_t N>
void clearList(short (&list)[N])
{
    list[0] = ICAL_RECURRENCE_ARRAY_MAX;
}

icaltimetype toIcal(qint64 wall, bool allDay)
{
    const QDate date = Ical::wallDate(wall);
    const QTime time = Ical::wallTime(wall);
    icaltimetype value = icaltime_null_time();
    value.year = date.year();
    value.month = date.month();
    value.day = date.day();
    value.is_date = allDay ? 1 : 0;
    if (!allDay) {
        value.hour = time.hour();
        value.minute = time.minute();
        value.second = time.second();
    }
    value.zone = nullptr; // floating: the zone is applied by Ical::wallToUtc afterwards
    return value;
}

qint64 fromIcal(const icaltimetype &value)
{
    const QDate date(value.year, value.month, value.day);
    const QTime time = value.is_date ? QTime(0, 0) : QTime(value.hour, value.minute, value.second);
    return Ical::wallSeconds(date, time);
}

qint64 periodSeconds(icalrecurrencetype_frequency frequency)
{
    switch (frequency) {
    case ICAL_HOURLY_RECURRENCE: return 3600;
    case ICAL_DAILY_RECURRENCE: return SecondsPerDay;
    case ICAL_WEEKLY_RECURRENCE: return 7 * SecondsPerDay;
    case ICAL_MONTHLY_RECURRENCE: return 31 * SecondsPerDay;
    default: return 366 * SecondsPerDay;
    }
}

qint64 floorDiv(qint64 value, qint64 divisor)
{
    return value / divisor - ((value % divisor != 0) && ((value < 0) != (divisor < 0)) ? 1 : 0);
}

// A rule ready to expand from a given first occurrence, in wall seconds.
struct Series
{
    icalrecurrencetype rule{}; // COUNT and UNTIL removed: handled here, see walkRule()
    int count = 0; // 0: no COUNT
    std::optional<qint64> untilWall; // inclusive
    bool allDay = false;
    qint64 startWall = 0;
    icaltimezone *tz = nullptr;
};

// The rule's own occurrences (wall seconds, ascending) after the series start and at or after
// `fromWall`, until `visit` returns false, UNTIL passes, or nothing occurs for a horizon.
//
// libical is given neither COUNT (counted by the caller, so icalrecur_iterator_set_start, which
// refuses COUNT rules, can jump to `fromWall`) nor the real UNTIL alone: UNTIL is also set to a
// horizon, because libical looks for the next match without any bound of its own (a rule that
// never matches again scans to the year 2582, seconds for FREQ=HOURLY). Past the horizon a new
// iterator jumps ahead and goes on. The caller holds Ical::mutex().
void walkRule(const Series &series, qint64 fromWall, const std::function<bool(qint64)> &visit)
{
    const qint64 step = series.allDay ? SecondsPerDay : 1;
    const qint64 span
            = std::max<qint64>(RecurrenceRule::HorizonYears * 366 * SecondsPerDay,
                               3 * series.rule.interval * periodSeconds(series.rule.freq));
    qint64 chunkStart = std::max(fromWall, series.startWall);
    if (series.allDay)
        chunkStart = floorDiv(chunkStart + SecondsPerDay - 1, SecondsPerDay) * SecondsPerDay;
    // libical stops at the year 2582, so a handful of horizons covers any series.
    for (int chunk = 0; chunk < 100; ++chunk) {
        qint64 horizon = chunkStart + span;
        if (series.allDay)
            horizon = floorDiv(horizon, SecondsPerDay) * SecondsPerDay;
        const bool untilInside = series.untilWall && *series.untilWall <= horizon;
        if (series.untilWall && *series.untilWall < chunkStart)
            return;
        icalrecurrencetype rule = series.rule;
        rule.until = toIcal(untilInside ? *series.untilWall : horizon, series.allDay);

        qint64 base = series.startWall;
        const bool hourly = rule.freq == ICAL_HOURLY_RECURRENCE;
        if (hourly && chunkStart > base) {
            // set_start loses the phase of FREQ=HOURLY;INTERVAL=n (it lands on the wrong hours),
            // so start the iterator at the last occurrence instead: an hourly rule (parse()
            // allows no BY-parts with it) is just the start plus multiples of the interval.
            const qint64 period = qint64(rule.interval) * 3600;
            base += floorDiv(chunkStart - base, period) * period;
        }
        Iterator iterator(icalrecur_iterator_new(rule, toIcal(base, series.allDay)));
        if (!iterator)
            return;
        if (!hourly && chunkStart > base
            && !icalrecur_iterator_set_start(iterator.get(), toIcal(chunkStart, series.allDay)))
            return;

        bool found = false;
        for (icaltimetype value = icalrecur_iterator_next(iterator.get());
             !icaltime_is_null_time(value); value = icalrecur_iterator_next(iterator.get())) {
            const qint64 wall = fromIcal(value);
            if (wall <= series.startWall || wall < chunkStart)
                continue;
            found = true;
            if (!visit(wall))
                return;
        }
        if (untilInside || !found)
            return;
        chunkStart = horizon + step;
    }
}

// The series' occurrences in order, the first one first (it counts toward COUNT), from
// `fromWall` on (from the start when COUNT must be counted), until `visit` returns false.
// Instants that repeat (wall times in a DST gap land on the instant after it) are given once.
// The caller holds Ical::mutex().
void expandSeries(const Series &series, const Occurrence &first, qint64 fromWall,
                  const std::function<bool(const Occurrence &)> &visit)
{
    const bool counted = series.count > 0;
    int emitted = 0;
    qint64 last = std::numeric_limits<qint64>::min();
    const auto emit = [&](const Occurrence &occurrence, qint64 key) {
        if (key <= last)
            return true;
        last = key;
        ++emitted;
        return visit(occurrence) && !(counted && emitted >= series.count);
    };
    const qint64 walkFrom = counted ? series.startWall : fromWall;
    if (walkFrom <= series.startWall) {
        Occurrence start;
        start.dueAt = first.dueAt.isValid() ? first.dueAt.toUTC() : QDateTime();
        start.dueDate = first.dueDate;
        const qint64 key = series.allDay ? series.startWall
                                         : floorDiv(first.dueAt.toMSecsSinceEpoch(), 1000);
        if (!emit(start, key))
            return;
    }
    walkRule(series, walkFrom, [&](qint64 wall) {
        Occurrence occurrence;
        qint64 key = wall;
        if (series.allDay) {
            occurrence.dueDate = Ical::wallDate(wall);
        } else {
            key = Ical::wallToUtc(wall, series.tz);
            occurrence.dueAt = QDateTime::fromSecsSinceEpoch(key, Qt::UTC);
        }
        return emit(occurrence, key);
    });
}

// The parsed rule for expansion from `first` in `zone`; nullopt for a rule libical refuses
// (cannot happen for a text parse() produced) or a first occurrence that is neither kind.
// The caller holds Ical::mutex().
std::optional<Series> makeSeries(const QString &text, const Occurrence &first, const QString &zone)
{
    Series series;
    series.allDay = first.isAllDay();
    if (!series.allDay && !first.dueAt.isValid())
        return std::nullopt;
    series.tz = Ical::zone(zone);
    series.rule = icalrecurrencetype_from_string(text.toUtf8().constData());
    if (series.rule.rscale) {
        std::free(series.rule.rscale);
        series.rule.rscale = nullptr;
        return std::nullopt;
    }
    if (series.rule.freq == ICAL_NO_RECURRENCE)
        return std::nullopt;
    series.count = series.rule.count;
    series.rule.count = 0;
    const icaltimetype until = series.rule.until;
    if (!icaltime_is_null_time(until)) {
        const QDate date(until.year, until.month, until.day);
        const QTime time(until.hour, until.minute, until.second);
        if (series.allDay)
            series.untilWall = Ical::wallSeconds(date, QTime(0, 0)); // its date, whatever time
        else if (until.is_date)
            series.untilWall = Ical::wallSeconds(date, QTime(23, 59, 59)); // the whole day
        else if (icaltime_is_utc(until))
            series.untilWall = Ical::utcToWall(Ical::wallSeconds(date, time), series.tz);
        else
            series.untilWall = Ical::wallSeconds(date, time); // floating: the zone's wall clock
        series.rule.until = icaltime_null_time();
    }
    if (series.allDay) {
        series.startWall = Ical::wallSeconds(first.dueDate, QTime(0, 0));
    } else {
        const qint64 utc = floorDiv(first.dueAt.toMSecsSinceEpoch(), 1000);
        series.startWall = Ical::utcToWall(utc, series.tz);
    }
    return series;
}

// ---- validation ----

struct Part
{
    QString key; // upper case
    QString value; // upper case
    QString text; // as the client wrote it, for messages
};

std::optional<RecurrenceRule> refuse(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

QString invalidPart(const Part &part, const QString &why)
{
    return u"The rule part '%1' is not valid: %2."_s.arg(part.text, why);
}

const QStringList &knownKeys()
{
    static const QStringList keys{ u"FREQ"_s,       u"INTERVAL"_s,  u"COUNT"_s,    u"UNTIL"_s,
                                   u"BYSECOND"_s,   u"BYMINUTE"_s,  u"BYHOUR"_s,   u"BYDAY"_s,
                                   u"BYMONTHDAY"_s, u"BYYEARDAY"_s, u"BYWEEKNO"_s, u"BYMONTH"_s,
                                   u"BYSETPOS"_s,   u"WKST"_s,      u"RSCALE"_s,   u"SKIP"_s };
    return keys;
}

struct NumberList
{
    int minimum;
    int maximum;
    bool negative; // -maximum..-1 allowed too
    QString hint;
};

const QHash<QString, NumberList> &numberLists()
{
    static const QHash<QString, NumberList> lists{
        { u"BYSECOND"_s, { 0, 59, false, u"BYSECOND takes seconds from 0 to 59"_s } },
        { u"BYMINUTE"_s, { 0, 59, false, u"BYMINUTE takes minutes from 0 to 59"_s } },
        { u"BYHOUR"_s, { 0, 23, false, u"BYHOUR takes hours from 0 to 23"_s } },
        { u"BYMONTHDAY"_s,
          { 1, 31, true, u"BYMONTHDAY takes days of the month from 1 to 31 or -31 to -1"_s } },
        { u"BYYEARDAY"_s,
          { 1, 366, true, u"BYYEARDAY takes days of the year from 1 to 366 or -366 to -1"_s } },
        // libical 3.0.16 puts week 53 in years that have none (2031-12-29 is in week 1 of
        // 2032), so it is not offered.
        { u"BYWEEKNO"_s,
          { 1, 52, true,
            u"BYWEEKNO takes weeks from 1 to 52 or -52 to -1 (week 53 is not supported)"_s } },
        { u"BYMONTH"_s, { 1, 12, false, u"BYMONTH takes months from 1 to 12"_s } },
        { u"BYSETPOS"_s,
          { 1, 366, true, u"BYSETPOS takes positions from 1 to 366 or -366 to -1"_s } },
    };
    return lists;
}

// The problem with one part on its own, or an empty string when it is well-formed.
QString checkPart(const Part &part)
{
    static const QRegularExpression digits(u"^[0-9]{1,9}$"_s);
    static const QRegularExpression number(u"^([+-]?)([0-9]{1,3})$"_s);
    static const QRegularExpression weekday(u"^([+-]?)([0-9]{1,2})?(SU|MO|TU|WE|TH|FR|SA)$"_s);
    static const QRegularExpression untilForm(
            u"^([0-9]{4})([0-9]{2})([0-9]{2})(T([0-9]{2})([0-9]{2})([0-9]{2})(Z?))?$"_s);
    const QString &key = part.key;
    const QString &value = part.value;

    if (key == u"FREQ") {
        if (value == u"SECONDLY" || value == u"MINUTELY")
            return u"The rule part '%1' is too frequent: occurrences must be at least 1 hour "
                   "apart, so FREQ=HOURLY is the most frequent allowed."_s.arg(part.text);
        static const QStringList frequencies{ u"HOURLY"_s, u"DAILY"_s, u"WEEKLY"_s, u"MONTHLY"_s,
                                              u"YEARLY"_s };
        if (!frequencies.contains(value))
            return invalidPart(part, u"FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY"_s);
        return {};
    }
    if (key == u"INTERVAL" || key == u"COUNT") {
        // libical reads these with atoi (INTERVAL=2x is 2) and keeps INTERVAL in a short
        // (70000 becomes 4464), so the digits are checked here.
        const int maximum
                = key == u"INTERVAL" ? RecurrenceRule::MaxInterval : RecurrenceRule::MaxCount;
        if (!digits.match(value).hasMatch() || value.toInt() < 1 || value.toInt() > maximum)
            return invalidPart(part,
                               u"%1 must be a whole number from 1 to %2"_s.arg(key).arg(maximum));
        return {};
    }
    if (key == u"UNTIL") {
        // libical accepts UNTIL=20271301 and UNTIL=2027-01-05; neither is RFC 5545.
        const QRegularExpressionMatch match = untilForm.match(value);
        if (!match.hasMatch())
            return invalidPart(part,
                               u"UNTIL must be a date such as 20271231 or a UTC date and time "
                               "such as 20271231T170000Z"_s);
        const QDate date(match.captured(1).toInt(), match.captured(2).toInt(),
                         match.captured(3).toInt());
        const bool timeOk = match.captured(4).isEmpty()
                || QTime(match.captured(5).toInt(), match.captured(6).toInt(),
                         match.captured(7).toInt())
                           .isValid();
        if (!date.isValid() || !timeOk || date.year() < 1970)
            return u"The rule part '%1' names a date or time that does not exist."_s.arg(part.text);
        return {};
    }
    if (key == u"BYDAY" || key == u"WKST") {
        const QStringList items = value.split(u',');
        for (const QString &item : items) {
            const QRegularExpressionMatch match = weekday.match(item);
            const bool plain = match.hasMatch() && match.captured(1).isEmpty()
                    && match.captured(2).isEmpty();
            if (key == u"WKST" && (items.size() != 1 || !plain))
                return invalidPart(part, u"WKST takes one weekday: SU, MO, TU, WE, TH, FR or SA"_s);
            const int ordinal = match.captured(2).toInt();
            if (!match.hasMatch() || (!match.captured(2).isEmpty() && (ordinal < 1 || ordinal > 53))
                || (match.captured(2).isEmpty() && !match.captured(1).isEmpty()))
                return invalidPart(part,
                                   u"BYDAY takes weekdays (SU, MO, TU, WE, TH, FR, SA), each "
                                   "optionally with an ordinal such as 2TU or -1FR, separated "
                                   "by commas"_s);
        }
        return {};
    }
    if (key == u"RSCALE")
        return u"The rule part '%1' asks for a non-Gregorian calendar (RFC 7529), which is not "
               "supported."_s.arg(part.text);
    if (key == u"SKIP")
        return u"The rule part '%1' only applies together with RSCALE, which is not supported."_s
                .arg(part.text);
    const auto list = numberLists().constFind(key);
    if (list == numberLists().constEnd())
        return u"The rule part '%1' is not an RRULE part this server understands."_s.arg(part.text);
    const QStringList items = value.split(u',');
    for (const QString &item : items) {
        const QRegularExpressionMatch match = number.match(item);
        const int magnitude = match.captured(2).toInt();
        const bool negative = match.captured(1) == u"-";
        const bool fits = match.hasMatch() && magnitude >= list->minimum
                && magnitude <= list->maximum && (!negative || list->negative);
        if (!fits)
            return invalidPart(part, list->hint + u", separated by commas"_s);
    }
    return {};
}

// The part of `parts` with `key`, for messages (the key itself when it is absent).
QString partText(const QList<Part> &parts, const QString &key)
{
    for (const Part &part : parts) {
        if (part.key == key)
            return part.text;
    }
    return key;
}

QString frequencyName(icalrecurrencetype_frequency frequency)
{
    return QString::fromLatin1(icalrecur_freq_to_string(frequency));
}

QString spacingText(qint64 seconds)
{
    if (seconds <= 0)
        return u"at the same time"_s;
    if (seconds < 60)
        return u"%1 seconds apart"_s.arg(seconds);
    return u"%1 minutes apart"_s.arg(seconds / 60);
}

// The days a month can have, February counted as 29.
constexpr int MonthLength[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

// Semantic checks on a rule that libical parsed. The caller holds Ical::mutex().
QString checkRule(icalrecurrencetype rule, const QList<Part> &parts, bool allDay)
{
    const QString frequency = frequencyName(rule.freq);
    const bool monthlyOrYearly
            = rule.freq == ICAL_MONTHLY_RECURRENCE || rule.freq == ICAL_YEARLY_RECURRENCE;
    const int hours = valueCount(rule.by_hour);
    const int minutes = valueCount(rule.by_minute);
    const int seconds = valueCount(rule.by_second);
    const auto has = [&parts](const QString &key) {
        return std::any_of(parts.cbegin(), parts.cend(),
                           [&key](const Part &part) { return part.key == key; });
    };

    if (rule.freq == ICAL_HOURLY_RECURRENCE) {
        if (allDay)
            return u"The rule part '%1' needs a due time: an all-day task repeats at most daily."_s
                    .arg(partText(parts, u"FREQ"_s));
        // Narrowed hourly rules make libical step hour by hour through long stretches (and its
        // set_start misplaces them); DAILY with BYHOUR says the same thing cheaply.
        for (const Part &part : parts) {
            if (part.key.startsWith(u"BY"))
                return u"The rule part '%1' cannot be used with FREQ=HOURLY; to repeat at certain "
                       "hours or on certain days, use FREQ=DAILY with BYHOUR."_s.arg(part.text);
        }
    }
    if (allDay) {
        // libical 3.0.16 does not ignore them for dates: FREQ=DAILY;BYHOUR=9,17 gives each
        // date twice.
        for (const QString &key : { u"BYHOUR"_s, u"BYMINUTE"_s, u"BYSECOND"_s }) {
            if (has(key))
                return u"The rule part '%1' sets a time of day, which an all-day task does not "
                       "have."_s.arg(partText(parts, key));
        }
    }

    // Numbered weekdays are checked before libical sees them: icalrecur_iterator_new() looks for
    // a first match until the year 2582, ignoring UNTIL, which costs about a second (release
    // build, under Ical::mutex) for a weekday that no month has six of.
    const bool withinMonths = rule.freq == ICAL_MONTHLY_RECURRENCE || has(u"BYMONTH"_s);
    for (int i = 0; i < valueCount(rule.by_day); ++i) {
        const int position = std::abs(icalrecurrencetype_day_position(rule.by_day[i]));
        if (position != 0 && !monthlyOrYearly)
            return u"The rule part '%1' numbers its weekdays, which only works with FREQ=MONTHLY "
                   "or FREQ=YEARLY."_s.arg(partText(parts, u"BYDAY"_s));
        if (position > 5 && withinMonths)
            return u"The rule part '%1' numbers a weekday beyond the fifth, and no month has "
                   "more than five of one weekday."_s.arg(partText(parts, u"BYDAY"_s));
    }

    // Combinations RFC 5545 forbids (BYMONTHDAY with WEEKLY, ...) only show when the iterator is
    // made; find the part whose removal makes the rule acceptable to name it.
    const icaltimetype start = allDay
            ? toIcal(Ical::wallSeconds(ReferenceDate, QTime(0, 0)), true)
            : toIcal(Ical::wallSeconds(ReferenceDate, ReferenceTime), false);
    icalrecurrencetype probe = rule;
    probe.until = icaltime_null_time();
    probe.count = 0;
    if (!Iterator(icalrecur_iterator_new(probe, start))) {
        const auto without = [&](auto clear) {
            icalrecurrencetype less = probe;
            clear(less);
            return bool(Iterator(icalrecur_iterator_new(less, start)));
        };
        const QList<std::pair<QString, std::function<void(icalrecurrencetype &)>>> byParts{
            { u"BYSETPOS"_s, [](icalrecurrencetype &r) { clearList(r.by_set_pos); } },
            { u"BYWEEKNO"_s, [](icalrecurrencetype &r) { clearList(r.by_week_no); } },
            { u"BYYEARDAY"_s, [](icalrecurrencetype &r) { clearList(r.by_year_day); } },
            { u"BYMONTHDAY"_s, [](icalrecurrencetype &r) { clearList(r.by_month_day); } },
            { u"BYDAY"_s, [](icalrecurrencetype &r) { clearList(r.by_day); } },
            { u"BYMONTH"_s, [](icalrecurrencetype &r) { clearList(r.by_month); } },
        };
        for (const auto &[key, clear] : byParts) {
            if (has(key) && without(clear))
                return u"The rule part '%1' cannot be used in this rule with FREQ=%2 (RFC 5545 "
                       "forbids the combination, or it selects nothing)."_s.arg(
                               partText(parts, key), frequency);
        }
        return u"The rule combines parts that RFC 5545 does not allow together."_s;
    }

    if (has(u"BYSETPOS"_s)) {
        // libical 3.0.16 ignores BYSETPOS for DAILY and WEEKLY and applies it to days only,
        // never to several times of one day.
        if (!monthlyOrYearly)
            return u"The rule part '%1' only works with FREQ=MONTHLY or FREQ=YEARLY."_s.arg(
                    partText(parts, u"BYSETPOS"_s));
        if (hours > 1 || minutes > 1 || seconds > 1)
            return u"The rule part '%1' cannot pick among several BYHOUR, BYMINUTE or BYSECOND "
                   "values; give one time of day."_s.arg(partText(parts, u"BYSETPOS"_s));
    }
    if (has(u"BYWEEKNO"_s)) {
        if (rule.freq != ICAL_YEARLY_RECURRENCE)
            return u"The rule part '%1' only works with FREQ=YEARLY."_s.arg(
                    partText(parts, u"BYWEEKNO"_s));
        // Without BYDAY libical 3.0.16 picks a weekday of its own (Tuesday), not DTSTART's.
        if (!has(u"BYDAY"_s))
            return u"The rule part '%1' needs BYDAY to say which days of the week."_s.arg(
                    partText(parts, u"BYWEEKNO"_s));
    }
    // libical 3.0.16 yields nothing at all for a negative day used as a limit (issue #791).
    for (int i = 0; i < valueCount(rule.by_month_day); ++i) {
        if (rule.by_month_day[i] < 0 && !monthlyOrYearly)
            return u"The rule part '%1' counts from the end of the month, which only works with "
                   "FREQ=MONTHLY or FREQ=YEARLY."_s.arg(partText(parts, u"BYMONTHDAY"_s));
    }
    for (int i = 0; i < valueCount(rule.by_year_day); ++i) {
        if (rule.by_year_day[i] < 0 && rule.freq != ICAL_YEARLY_RECURRENCE)
            return u"The rule part '%1' counts from the end of the year, which only works with "
                   "FREQ=YEARLY."_s.arg(partText(parts, u"BYYEARDAY"_s));
    }
    // A day of the month that none of the months has: the rule never matches, and libical
    // would look for a match until the year 2582.
    if (valueCount(rule.by_month_day) > 0) {
        bool anyFits = false;
        const int months = valueCount(rule.by_month);
        for (int d = 0; d < valueCount(rule.by_month_day); ++d) {
            const int day = std::abs(rule.by_month_day[d]);
            for (int m = 0; m < (months > 0 ? months : 12); ++m) {
                const int month = months > 0 ? rule.by_month[m] : m + 1;
                anyFits = anyFits || (month >= 1 && month <= 12 && day <= MonthLength[month - 1]);
            }
        }
        if (!anyFits)
            return u"The rule part '%1' never falls in the months of '%2'."_s.arg(
                    partText(parts, u"BYMONTHDAY"_s), partText(parts, u"BYMONTH"_s));
    }

    // Spacing: expand the rule alone (no COUNT or UNTIL, so only its shape counts).
    Series series;
    series.rule = probe;
    series.allDay = allDay;
    series.startWall = fromIcal(start);
    QList<qint64> sample;
    walkRule(series, series.startWall, [&sample](qint64 wall) {
        sample.append(wall);
        return sample.size() <= SampleSize;
    });
    if (sample.isEmpty())
        return u"The rule never produces an occurrence (none within %1 years)."_s.arg(
                RecurrenceRule::HorizonYears);
    for (qsizetype i = 1; i < sample.size(); ++i) {
        const qint64 spacing = sample.at(i) - sample.at(i - 1);
        if (spacing < RecurrenceRule::MinSpacingSeconds)
            return u"The rule is too frequent: some occurrences come %1, and they must be at least "
                   "1 hour apart."_s.arg(spacingText(spacing));
    }
    return {};
}

} // namespace

std::optional<RecurrenceRule> RecurrenceRule::parse(const QString &text, bool allDay,
                                                    QString *error)
{
    QString body = text.trimmed();
    if (body.endsWith(u';'))
        body.chop(1); // tolerated, as libical does
    if (body.isEmpty())
        return refuse(error,
                      u"The rule is empty; it needs at least a FREQ part, such as "
                      "FREQ=WEEKLY."_s);

    QList<Part> parts;
    const QStringList pieces = body.split(u';');
    for (const QString &piece : pieces) {
        // libical stops reading at an empty part and ignores the rest (FREQ=DAILY;;BYHOUR=1 is
        // plain daily), so it is refused here.
        if (piece.trimmed().isEmpty())
            return refuse(error, u"The rule has an empty part (two semicolons in a row)."_s);
        const qsizetype equals = piece.indexOf(u'=');
        if (equals <= 0)
            return refuse(error, u"The rule part '%1' is not of the form NAME=VALUE."_s.arg(piece));
        Part part{ piece.left(equals).toUpper(), piece.mid(equals + 1).toUpper(), piece };
        if (!knownKeys().contains(part.key)) {
            return refuse(error,
                          u"The rule part '%1' is not an RRULE part this server "
                          "understands."_s.arg(piece));
        }
        for (const Part &earlier : std::as_const(parts)) {
            if (earlier.key == part.key)
                return refuse(error,
                              u"The rule part '%1' repeats %2, which may appear only once."_s.arg(
                                      piece, part.key));
        }
        if (const QString problem = checkPart(part); !problem.isEmpty())
            return refuse(error, problem);
        parts.append(part);
    }
    if (partText(parts, u"FREQ"_s) == u"FREQ")
        return refuse(error, u"The rule has no FREQ part; add one such as FREQ=WEEKLY."_s);
    // libical refuses this pair without saying why.
    if (partText(parts, u"COUNT"_s) != u"COUNT" && partText(parts, u"UNTIL"_s) != u"UNTIL")
        return refuse(error,
                      u"The rule parts '%1' and '%2' cannot be used together; use one of "
                      "them."_s.arg(partText(parts, u"COUNT"_s), partText(parts, u"UNTIL"_s)));

    QStringList upper;
    for (const Part &part : std::as_const(parts))
        upper.append(part.key + u'=' + part.value);

    std::lock_guard lock(Ical::mutex());
    icalrecurrencetype rule = icalrecurrencetype_from_string(upper.join(u';').toUtf8().constData());
    std::free(rule.rscale); // RSCALE was refused above; freed in case libical set it anyway
    rule.rscale = nullptr;
    if (rule.freq == ICAL_NO_RECURRENCE) {
        // libical says no more than that: parse each part alone to find the culprit.
        for (const Part &part : std::as_const(parts)) {
            QString alone = part.key + u'=' + part.value;
            if (part.key != u"FREQ")
                alone.prepend(u"FREQ=YEARLY;"_s);
            icalrecurrencetype single = icalrecurrencetype_from_string(alone.toUtf8().constData());
            std::free(single.rscale);
            if (single.freq == ICAL_NO_RECURRENCE)
                return refuse(error, u"The rule part '%1' is not valid."_s.arg(part.text));
        }
        return refuse(error, u"The rule is not valid."_s);
    }
    if (const QString problem = checkRule(rule, parts, allDay); !problem.isEmpty())
        return refuse(error, problem);

    const std::unique_ptr<char, MallocFree> canonical(icalrecurrencetype_as_string_r(&rule));
    RecurrenceRule result;
    result.m_text = QString::fromUtf8(canonical.get());
    return result;
}

std::optional<Occurrence> RecurrenceRule::nextAfter(const Occurrence &first,
                                                    const Occurrence &current,
                                                    const QString &zone) const
{
    std::lock_guard lock(Ical::mutex());
    const std::optional<Series> series = makeSeries(m_text, first, zone);
    if (!series)
        return std::nullopt;
    std::optional<Occurrence> found;
    if (series->allDay) {
        // A current instant means the date it falls on in the zone.
        QDate after = current.dueDate;
        if (!after.isValid() && current.dueAt.isValid())
            after = Ical::wallDate(
                    Ical::utcToWall(floorDiv(current.dueAt.toMSecsSinceEpoch(), 1000), series->tz));
        if (!after.isValid() || after < first.dueDate)
            return Occurrence{ QDateTime(), first.dueDate };
        expandSeries(*series, first, Ical::wallSeconds(after.addDays(1), QTime(0, 0)),
                     [&](const Occurrence &occurrence) {
                         if (occurrence.dueDate <= after)
                             return true;
                         found = occurrence;
                         return false;
                     });
        return found;
    }
    // A current date means that whole day in the zone.
    qint64 after = std::numeric_limits<qint64>::min(); // milliseconds since the epoch
    if (current.dueAt.isValid())
        after = current.dueAt.toMSecsSinceEpoch();
    else if (current.dueDate.isValid())
        after = Ical::wallToUtc(Ical::wallSeconds(current.dueDate.addDays(1), QTime(0, 0)),
                                series->tz)
                        * 1000
                - 1;
    if (after < first.dueAt.toMSecsSinceEpoch())
        return Occurrence{ first.dueAt.toUTC(), QDate() };
    expandSeries(*series, first, Ical::utcToWall(floorDiv(after, 1000), series->tz),
                 [&](const Occurrence &occurrence) {
                     if (occurrence.dueAt.toMSecsSinceEpoch() <= after)
                         return true;
                     found = occurrence;
                     return false;
                 });
    return found;
}

QList<Occurrence> RecurrenceRule::between(const Occurrence &first, const QDateTime &from,
                                          const QDateTime &to, const QString &zone, int limit) const
{
    QList<Occurrence> found;
    if (limit <= 0 || !from.isValid() || !to.isValid() || from >= to)
        return found;
    limit = std::min(limit, MaxBetween);
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();

    std::lock_guard lock(Ical::mutex());
    const std::optional<Series> series = makeSeries(m_text, first, zone);
    if (!series)
        return found;
    const qint64 fromWall = Ical::utcToWall(floorDiv(fromMs, 1000), series->tz);
    if (series->allDay) {
        const auto dayStartMs = [&series](QDate date) {
            return Ical::wallToUtc(Ical::wallSeconds(date, QTime(0, 0)), series->tz) * 1000;
        };
        const qint64 fromDay = floorDiv(fromWall, SecondsPerDay) * SecondsPerDay;
        expandSeries(*series, first, fromDay, [&](const Occurrence &occurrence) {
            if (dayStartMs(occurrence.dueDate) >= toMs)
                return false;
            if (dayStartMs(occurrence.dueDate.addDays(1)) > fromMs)
                found.append(occurrence);
            return found.size() < limit;
        });
        return found;
    }
    expandSeries(*series, first, fromWall, [&](const Occurrence &occurrence) {
        const qint64 at = occurrence.dueAt.toMSecsSinceEpoch();
        if (at >= toMs)
            return false;
        if (at >= fromMs)
            found.append(occurrence);
        return found.size() < limit;
    });
    return found;
}

} // namespace Tasklane
