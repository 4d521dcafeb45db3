// SettingsLoader: the four layers in order, secrets from files, and clear refusals.
#include "settings.h"

#include <QCommandLineParser>
#include <QFile>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Tasklane;

namespace {
struct Loaded
{
    std::optional<ServerSettings> settings;
    QStringList errors;
};

Loaded load(const QStringList &arguments, const QStringList &environment)
{
    QCommandLineParser parser;
    SettingsLoader::addOptions(parser);
    if (!parser.parse(QStringList{ u"tasklaned"_s } + arguments))
        return { std::nullopt, { parser.errorText() } };
    QProcessEnvironment env;
    for (const QString &entry : environment)
        env.insert(entry.section(u'=', 0, 0), entry.section(u'=', 1));
    Loaded loaded;
    loaded.settings = SettingsLoader::load(parser, env, &loaded.errors);
    return loaded;
}
} // namespace

class TestSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void layersOverrideInOrder_data();
    void layersOverrideInOrder();
    void secretsComeFromFiles();
    void uploadCapComesFromEveryLayer_data();
    void uploadCapComesFromEveryLayer();
    void refusals_data();
    void refusals();
    void defaults();

private:
    QTemporaryDir m_folder;
    QString m_ini;
    QString m_secretFile;
};

void TestSettings::initTestCase()
{
    m_ini = m_folder.filePath(u"tasklane.ini"_s);
    QFile ini(m_ini);
    QVERIFY(ini.open(QIODevice::WriteOnly));
    ini.write("[General]\nlisten=127.0.0.1:1001\nmax_body_bytes=2048\n");
    ini.close();
    QFile typo(m_folder.filePath(u"typo.ini"_s));
    QVERIFY(typo.open(QIODevice::WriteOnly));
    typo.write("listne=127.0.0.1:1001\n[server]\nmax_body_bytes=2048\n");
    typo.close();
    m_secretFile = m_folder.filePath(u"secret"_s);
    QFile secret(m_secretFile);
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("file-secret-0123456789-0123456789-abcdef\n");
}

void TestSettings::layersOverrideInOrder_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<int>("port");
    QTest::addColumn<qint64>("maxBody");
    QTest::newRow("built-in defaults")
            << QStringList() << QStringList() << 8080 << qint64(10 * 1024 * 1024);
    QTest::newRow("the INI file beats the defaults")
            << QStringList{ u"--config"_s, u"INI"_s } << QStringList() << 1001 << qint64(2048);
    QTest::newRow("TASKLANE_CONFIG names the INI file too")
            << QStringList() << QStringList{ u"TASKLANE_CONFIG=INI"_s } << 1001 << qint64(2048);
    QTest::newRow("the environment beats the file")
            << QStringList{ u"--config"_s, u"INI"_s }
            << QStringList{ u"TASKLANE_LISTEN=127.0.0.1:1002"_s } << 1002 << qint64(2048);
    QTest::newRow("the command line beats the environment")
            << QStringList{ u"--config"_s,         u"INI"_s, u"--listen"_s, u"127.0.0.1:1003"_s,
                            u"--max-body-bytes"_s, u"4096"_s }
            << QStringList{ u"TASKLANE_LISTEN=127.0.0.1:1002"_s, u"TASKLANE_MAX_BODY_BYTES=3072"_s }
            << 1003 << qint64(4096);
}

void TestSettings::layersOverrideInOrder()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(int, port);
    QFETCH(qint64, maxBody);
    arguments.replaceInStrings(u"INI"_s, m_ini);
    environment.replaceInStrings(u"=INI"_s, u"="_s + m_ini);
    const Loaded loaded = load(arguments, environment);
    QVERIFY2(loaded.settings, qPrintable(loaded.errors.join(u'\n')));
    QCOMPARE(loaded.settings->listenPort, port);
    QCOMPARE(loaded.settings->maxBodyBytes, maxBody);
}

void TestSettings::secretsComeFromFiles()
{
    const Loaded fromFile = load(
            {}, { u"TASKLANE_JWT_SECRET_FILE="_s + m_secretFile, u"TASKLANE_ENV=production"_s });
    QVERIFY2(fromFile.settings, qPrintable(fromFile.errors.join(u'\n')));
    QCOMPARE(fromFile.settings->jwtSecret, QByteArray("file-secret-0123456789-0123456789-abcdef"));

    const Loaded dbPassword = load({ u"--db"_s, u"postgres://app@db/tasks"_s },
                                   { u"TASKLANE_JWT_SECRET_FILE="_s + m_secretFile,
                                     u"TASKLANE_DB_PASSWORD_FILE="_s + m_secretFile,
                                     u"TASKLANE_ENV=production"_s });
    QVERIFY2(dbPassword.settings, qPrintable(dbPassword.errors.join(u'\n')));
    QCOMPARE(dbPassword.settings->databasePassword,
             QByteArray("file-secret-0123456789-0123456789-abcdef"));

    const Loaded missing = load({}, { u"TASKLANE_JWT_SECRET_FILE=/nonexistent/secret"_s });
    QVERIFY(!missing.settings);
    QVERIFY(missing.errors.join(u' ').contains(u"TASKLANE_JWT_SECRET_FILE"_s));
}

void TestSettings::uploadCapComesFromEveryLayer_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<qint64>("maxUpload");
    QTest::newRow("uploads may be 25 MiB by default")
            << QStringList() << QStringList() << qint64(25 * 1024 * 1024);
    QTest::newRow("TASKLANE_MAX_UPLOAD_BYTES sets the upload cap")
            << QStringList() << QStringList{ u"TASKLANE_MAX_UPLOAD_BYTES=5000000"_s }
            << qint64(5'000'000);
    QTest::newRow("--max-upload-bytes beats the environment")
            << QStringList{ u"--max-upload-bytes"_s, u"2048"_s }
            << QStringList{ u"TASKLANE_MAX_UPLOAD_BYTES=5000000"_s } << qint64(2048);
    QTest::newRow("the server-wide body cap leaves the upload cap alone")
            << QStringList{ u"--max-body-bytes"_s, u"4096"_s } << QStringList()
            << qint64(25 * 1024 * 1024);
}

void TestSettings::uploadCapComesFromEveryLayer()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(qint64, maxUpload);
    const Loaded loaded = load(arguments, environment);
    QVERIFY2(loaded.settings, qPrintable(loaded.errors.join(u'\n')));
    QCOMPARE(loaded.settings->maxUploadBytes, maxUpload);
}

void TestSettings::refusals_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("named");
    QTest::newRow("production without a signing key")
            << QStringList() << QStringList{ u"TASKLANE_ENV=production"_s }
            << u"TASKLANE_JWT_SECRET"_s;
    QTest::newRow("production on PostgreSQL without its password")
            << QStringList{ u"--db"_s, u"postgres://app@db/tasks"_s }
            << QStringList{ u"TASKLANE_ENV=production"_s,
                            u"TASKLANE_JWT_SECRET=0123456789abcdef0123456789abcdef"_s }
            << u"TASKLANE_DB_PASSWORD"_s;
    QTest::newRow("a signing key under 32 bytes")
            << QStringList() << QStringList{ u"TASKLANE_JWT_SECRET=short"_s }
            << u"at least 32 bytes"_s;
    QTest::newRow("a listen address without a port")
            << QStringList{ u"--listen"_s, u"8080"_s } << QStringList() << u"listen"_s;
    QTest::newRow("a host name instead of an address")
            << QStringList{ u"--listen"_s, u"nohost:1"_s } << QStringList() << u"listen"_s;
    QTest::newRow("a port over 65535")
            << QStringList{ u"--listen"_s, u"127.0.0.1:99999"_s } << QStringList() << u"listen"_s;
    QTest::newRow("an unknown environment")
            << QStringList() << QStringList{ u"TASKLANE_ENV=staging"_s } << u"env"_s;
    QTest::newRow("an unknown log level")
            << QStringList{ u"--log-level"_s, u"loud"_s } << QStringList() << u"log_level"_s;
    QTest::newRow("a header cap above what QtHttpServer survives")
            << QStringList{ u"--max-header-count"_s, u"500"_s } << QStringList()
            << u"max_header_count"_s;
    QTest::newRow("an upload cap under 1 KiB") << QStringList{ u"--max-upload-bytes"_s, u"100"_s }
                                               << QStringList() << u"max_upload_bytes"_s;
    QTest::newRow("a negative timeout") << QStringList{ u"--idle-timeout-ms"_s, u"-1"_s }
                                        << QStringList() << u"idle_timeout_ms"_s;
    QTest::newRow("loopback push endpoints in production")
            << QStringList{ u"--push-allow-loopback"_s, u"true"_s }
            << QStringList{ u"TASKLANE_ENV=production"_s,
                            u"TASKLANE_JWT_SECRET=0123456789abcdef0123456789abcdef"_s }
            << u"push_allow_loopback is for tests"_s;
    QTest::newRow("push_allow_loopback neither true nor false")
            << QStringList{ u"--push-allow-loopback"_s, u"yes"_s } << QStringList()
            << u"push_allow_loopback must be true or false"_s;
    QTest::newRow("a VAPID subject that is no contact")
            << QStringList{ u"--vapid-subject"_s, u"ops@example.com"_s } << QStringList()
            << u"vapid_subject"_s;
    QTest::newRow("a 2FA key that is not 64 hex digits")
            << QStringList() << QStringList{ u"TASKLANE_TOTP_KEY=0123456789abcdef"_s }
            << u"totp_key must be 64 hex digits"_s;
    QTest::newRow("a 2FA issuer with a colon") << QStringList{ u"--totp-issuer"_s, u"Acme:Tasks"_s }
                                               << QStringList() << u"totp_issuer"_s;
    QTest::newRow("a trusted proxy that is no address")
            << QStringList{ u"--trusted-proxies"_s, u"10.0.0.0/8, proxy.internal"_s }
            << QStringList() << u"'proxy.internal' is not an address or subnet"_s;
    QTest::newRow("a negative rate limit") << QStringList{ u"--rate-limit-api"_s, u"-1"_s }
                                           << QStringList() << u"rate_limit_api"_s;
    QTest::newRow("a mistyped key in the config file")
            << QStringList{ u"--config"_s, u"TYPO"_s } << QStringList()
            << u"unknown setting listne"_s;
    QTest::newRow("a key in a section of the config file")
            << QStringList{ u"--config"_s, u"TYPO"_s } << QStringList()
            << u"unknown setting server/max_body_bytes"_s;
}

void TestSettings::refusals()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, named);
    arguments.replaceInStrings(u"TYPO"_s, m_folder.filePath(u"typo.ini"_s));
    const Loaded loaded = load(arguments, environment);
    QVERIFY(!loaded.settings);
    QVERIFY2(loaded.errors.join(u'\n').contains(named), qPrintable(loaded.errors.join(u'\n')));
}

void TestSettings::defaults()
{
    const Loaded loaded = load({ u"--listen"_s, u"[::1]:9090"_s, u"--data"_s, u"/srv/tl"_s }, {});
    QVERIFY(loaded.settings);
    QCOMPARE(loaded.settings->listenAddress, QHostAddress(u"::1"_s));
    QCOMPARE(loaded.settings->listenPort, 9090);
    QCOMPARE(loaded.settings->databaseUrl, u"sqlite:/srv/tl/tasklane.db"_s);
    QCOMPARE(loaded.settings->environment, u"development"_s);
    QCOMPARE(loaded.settings->accessTokenTtl, 900);
    QVERIFY(loaded.settings->jwtSecret.isEmpty()); // generated later in the data folder
    QVERIFY(loaded.settings->totpKey.isEmpty()); // likewise
    QCOMPARE(loaded.settings->totpIssuer, u"Tasklane"_s);
    // Limits on unless turned off; no proxy trusted unless named.
    QCOMPARE(loaded.settings->rateLimitAuth, 30);
    QCOMPARE(loaded.settings->rateLimitApi, 600);
    QCOMPARE(loaded.settings->rateLimitWindowSeconds, 60);
    QCOMPARE(loaded.settings->lockoutThreshold, 10);
    QVERIFY(loaded.settings->trustedProxies.isEmpty());
    QVERIFY(SettingsLoader::helpText().contains(u"TASKLANE_RATE_LIMIT_AUTH / --rate-limit-auth"_s));
    QVERIFY(SettingsLoader::helpText().contains(u"TASKLANE_TOTP_KEY_FILE"_s));
    QVERIFY(SettingsLoader::helpText().contains(u"TASKLANE_JWT_SECRET_FILE"_s));
    QVERIFY(SettingsLoader::helpText().contains(
            u"TASKLANE_MAX_UPLOAD_BYTES / --max-upload-bytes"_s));
}

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
