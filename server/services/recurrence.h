#pragma once

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

// One instance of a task series: a UTC instant for a task with a due time, or a date for an
// all-day task (exactly one of the two is valid).
struct Occurrence
{
    QDateTime dueAt; // UTC, valid for a timed task
    QDate dueDate; // valid for an all-day task

    // True when the occurrence is a date rather than an instant.
    bool isAllDay() const { return dueDate.isValid(); }

    friend bool operator==(const Occurrence &, const Occurrence &) = default;
};

// A validated RFC 5545 RRULE and its expansion (libical 3.0.16 underneath, with its known traps
// refused or worked around). Immutable and safe to use from several threads at once.
class RecurrenceRule
{
public:
    static constexpr int MaxInterval = 1000;
    static constexpr int MaxCount = 1000;
    // Occurrences of one series must be at least this far apart (wall clock).
    static constexpr int MinSpacingSeconds = 3600;
    // An occurrence more than this many years after the previous one (or after the instant a
    // search starts from) is not looked for: the series counts as ended. It bounds the work a
    // rule that rarely or never matches (BYMONTH=2;BYMONTHDAY=29;BYDAY=MO) can cause.
    static constexpr int HorizonYears = 50;

    // The rule in `text` (an RRULE value such as "FREQ=WEEKLY;BYDAY=MO"), checked for a series
    // of dates (`allDay`) or of instants; nullopt with one sentence naming the offending part in
    // *error (if given) when it is invalid, unsupported or more frequent than hourly.
    static std::optional<RecurrenceRule> parse(const QString &text, bool allDay, QString *error);

    // The canonical text of the rule (libical's serialisation), which is what gets stored.
    QString text() const { return m_text; }

    // The first occurrence strictly after `current` of the series whose first occurrence is
    // `first` (the first one counts toward COUNT even if it does not match the rule), or nullopt
    // once the series has ended. Timed series repeat on the wall clock of `zone` (09:00 stays
    // 09:00 across DST); all-day series are dates and ignore it.
    std::optional<Occurrence> nextAfter(const Occurrence &first, const Occurrence &current,
                                        const QString &zone) const;

    // The occurrences in [from, to), ascending, at most `limit` of them; an all-day occurrence
    // is in range when its day in `zone` overlaps [from, to).
    QList<Occurrence> between(const Occurrence &first, const QDateTime &from, const QDateTime &to,
                              const QString &zone, int limit) const;

private:
    RecurrenceRule() = default;

    QString m_text;
};

} // namespace Tasklane
