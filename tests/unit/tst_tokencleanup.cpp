// AuthService::purgeExpiredTokens on both dialects: expired rows go, live ones stay.
#include "authservice.h"
#include "database.h"
#include "jwtcodec.h"
#include "migrator.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "refreshtokenrepository.h"
#include "scratchdatabase.h"

#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using Tasklane::Test::ScratchDatabase;

class TestTokenCleanup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiredTokensGo_data();
    void expiredTokensGo();
};

void TestTokenCleanup::expiredTokensGo_data()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("on SQLite") << SqlDialect::Sqlite;
    QTest::newRow("on PostgreSQL") << SqlDialect::Postgres;
}

void TestTokenCleanup::expiredTokensGo()
{
    QFETCH(SqlDialect, dialect);
    if (!ScratchDatabase::available(dialect))
        QSKIP("no PostgreSQL: scripts/test.sh provides one (TASKLANE_TEST_PG_ADMIN_URL)");
    ScratchDatabase scratch(dialect);
    const Database &db = *scratch.database;
    Migrator(db).migrate();
    const PasswordHasher hasher(PasswordHashCost{ 1, 8 * 1024 * 1024 });
    const PasswordPolicy policy;
    const JwtCodec jwt("cleanup-test-key-0123456789abcdef0123", u"tasklane"_s, u"tasklane-api"_s,
                       900);
    PrincipalCache principals(0);
    const AuthService auth(db, hasher, policy, jwt, principals, 3600);
    const User user
            = auth.createUser(u"c@example.com"_s, u"C"_s, u"Cleanup-Passphrase-1"_s, Role::User);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const RefreshTokenRepository refresh(db);
    refresh.insert(user.id, u"f1"_s, u"expired-hash"_s, now.addSecs(-3600));
    refresh.insert(user.id, u"f1"_s, u"live-hash"_s, now.addSecs(3600));
    const RevokedAccessTokenRepository revoked(db);
    revoked.revoke(u"expired-jti"_s, now.addSecs(-3600));
    revoked.revoke(u"just-expired-jti"_s, now.addSecs(-5)); // still within the clock leeway
    revoked.revoke(u"live-jti"_s, now.addSecs(600));

    QCOMPARE(auth.purgeExpiredTokens(now), 2);
    QVERIFY(!refresh.findByHash(u"expired-hash"_s));
    QVERIFY(refresh.findByHash(u"live-hash"_s));
    QVERIFY(!revoked.isRevoked(u"expired-jti"_s));
    QVERIFY(revoked.isRevoked(u"just-expired-jti"_s));
    QVERIFY(revoked.isRevoked(u"live-jti"_s));
    QCOMPARE(auth.purgeExpiredTokens(now), 0);
}

QTEST_GUILESS_MAIN(TestTokenCleanup)
#include "tst_tokencleanup.moc"
