// DatabaseConfig::fromUrl: which database a --db URL names, and what it refuses.
#include "databaseconfig.h"

#include <QDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

class TestDatabaseConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void describeHidesThePassword();
};

void TestDatabaseConfig::parses_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("postgres");
    QTest::addColumn<QString>("where"); // sqlite path or host:port/name user
    QTest::addColumn<QString>("options");

    const QString cwd = QDir::currentPath();
    QTest::newRow("sqlite: with a relative path")
            << u"sqlite:data/t.db"_s << true << false << cwd + u"/data/t.db"_s << QString();
    QTest::newRow("sqlite: with an absolute path")
            << u"sqlite:/var/lib/t.db"_s << true << false << u"/var/lib/t.db"_s << QString();
    QTest::newRow("sqlite:// with an absolute path")
            << u"sqlite:///var/lib/t.db"_s << true << false << u"/var/lib/t.db"_s << QString();
    QTest::newRow("a bare path is SQLite")
            << u"/tmp/x.db"_s << true << false << u"/tmp/x.db"_s << QString();
    QTest::newRow("postgres with a port")
            << u"postgres://app@db.internal:5433/tasks"_s << true << true
            << u"app@db.internal:5433/tasks"_s
            << u"application_name=tasklaned;connect_timeout=5;keepalives_idle=30;tcp_user_timeout=60000;keepalives=1;keepalives_interval=10;keepalives_count=3"_s;
    QTest::newRow("postgresql:// is the same")
            << u"postgresql://app@db/tasks"_s << true << true << u"app@db:5432/tasks"_s
            << u"application_name=tasklaned;connect_timeout=5;keepalives_idle=30;tcp_user_timeout=60000;keepalives=1;keepalives_interval=10;keepalives_count=3"_s;
    QTest::newRow("a percent-encoded user")
            << u"postgres://my%40user@db/tasks"_s << true << true << u"my@user@db:5432/tasks"_s
            << u"application_name=tasklaned;connect_timeout=5;keepalives_idle=30;tcp_user_timeout=60000;keepalives=1;keepalives_interval=10;keepalives_count=3"_s;
    QTest::newRow("sslmode is passed on")
            << u"postgres://app@db/tasks?sslmode=verify-full&connect_timeout=3"_s << true << true
            << u"app@db:5432/tasks"_s
            << u"application_name=tasklaned;sslmode=verify-full;connect_timeout=3;keepalives_idle=30;tcp_user_timeout=60000;keepalives=1;keepalives_interval=10;keepalives_count=3"_s;
    QTest::newRow("the dead-host timeouts can be changed")
            << u"postgres://app@db/tasks?tcp_user_timeout=5000&keepalives_idle=5"_s << true << true
            << u"app@db:5432/tasks"_s
            << u"application_name=tasklaned;tcp_user_timeout=5000;keepalives_idle=5;connect_timeout=5;keepalives=1;keepalives_interval=10;keepalives_count=3"_s;
    QTest::newRow("an unknown option is refused") << u"postgres://app@db/tasks?options=-c%20x"_s
                                                  << false << true << QString() << QString();
    QTest::newRow("a missing database name is refused")
            << u"postgres://app@db/"_s << false << true << QString() << QString();
    QTest::newRow("a missing host is refused")
            << u"postgres:///tasks"_s << false << true << QString() << QString();
    QTest::newRow("another scheme is refused")
            << u"mysql://app@db/tasks"_s << false << false << QString() << QString();
    QTest::newRow("an empty sqlite path is refused")
            << u"sqlite:"_s << false << false << QString() << QString();
}

void TestDatabaseConfig::parses()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);
    QFETCH(bool, postgres);
    QFETCH(QString, where);
    QFETCH(QString, options);
    QString error;
    const auto config = DatabaseConfig::fromUrl(url, &error);
    QCOMPARE(config.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(config->isPostgres(), postgres);
    if (postgres) {
        QCOMPARE(u"%1@%2:%3/%4"_s.arg(config->user, config->host)
                         .arg(config->port)
                         .arg(config->name),
                 where);
        QCOMPARE(config->connectOptions, options);
    } else {
        QCOMPARE(config->sqlitePath, where);
    }
}

void TestDatabaseConfig::describeHidesThePassword()
{
    QString error;
    const auto config = DatabaseConfig::fromUrl(u"postgres://app:s3cret@db/tasks"_s, &error);
    QVERIFY(config);
    QCOMPARE(config->password, u"s3cret"_s);
    QVERIFY(!config->describe().contains(u"s3cret"_s));
}

QTEST_GUILESS_MAIN(TestDatabaseConfig)
#include "tst_databaseconfig.moc"
