// UserService::endAllSessions on both dialects: every token issued before it stops working,
// cached or not, while a session started right after it (often in the same second) works.
#include "accountservice.h"
#include "apierror.h"
#include "authservice.h"
#include "database.h"
#include "jobqueue.h"
#include "jwtcodec.h"
#include "migrator.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "scratchdatabase.h"
#include "userservice.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestUserService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void endAllSessions_data();
    void endAllSessions();
};

void TestUserService::endAllSessions_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestUserService::endAllSessions()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &db = *scratch.database;
    Migrator(db).migrate();
    const PasswordHasher hasher(PasswordHashCost{ 1, 8 * 1024 * 1024 });
    const PasswordPolicy policy;
    const JwtCodec jwt("user-service-test-key-0123456789abcdef", u"tasklane"_s, u"tasklane-api"_s,
                       900);
    PrincipalCache principals(60'000);
    const AuthService auth(db, hasher, policy, jwt, principals, 3600);
    const JobQueue jobs(db, JobPolicy{});
    const AccountService accounts(db, jobs, principals);
    const UserService users(db, hasher, policy, principals, accounts);
    const User user
            = auth.createUser(u"s@example.com"_s, u"S"_s, u"Sessions-Passphrase-1"_s, Role::User);
    const auto authenticate = [&](const TokenPair &pair) {
        const QByteArray token = pair.accessToken.toLatin1();
        const auto claims = jwt.verify(token);
        if (!claims)
            return false;
        try {
            auth.authenticate(token, *claims);
            return true;
        } catch (const ApiError &) {
            return false;
        }
    };

    // Several rounds, so that the session after the end falls in the end's second, and would
    // often fall in its millisecond if endAllSessions did not wait that out.
    for (int round = 0; round < 30; ++round) {
        const TokenPair first = auth.startSession(user.id);
        const TokenPair second = auth.startSession(user.id);
        QVERIFY(authenticate(first) && authenticate(second));
        QVERIFY(auth.cachedPrincipal(first.accessToken.toLatin1())); // now answered from memory

        QVERIFY(users.endAllSessions(user.id));
        // At once: a session started the moment the end returned is not caught by it.
        const TokenPair after = auth.startSession(user.id);
        QVERIFY(!auth.cachedPrincipal(first.accessToken.toLatin1()));
        QVERIFY(!authenticate(first));
        QVERIFY(!authenticate(second));
        QVERIFY_THROWS_EXCEPTION(ApiError, auth.refresh(second.refreshToken));
        QVERIFY2(authenticate(after), qPrintable(u"round %1"_s.arg(round)));
        QVERIFY(auth.refresh(after.refreshToken).accessToken.size() > 0);
    }
    QVERIFY(!users.endAllSessions(9999));
}

QTEST_GUILESS_MAIN(TestUserService)
#include "tst_userservice.moc"
