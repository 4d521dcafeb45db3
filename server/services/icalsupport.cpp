#include "icalsupport.h"

#include "timezones.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>

namespace Tasklane::Ical {

namespace {
constexpr qint64 SecondsPerDay = 86400;
} // namespace

std::mutex &mutex()
{
    static std::mutex lock;
    return lock;
}

qint64 wallSeconds(QDate date, QTime time)
{
    return QDateTime(date, time, Qt::UTC).toSecsSinceEpoch();
}

QDate wallDate(qint64 wall)
{
    return QDateTime::fromSecsSinceEpoch(wall, Qt::UTC).date();
}

QTime wallTime(qint64 wall)
{
    return QDateTime::fromSecsSinceEpoch(wall, Qt::UTC).time();
}

icaltimezone *zone(const QString &name)
{
    // Cached so that each zone is looked up, and its VTIMEZONE loaded, once: the lookup appends
    // to and the load rewrites libical's shared state (libraries.md 1.1, 1.8). Pointers from
    // libical's built-in table stay valid for the life of the process.
    static QHash<QString, icaltimezone *> cache;
    if (!TimeZones::isKnown(name) || name == u"UTC")
        return icaltimezone_get_utc_timezone();
    if (const auto found = cache.constFind(name); found != cache.constEnd())
        return *found;
    icaltimezone *tz = icaltimezone_get_builtin_timezone(name.toUtf8().constData());
    if (tz)
        icaltimezone_get_component(tz); // forces the lazy load now, under the lock
    else
        tz = icaltimezone_get_utc_timezone();
    cache.insert(name, tz);
    return tz;
}

int offsetAt(icaltimezone *tz, qint64 utcSeconds)
{
    icaltimetype utc = icaltime_from_timet_with_zone(static_cast<time_t>(utcSeconds), 0,
                                                     icaltimezone_get_utc_timezone());
    int isDaylight = 0;
    return icaltimezone_get_utc_offset_of_utc_time(tz, &utc, &isDaylight);
}

qint64 wallToUtc(qint64 wall, icaltimezone *tz)
{
    // A day either side of the reading is outside any transition near it: if the offsets there
    // agree there is no gap or overlap around it. Otherwise try both offsets and keep the ones
    // that read back as the offset in force at the candidate instant.
    const int before = offsetAt(tz, wall - SecondsPerDay);
    const int after = offsetAt(tz, wall + SecondsPerDay);
    if (before == after)
        return wall - before;
    const qint64 withBefore = wall - before;
    const qint64 withAfter = wall - after;
    const bool beforeFits = offsetAt(tz, withBefore) == before;
    const bool afterFits = offsetAt(tz, withAfter) == after;
    if (beforeFits && afterFits)
        return std::min(withBefore, withAfter); // overlap: the earlier instant
    if (beforeFits)
        return withBefore;
    if (afterFits)
        return withAfter;
    return withBefore; // gap: read with the offset in force before it
}

qint64 utcToWall(qint64 utcSeconds, icaltimezone *tz)
{
    return utcSeconds + offsetAt(tz, utcSeconds);
}

} // namespace Tasklane::Ical
