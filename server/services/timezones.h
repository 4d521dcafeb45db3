#pragma once
#include <QDateTime>
#include <QTimeZone>
#include <optional>
namespace Tasklane {
class TimeZones {
public:
    static bool isKnown(const QString &name) { return QTimeZone::isTimeZoneIdAvailable(name.toUtf8()); }
    static QDateTime instantOf(QDate d, QTime t, const QString &zone) { return QDateTime(d, t, QTimeZone(zone.toUtf8())).toUTC(); }
    static QDate dateAt(const QDateTime &i, const QString &zone) { return i.toTimeZone(QTimeZone(zone.toUtf8())).date(); }
    static QDateTime startOfDay(QDate d, const QString &zone) { return instantOf(d, QTime(0,0), zone); }
};
}
