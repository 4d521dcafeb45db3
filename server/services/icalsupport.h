#pragma once

// Internal to TimeZones and RecurrenceRule: the one place that touches libical's zones.

#include <QDate>
#include <QString>
#include <QTime>

#include <libical/ical.h>

#include <mutex>

namespace Tasklane::Ical {

// Every libical call Tasklane makes runs under this lock. libical 3.0.16 still races on its
// built-in zone table and on a zone's first lazy load (libraries.md 1.8), and expanding a rule
// takes milliseconds, so one lock is simpler than proving which calls are safe together.
std::mutex &mutex();

// Wall-clock times are carried as "wall seconds": the seconds since 1970-01-01 00:00 of the
// wall-clock reading, as if it were UTC. Differences of wall seconds are wall-clock durations.
qint64 wallSeconds(QDate date, QTime time);
QDate wallDate(qint64 wall);
QTime wallTime(qint64 wall);

// The libical zone for a name TimeZones::isKnown() accepts, or the UTC zone for any other name
// (so an unvalidated name never reaches libical). The caller holds mutex().
icaltimezone *zone(const QString &name);

// The zone's UTC offset in seconds at a UTC instant. The caller holds mutex().
int offsetAt(icaltimezone *tz, qint64 utcSeconds);

// The UTC instant of a wall-clock reading, per RFC 5545 §3.3.5: in an overlap the earlier
// instant, in a gap the reading taken with the offset in force before the gap (02:30 in a
// one-hour spring gap is 03:30 summer time). The caller holds mutex().
qint64 wallToUtc(qint64 wall, icaltimezone *tz);

// The zone's wall-clock reading at a UTC instant. The caller holds mutex().
qint64 utcToWall(qint64 utcSeconds, icaltimezone *tz);

} // namespace Tasklane::Ical
