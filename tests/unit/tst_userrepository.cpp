// UserRepository on both dialects: partial updates, an email taken by the unique index, the
// guard on the password hash that the current password was checked against, and the revocation
// of access tokens by jti and by issue time.
#include "database.h"
#include "migrator.h"
#include "scratchdatabase.h"
#include "userrepository.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestUserRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void updates_data();
    void updates();
    void tokenRevocation_data();
    void tokenRevocation();
};

void TestUserRepository::updates_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestUserRepository::updates()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const UserRepository users(*scratch.database);
    const auto ada = users.create(u"ada@example.com"_s, u"Ada"_s, u"hash-a"_s, Role::User);
    const auto bob = users.create(u"bob@example.com"_s, u"Bob"_s, u"hash-b"_s, Role::User);
    QVERIFY(ada && bob);
    using Result = UserRepository::UpdateResult;

    UserRepository::Changes rename;
    rename.displayName = u"Ada L."_s;
    QCOMPARE(users.update(ada->id, rename), Result::Updated);
    QCOMPARE(users.findById(ada->id)->user.displayName, u"Ada L."_s);
    QCOMPARE(users.findById(ada->id)->user.email, u"ada@example.com"_s); // untouched

    UserRepository::Changes taken;
    taken.email = u"bob@example.com"_s;
    {
        Transaction transaction(*scratch.database); // PostgreSQL aborts it: it rolls back
        QCOMPARE(users.update(ada->id, taken), Result::EmailTaken);
    }
    QCOMPARE(users.findById(ada->id)->user.email, u"ada@example.com"_s);

    // The password changed after the current one was checked: nothing is written.
    UserRepository::Changes stale;
    stale.passwordHash = u"hash-new"_s;
    stale.expectedPasswordHash = u"hash-old"_s;
    QCOMPARE(users.update(ada->id, stale), Result::NotFound);
    QCOMPARE(users.findById(ada->id)->passwordHash, u"hash-a"_s);
    stale.expectedPasswordHash = u"hash-a"_s;
    QCOMPARE(users.update(ada->id, stale), Result::Updated);
    QCOMPARE(users.findById(ada->id)->passwordHash, u"hash-new"_s);

    QCOMPARE(users.update(9999, rename), Result::NotFound);
}

void TestUserRepository::tokenRevocation_data()
{
    // Tokens issued around a cutoff at hh:mm:ss.500, to the millisecond.
    QTest::addColumn<SqlDialect>("dialect");
    QTest::addColumn<qint64>("issuedMsFromCutoff");
    QTest::addColumn<bool>("accepted");
    const struct
    {
        const char *name;
        qint64 ms;
        bool accepted;
    } rows[] = {
        { "a token issued a minute before the cutoff is refused", -60'000, false },
        { "a token issued earlier in the cutoff's second is refused", -400, false },
        { "a token issued in the cutoff's millisecond is refused", 0, false },
        { "a token issued later in the cutoff's second is accepted", 1, true },
        { "a token issued a minute after the cutoff is accepted", 60'000, true },
    };
    for (const auto &row : rows) {
        QTest::addRow("%s on SQLite", row.name) << SqlDialect::Sqlite << row.ms << row.accepted;
        QTest::addRow("%s on PostgreSQL", row.name)
                << SqlDialect::Postgres << row.ms << row.accepted;
    }
}

void TestUserRepository::tokenRevocation()
{
    QFETCH(SqlDialect, dialect);
    QFETCH(qint64, issuedMsFromCutoff);
    QFETCH(bool, accepted);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    Migrator(*scratch.database).migrate();
    const UserRepository users(*scratch.database);
    const auto ada = users.create(u"ada@example.com"_s, u"Ada"_s, u"hash-a"_s, Role::User);
    QVERIFY(ada);
    const QDateTime cutoff = QDateTime::fromMSecsSinceEpoch(
            (QDateTime::currentMSecsSinceEpoch() / 1000) * 1000 + 500, Qt::UTC);
    const QDateTime issuedAt = cutoff.addMSecs(issuedMsFromCutoff);

    QVERIFY(users.findUnlessTokenRevoked(ada->id, u"jti-1"_s, issuedAt)); // no cutoff yet
    QVERIFY(users.invalidateTokensIssuedUntil(ada->id, cutoff));
    QCOMPARE(users.findUnlessTokenRevoked(ada->id, u"jti-1"_s, issuedAt).has_value(), accepted);
    // An earlier cutoff set later does not bring back what the later one revoked.
    QVERIFY(users.invalidateTokensIssuedUntil(ada->id, cutoff.addSecs(-3600)));
    QCOMPARE(users.findUnlessTokenRevoked(ada->id, u"jti-1"_s, issuedAt).has_value(), accepted);
    QVERIFY(!users.invalidateTokensIssuedUntil(9999, cutoff));
    QVERIFY(!users.findUnlessTokenRevoked(9999, u"jti-1"_s, issuedAt));
}

QTEST_GUILESS_MAIN(TestUserRepository)
#include "tst_userrepository.moc"
