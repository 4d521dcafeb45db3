#pragma once

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QTime>

namespace Tasklane {

// IANA time zones: which names the server accepts, and conversions between UTC instants and a
// zone's wall clock that follow RFC 5545 §3.3.5 where QDateTime does not. Thread-safe.
class TimeZones
{
public:
    // True for "UTC" and for the IANA names both Qt and /usr/share/zoneinfo know (no aliases,
    // no right/ or posix/ trees, no paths): the only names ever handed to libical.
    static bool isKnown(const QString &name);

    // The UTC instant of a wall-clock time in `zone`. A time that occurs twice (autumn overlap)
    // is the earlier instant; a time in a spring gap is read with the offset in force before the
    // gap, so 02:30 on the day Berlin skips 02:00-03:00 is 03:30 summer time. An unknown zone is
    // treated as UTC.
    static QDateTime instantOf(QDate date, QTime time, const QString &zone);

    // The date on the wall clock of `zone` at an instant (an unknown zone is UTC).
    static QDate dateAt(const QDateTime &instant, const QString &zone);

    // The time on the wall clock of `zone` at an instant (an unknown zone is UTC).
    static QTime timeAt(const QDateTime &instant, const QString &zone);

    // The first instant of a local date in `zone`: its midnight, or the end of the gap when a
    // zone skips midnight.
    static QDateTime startOfDay(QDate date, const QString &zone);
};

} // namespace Tasklane
