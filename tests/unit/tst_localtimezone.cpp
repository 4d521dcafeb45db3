// pinLocalTimeZone: TZ pinned to the system's zone file when unset, left alone when set, and
// local time the same afterwards.
#include "localtimezone.h"

#include <QDateTime>
#include <QTest>

#include <time.h>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestLocalTimeZone : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pinsOnlyAnUnsetZone_data();
    void pinsOnlyAnUnsetZone();
};

namespace {
// A winter and a summer instant, so that a zone with daylight saving time shows both offsets.
QList<int> localOffsets()
{
    QList<int> offsets;
    for (const auto *at : { "2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z" })
        offsets.append(QDateTime::fromString(QString::fromLatin1(at), Qt::ISODate)
                               .toLocalTime()
                               .offsetFromUtc());
    return offsets;
}
} // namespace

void TestLocalTimeZone::pinsOnlyAnUnsetZone_data()
{
    QTest::addColumn<bool>("set");
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");

    QTest::newRow("unset: the system's zone file") << false << QByteArray() << ":/etc/localtime"_ba;
    QTest::newRow("a zone by name") << true << "Europe/Berlin"_ba
                                    << "Europe/Berlin"_ba;
    QTest::newRow("UTC") << true << "UTC"_ba
                         << "UTC"_ba;
    QTest::newRow("empty (UTC to glibc)") << true << QByteArray() << QByteArray();
}

void TestLocalTimeZone::pinsOnlyAnUnsetZone()
{
    QFETCH(bool, set);
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);

    if (set)
        qputenv("TZ", before);
    else
        qunsetenv("TZ");
    tzset();
    const QList<int> offsets = localOffsets();

    pinLocalTimeZone();

    QCOMPARE(qEnvironmentVariableIsSet("TZ"), true);
    QCOMPARE(qgetenv("TZ"), after);
    QCOMPARE(localOffsets(), offsets);
}

QTEST_GUILESS_MAIN(TestLocalTimeZone)
#include "tst_localtimezone.moc"
