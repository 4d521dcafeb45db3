#include "timezones.h"

#include "icalsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

const QString ZoneDirectory = u"/usr/share/zoneinfo"_s;

QSet<QString> knownZones()
{
    // Qt lists zone.tab's names (and some UTC±hh:mm ids that have no file); libical reads the
    // file of the same name in /usr/share/zoneinfo. Only names both accept are offered, so a
    // client can never make libical open an arbitrary path (libraries.md 1.1).
    QSet<QString> names{ u"UTC"_s };
    const QList<QByteArray> ids = QTimeZone::availableTimeZoneIds();
    for (const QByteArray &id : ids) {
        const QString name = QString::fromUtf8(id);
        if (name.startsWith(u"right/") || name.startsWith(u"posix/") || name.contains(u"..")
            || name.startsWith(u'/') || name.contains(u'\\'))
            continue;
        if (QFileInfo(ZoneDirectory + u'/' + name).isFile())
            names.insert(name);
    }
    return names;
}

QDateTime fromUtcSeconds(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
}

qint64 wallAt(const QDateTime &instant, const QString &zone)
{
    std::lock_guard lock(Ical::mutex());
    return Ical::utcToWall(instant.toSecsSinceEpoch(), Ical::zone(zone));
}

} // namespace

bool TimeZones::isKnown(const QString &name)
{
    static const QSet<QString> names = knownZones(); // initialised once, thread-safely
    return names.contains(name);
}

QDateTime TimeZones::instantOf(QDate date, QTime time, const QString &zone)
{
    if (!date.isValid() || !time.isValid())
        return {};
    const QTime whole(time.hour(), time.minute(), time.second());
    const qint64 wall = Ical::wallSeconds(date, whole);
    qint64 utc = 0;
    {
        std::lock_guard lock(Ical::mutex());
        utc = Ical::wallToUtc(wall, Ical::zone(zone));
    }
    return fromUtcSeconds(utc).addMSecs(time.msec());
}

QDate TimeZones::dateAt(const QDateTime &instant, const QString &zone)
{
    if (!instant.isValid())
        return {};
    return Ical::wallDate(wallAt(instant, zone));
}

QTime TimeZones::timeAt(const QDateTime &instant, const QString &zone)
{
    if (!instant.isValid())
        return {};
    const QTime whole = Ical::wallTime(wallAt(instant, zone));
    return whole.addMSecs(instant.time().msec()); // offsets are whole seconds
}

QDateTime TimeZones::startOfDay(QDate date, const QString &zone)
{
    // Midnight read per RFC 5545 lands after a gap that swallows it, which is the day's first
    // instant; in an overlap at midnight it is the earlier midnight, also the first.
    return instantOf(date, QTime(0, 0), zone);
}

} // namespace Tasklane
