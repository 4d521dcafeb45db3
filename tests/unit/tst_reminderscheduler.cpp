// ReminderScheduler::firesOf: when each reminder of a task fires. Fixed reminders at their
// instant; relative ones before the due time, an all-day task's due time being the start of its
// date in the owner's zone (a DST change in between included); none for a finished task.
#include "reminderscheduler.h"

#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestReminderScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fires_data();
    void fires();
};

namespace {
QDateTime utc(const QString &text)
{
    return QDateTime::fromString(text, Qt::ISODate).toUTC();
}
} // namespace

void TestReminderScheduler::fires_data()
{
    QTest::addColumn<Task>("task");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QStringList>("expected"); // "reminder|occurrence|fire time"

    Task timed;
    timed.dueAt = utc(u"2030-03-10T09:00:00Z"_s);
    timed.reminders = { Reminder{ QDateTime(), 15 },
                        Reminder{ utc(u"2030-03-01T08:00:00Z"_s), std::nullopt } };
    QTest::newRow("relative and fixed")
            << timed << u"UTC"_s
            << QStringList{ u"before:15|2030-03-10T09:00:00.000Z|2030-03-10T08:45:00.000Z"_s,
                            u"at:2030-03-01T08:00:00.000Z|2030-03-10T09:00:00.000Z|"
                            "2030-03-01T08:00:00.000Z"_s };

    Task allDay;
    allDay.dueDate = QDate(2030, 3, 31); // Berlin changes to summer time that night
    allDay.reminders = { Reminder{ QDateTime(), 60 } };
    QTest::newRow("all-day in Berlin, the day DST starts")
            << allDay << u"Europe/Berlin"_s
            << QStringList{ u"before:60|2030-03-31|2030-03-30T22:00:00.000Z"_s };
    QTest::newRow("all-day in Kiritimati (UTC+14)")
            << allDay << u"Pacific/Kiritimati"_s
            << QStringList{ u"before:60|2030-03-31|2030-03-30T09:00:00.000Z"_s };

    Task noDue;
    noDue.reminders = { Reminder{ QDateTime(), 10 },
                        Reminder{ utc(u"2030-01-01T00:00:00Z"_s), std::nullopt } };
    QTest::newRow("no due time: only the fixed one")
            << noDue << u"UTC"_s
            << QStringList{ u"at:2030-01-01T00:00:00.000Z||2030-01-01T00:00:00.000Z"_s };

    Task done = timed;
    done.status = TaskStatus::Done;
    QTest::newRow("done: none") << done << u"UTC"_s << QStringList();
    Task trashed = timed;
    trashed.trashedAt = utc(u"2030-01-01T00:00:00Z"_s);
    QTest::newRow("in the trash: none") << trashed << u"UTC"_s << QStringList();
}

void TestReminderScheduler::fires()
{
    QFETCH(Task, task);
    QFETCH(QString, zone);
    QFETCH(QStringList, expected);
    QStringList actual;
    for (const ReminderScheduler::Fire &fire : ReminderScheduler::firesOf(task, zone))
        actual.append(fire.reminder + u'|' + fire.occurrence + u'|'
                      + fire.at.toString(Qt::ISODateWithMs));
    QCOMPARE(actual, expected);
}

QTEST_GUILESS_MAIN(TestReminderScheduler)
#include "tst_reminderscheduler.moc"
