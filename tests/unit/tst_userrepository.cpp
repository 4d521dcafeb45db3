// UserRepository::update on both dialects: partial changes, an email taken by the unique index,
// and the guard on the password hash that the current password was checked against.
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

QTEST_GUILESS_MAIN(TestUserRepository)
#include "tst_userrepository.moc"
