// User and its timestamps: RFC 3339 UTC, JSON round trips.
#include "user.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
User sampleUser(qint64 id)
{
    User user;
    user.id = id;
    user.email = u"ada@example.com"_s;
    user.displayName = u"Ada 🚀"_s;
    user.role = Role::Manager;
    user.createdAt = QDateTime::fromString(u"2026-11-24T10:00:00.123Z"_s, Qt::ISODateWithMs);
    user.updatedAt = user.createdAt.addSecs(60);
    return user;
}
} // namespace

class TestUser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timestampsAreRfc3339Utc_data();
    void timestampsAreRfc3339Utc();
    void userRoundTrips();
    void userRefusesAnUnknownRole();
};

void TestUser::timestampsAreRfc3339Utc_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::newRow("now") << QDateTime::currentDateTimeUtc();
    QTest::newRow("the epoch") << QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    QTest::newRow("before the epoch") << QDateTime::fromMSecsSinceEpoch(-1, Qt::UTC);
    QTest::newRow("a leap day") << QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC);
    QTest::newRow("a local time east of UTC")
            << QDateTime(QDate(2026, 1, 1), QTime(0, 30), Qt::OffsetFromUTC, 3600);
    QTest::newRow("far ahead") << QDateTime(QDate(9999, 12, 31), QTime(12, 0), Qt::UTC);
}

void TestUser::timestampsAreRfc3339Utc()
{
    QFETCH(QDateTime, time);
    QCOMPARE(toApiTimestamp(time), time.toUTC().toString(Qt::ISODateWithMs));
    QCOMPARE(fromApiTimestamp(toApiTimestamp(time)), time.toUTC());
}

void TestUser::userRoundTrips()
{
    const User user = sampleUser(7);
    const QJsonObject json = user.toJson();
    QCOMPARE(json.value(u"created_at"_s).toString(), u"2026-11-24T10:00:00.123Z"_s);
    QCOMPARE(json.value(u"role"_s).toString(), u"manager"_s);
    QCOMPARE(json.value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(User::fromJson(json), user);
    for (const AccountStatus status : { AccountStatus::Deactivated, AccountStatus::Locked }) {
        User closed = user;
        closed.status = status;
        QCOMPARE(closed.toJson().value(u"status"_s).toString(), accountStatusToString(status));
        QCOMPARE(User::fromJson(closed.toJson()), closed);
        QCOMPARE(accountStatusFromString(accountStatusToString(status)), status);
    }
    QCOMPARE(accountStatusFromString(u"suspended"), std::nullopt);
}

void TestUser::userRefusesAnUnknownRole()
{
    QJsonObject json = sampleUser(1).toJson();
    json.insert(u"role"_s, u"owner"_s);
    QVERIFY(!User::fromJson(json));
}

QTEST_GUILESS_MAIN(TestUser)
#include "tst_user.moc"
