// JsonText and Task::toJsonBytes: what they write is byte for byte what QJsonDocument writes for
// the same value (the API's task JSON had always come from QJsonObject), for text in every part
// of Unicode, broken surrogates, control characters, numbers at the limits, times around the
// epoch and the tasks' every field empty and full.
#include "jsontext.h"
#include "task.h"
#include "user.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
QByteArray qtJson(const QJsonValue &value)
{
    // A value alone is not a document: wrap it in an array and strip the brackets.
    const QByteArray array = QJsonDocument(QJsonArray{ value }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QDateTime at(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
}

Task fullTask()
{
    Task task;
    task.id = 9'007'199'254'740'993; // above 2^53: must stay exact
    task.ownerId = 7;
    task.title = u"Ünïcödé \"quoted\" \\ back\tslash 🎉 \x01"_s;
    task.description = u"line one\nline two\r\n<b>&amp;</b> \u2028 \u0000 end"_s;
    task.status = TaskStatus::InProgress;
    task.priority = TaskPriority::High;
    task.categoryId = 42;
    task.tags = { u"Work"_s, u"ß-tag"_s, u"\"q\""_s };
    task.dueAt = at(1'800'000'000'123);
    task.reminders
            = { Reminder{ at(1'799'999'000'000), std::nullopt }, Reminder{ QDateTime(), 15 } };
    task.rrule = u"FREQ=WEEKLY;BYDAY=MO"_s;
    task.blockedBy = { 1, 2, 9'007'199'254'740'993 };
    task.assignees = { Assignee{ 3, SharePermission::View }, Assignee{ 4, SharePermission::Edit } };
    task.version = 12;
    task.createdAt = at(0);
    task.updatedAt = at(-1); // before the epoch
    task.completedAt = at(253'402'300'799'999); // 9999-12-31T23:59:59.999Z
    task.trashedAt = at(1'700'000'000'000);
    return task;
}
} // namespace

class TestJsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stringsAreWrittenAsQtWritesThem_data();
    void stringsAreWrittenAsQtWritesThem();
    void numbersAreWrittenAsQtWritesThem_data();
    void numbersAreWrittenAsQtWritesThem();
    void timesAreWrittenAsTheApiShowsThem_data();
    void timesAreWrittenAsTheApiShowsThem();
    void tasksAreWrittenAsToJsonGivesThem_data();
    void tasksAreWrittenAsToJsonGivesThem();
};

void TestJsonText::stringsAreWrittenAsQtWritesThem_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << QString();
    QTest::addRow("plain ASCII") << u"hello world"_s;
    QTest::addRow("quotes and backslashes") << u"say \"hi\" \\o/"_s;
    QTest::addRow("every control character")
            << QString::fromUtf16(u"\x00\x01\x02\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f\x7f", 13);
    QTest::addRow("two-byte UTF-8") << u"äöü ß é ñ"_s;
    QTest::addRow("three-byte UTF-8, line separators") << u"€ 中文 \u2028\u2029 \uFFFF"_s;
    QTest::addRow("a valid surrogate pair") << u"🎉 𝄞"_s;
    QTest::addRow("a lone high surrogate") << QString(QChar(0xD83C)) + u"x"_s;
    QTest::addRow("a lone low surrogate") << u"x"_s + QString(QChar(0xDF89));
    QTest::addRow("a high surrogate at the end") << u"end"_s + QString(QChar(0xD83C));
    QTest::addRow("HTML") << u"<img src=x onerror=alert(1)>&amp;"_s;
}

void TestJsonText::stringsAreWrittenAsQtWritesThem()
{
    QFETCH(QString, text);
    QByteArray out = "prefix:";
    JsonText::appendString(out, text);
    QCOMPARE(out, "prefix:" + qtJson(text));
    if (std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x100; })) {
        QByteArray latin1;
        JsonText::appendLatin1String(latin1, text.toLatin1());
        QCOMPARE(latin1, qtJson(text));
    }
}

void TestJsonText::numbersAreWrittenAsQtWritesThem_data()
{
    QTest::addColumn<qint64>("integer");
    QTest::addColumn<double>("real");
    QTest::addRow("zero") << qint64(0) << 0.0;
    QTest::addRow("negative") << qint64(-17) << -17.5;
    QTest::addRow("2^53 + 1") << qint64(9'007'199'254'740'993) << 9007199254740992.0;
    QTest::addRow("the largest") << std::numeric_limits<qint64>::max() << 1e300;
    QTest::addRow("the smallest") << std::numeric_limits<qint64>::min() << -1e-300;
    QTest::addRow("a fraction") << qint64(3) << 0.1;
}

void TestJsonText::numbersAreWrittenAsQtWritesThem()
{
    QFETCH(qint64, integer);
    QFETCH(double, real);
    QByteArray out;
    JsonText::appendInteger(out, integer);
    QCOMPARE(out, qtJson(QJsonValue(integer)));
    out.clear();
    JsonText::appendDouble(out, real);
    QCOMPARE(out, qtJson(QJsonValue(real)));
}

void TestJsonText::timesAreWrittenAsTheApiShowsThem_data()
{
    QTest::addColumn<qint64>("msecs");
    QTest::addRow("the epoch") << qint64(0);
    QTest::addRow("a millisecond before it") << qint64(-1);
    QTest::addRow("a leap day")
            << QDateTime(QDate(2028, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch();
    QTest::addRow("year 1") << QDateTime(QDate(1, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    QTest::addRow("year 9999") << qint64(253'402'300'799'999);
    QTest::addRow("year 10000") << qint64(253'402'300'800'000);
}

void TestJsonText::timesAreWrittenAsTheApiShowsThem()
{
    QFETCH(qint64, msecs);
    QByteArray out;
    JsonText::appendTime(out, msecs);
    QCOMPARE(out, qtJson(toApiTimestamp(at(msecs))));
}

void TestJsonText::tasksAreWrittenAsToJsonGivesThem_data()
{
    QTest::addColumn<Task>("task");
    QTest::addRow("a new task, every list empty") << Task{};
    Task titled;
    titled.id = 1;
    titled.title = u"Buy milk"_s;
    titled.createdAt = titled.updatedAt = at(1'764'000'000'000);
    QTest::addRow("a plain task") << titled;
    QTest::addRow("every field set, in every kind of text") << fullTask();
    Task allDay = fullTask();
    allDay.dueAt = QDateTime();
    allDay.dueDate = QDate(2026, 12, 24);
    allDay.categoryId.reset();
    allDay.rrule.clear();
    QTest::addRow("an all-day task without category or rule") << allDay;
}

void TestJsonText::tasksAreWrittenAsToJsonGivesThem()
{
    QFETCH(Task, task);
    QCOMPARE(task.toJsonBytes(), QJsonDocument(task.toJson()).toJson(QJsonDocument::Compact));
}

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
