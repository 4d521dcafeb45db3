// tasklaned as an administrator meets it: --help, subcommands, configuration layers, secrets,
// the generated signing key, migrations and refusal of a newer schema, graceful shutdown.
#include "authrequests.h"
#include "testserver.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Tasklane;
using namespace Tasklane::Test;

namespace {
QProcessEnvironment environmentWithout(const QStringList &names)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : names)
        environment.remove(name);
    return environment;
}

// Checks a JWT's HS256 signature with `key`.
bool signedWith(const QString &token, const QByteArray &key)
{
    const QByteArray text = token.toLatin1();
    const qsizetype lastDot = text.lastIndexOf('.');
    const QByteArray expected
            = QMessageAuthenticationCode::hash(text.left(lastDot), key, QCryptographicHash::Sha256)
                      .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return text.mid(lastDot + 1) == expected;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpDocumentsCommandsAndSettings();
    void productionRefusesToStartWithoutSecrets_data();
    void productionRefusesToStartWithoutSecrets();
    void invalidSettingsAreNamed_data();
    void invalidSettingsAreNamed();
    void developmentGeneratesAndKeepsASigningKey();
    void signingKeyComesFromAFile();
    void embeddedDatabaseIsPrivate();
    void runsOnQtsOwnEventDispatcher();
    void laterLayersOverrideEarlierOnes_data();
    void laterLayersOverrideEarlierOnes();
    void migrateAppliesTheSchemaOnce();
    void routesLeavesTheDataFolderAlone();
    void userCreateMakesAnAdministrator();
    void userCreateRefusesBadInput_data();
    void userCreateRefusesBadInput();
    void refusesANewerSchema();
    void shutsDownGracefullyWithRequestsInFlight_data();
    void shutsDownGracefullyWithRequestsInFlight();
    void shutdownWaitsForARequestStillArriving();
    void fullHashingQueueAnswers503();
    void loginsOfClientsThatLeftAreNotHashed();
};

void TestCli::helpDocumentsCommandsAndSettings()
{
    TestServer server;
    QByteArray out;
    QCOMPARE(server.runCommand({ u"--help"_s }, {}, &out), 0);
    for (const char *expected :
         { "serve", "migrate", "user create", "--listen", "--data", "--db", "TASKLANE_LISTEN",
           "TASKLANE_DATA", "TASKLANE_DB", "TASKLANE_JWT_SECRET_FILE", "TASKLANE_CORS_ORIGINS",
           "TASKLANE_ENV", "TASKLANE_DB_PASSWORD_FILE", "127.0.0.1:8080", "--config",
           "--max-upload-bytes", "TASKLANE_MAX_UPLOAD_BYTES" })
        QVERIFY2(out.contains(expected), expected);
}

void TestCli::productionRefusesToStartWithoutSecrets_data()
{
    QTest::addColumn<QString>("db");
    QTest::addColumn<QByteArray>("named");
    QTest::newRow("on SQLite the signing key is required")
            << QString() << QByteArray("TASKLANE_JWT_SECRET");
    QTest::newRow("on PostgreSQL the database password is required too")
            << u"postgres://tasklane@127.0.0.1:5432/tasklane"_s
            << QByteArray("TASKLANE_DB_PASSWORD");
}

void TestCli::productionRefusesToStartWithoutSecrets()
{
    QFETCH(QString, db);
    QFETCH(QByteArray, named);
    TestServer::Options options;
    options.useDatabase = false;
    options.environment
            = environmentWithout({ u"TASKLANE_JWT_SECRET"_s, u"TASKLANE_DB_PASSWORD"_s });
    options.environment.insert(u"TASKLANE_ENV"_s, u"production"_s);
    options.environment.insert(u"TASKLANE_TEST_NO_SECRET"_s, u"1"_s);
    if (!db.isEmpty())
        options.arguments = { u"--db"_s, db };
    TestServer server(options);
    QVERIFY(!server.start());
    QCOMPARE(server.stop(), 2);
    QVERIFY2(server.logs().contains(named), server.logs().constData());
    QVERIFY(!QFile::exists(server.dataDir() + u"/jwt-secret"_s));
}

void TestCli::invalidSettingsAreNamed_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("named");
    QTest::newRow("a listen address without a port")
            << QStringList{ u"--listen"_s, u"8080"_s } << QByteArray("listen");
    QTest::newRow("a port out of range")
            << QStringList{ u"--listen"_s, u"127.0.0.1:70000"_s } << QByteArray("listen");
    QTest::newRow("a body cap that is not a number")
            << QStringList{ u"--max-body-bytes"_s, u"lots"_s } << QByteArray("max_body_bytes");
    QTest::newRow("an unknown environment name")
            << QStringList{ u"--env"_s, u"staging"_s } << QByteArray("env");
    QTest::newRow("a database URL of an unknown kind")
            << QStringList{ u"--db"_s, u"mysql://x@y/z"_s } << QByteArray("database URL");
    QTest::newRow("a missing config file")
            << QStringList{ u"--config"_s, u"/nonexistent/tasklane.ini"_s } << QByteArray("config");
}

void TestCli::invalidSettingsAreNamed()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, named);
    TestServer::Options options;
    options.useDatabase = false;
    options.arguments = arguments;
    TestServer server(options);
    QVERIFY(!server.start());
    QVERIFY(server.stop() != 0);
    QVERIFY2(server.logs().contains(named), server.logs().constData());
}

void TestCli::developmentGeneratesAndKeepsASigningKey()
{
    TestServer::Options options;
    options.environment = environmentWithout({ u"TASKLANE_JWT_SECRET"_s });
    options.environment.insert(u"TASKLANE_TEST_NO_SECRET"_s, u"1"_s);
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(!user.accessToken.isEmpty());
    QCOMPARE(server.stop(), 0);

    QFile key(server.dataDir() + u"/jwt-secret"_s);
    QVERIFY(key.exists());
    QCOMPARE(
            key.permissions()
                    & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
            QFile::Permissions());
    QVERIFY(key.open(QIODevice::ReadOnly));
    QVERIFY(signedWith(user.accessToken, key.readAll().trimmed()));

    // A restart keeps the key: the token from before still works. A mode someone loosened in
    // between is tightened again, with a warning.
    QVERIFY(key.setPermissions(key.permissions() | QFile::ReadGroup | QFile::ReadOther));
    key.close();
    QVERIFY(server.start());
    QCOMPARE(
            QFile::permissions(key.fileName())
                    & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
            QFile::Permissions());
    // The log has its own writer thread: the warning may reach stderr after the URL on stdout.
    QTRY_VERIFY2_WITH_TIMEOUT(server.logs().contains("was readable by other users"),
                              server.logs().constData(), 5000);
    ApiClient again(server.url());
    again.setAccessToken(user.accessToken);
    ApiReply *me = again.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->status(), 200);
}

void TestCli::embeddedDatabaseIsPrivate()
{
    // Password and token hashes live in the SQLite file: nobody but the server's user may read
    // it, its WAL, or a folder the server had to create for it.
    QTemporaryDir parent;
    const QString folder = parent.filePath(u"made/by/tasklaned"_s);
    TestServer::Options options;
    options.useDatabase = false;
    options.environment = environmentWithout({ u"TASKLANE_JWT_SECRET"_s });
    options.environment.insert(u"TASKLANE_TEST_NO_SECRET"_s, u"1"_s);
    options.arguments = { u"--db"_s, u"sqlite:"_s + folder + u"/tasklane.db"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    signUpAndLogIn(client);
    const auto others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther
            | QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(QFile::permissions(folder) & others, QFile::Permissions());
    const QStringList files = QDir(folder).entryList(QDir::Files);
    QVERIFY2(files.contains(u"tasklane.db"_s), qPrintable(files.join(u' ')));
    QVERIFY2(files.contains(u"tasklane.db-wal"_s), qPrintable(files.join(u' ')));
    for (const QString &file : files)
        QVERIFY2((QFile::permissions(folder + u'/' + file) & others) == QFile::Permissions(),
                 qPrintable(file));
    QCOMPARE(QFile::permissions(server.dataDir() + u"/jwt-secret"_s) & others,
             QFile::Permissions());
    QCOMPARE(server.stop(), 0);
}

void TestCli::runsOnQtsOwnEventDispatcher()
{
    // Not glib's (Debian's default), which writes a wake-up for every posted event; main()
    // chooses it unless the environment already says.
    TestServer::Options options;
    options.environment = environmentWithout({ u"QT_NO_GLIB"_s });
    TestServer server(options);
    QVERIFY(server.start());
    // The log's writer thread may write the line after the URL reached stdout.
    QTRY_VERIFY2_WITH_TIMEOUT(server.logs().contains("event dispatcher QEventDispatcherUNIX"),
                              server.logs().constData(), 5000);
    QCOMPARE(server.stop(), 0);
}

void TestCli::signingKeyComesFromAFile()
{
    QTemporaryDir secrets;
    const QByteArray secret = "a-signing-key-from-a-file-0123456789-abcdef";
    QFile file(secrets.filePath(u"jwt"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(secret + '\n');
    file.close();
    TestServer::Options options;
    options.environment = environmentWithout({ u"TASKLANE_JWT_SECRET"_s });
    options.environment.insert(u"TASKLANE_JWT_SECRET_FILE"_s, file.fileName());
    options.environment.insert(u"TASKLANE_ENV"_s, u"production"_s);
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    QVERIFY(signedWith(user.accessToken, secret));
    QVERIFY(!QFile::exists(server.dataDir() + u"/jwt-secret"_s));
    QVERIFY(!server.logs().contains(secret));
}

void TestCli::laterLayersOverrideEarlierOnes_data()
{
    QTest::addColumn<bool>("inFile");
    QTest::addColumn<bool>("inEnvironment");
    QTest::addColumn<bool>("onCommandLine");
    QTest::addColumn<QByteArray>("winner");
    QTest::newRow("the file beats the default")
            << true << false << false << QByteArray("https://file.example");
    QTest::newRow("the environment beats the file")
            << true << true << false << QByteArray("https://env.example");
    QTest::newRow("the command line beats them all")
            << true << true << true << QByteArray("https://cli.example");
}

void TestCli::laterLayersOverrideEarlierOnes()
{
    QFETCH(bool, inFile);
    QFETCH(bool, inEnvironment);
    QFETCH(bool, onCommandLine);
    QFETCH(QByteArray, winner);
    QTemporaryDir folder;
    TestServer::Options options;
    if (inFile) {
        QFile ini(folder.filePath(u"tasklane.ini"_s));
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write("[General]\ncors_origins=https://file.example\n");
        ini.close();
        options.arguments << u"--config"_s << ini.fileName();
    }
    if (inEnvironment)
        options.environment.insert(u"TASKLANE_CORS_ORIGINS"_s, u"https://env.example"_s);
    if (onCommandLine)
        options.arguments << u"--cors-origins"_s << u"https://cli.example"_s;
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    for (const QByteArray &origin :
         { QByteArray("https://file.example"), QByteArray("https://env.example"),
           QByteArray("https://cli.example") }) {
        ApiReply *reply = client.send("GET", u"/healthz"_s, {}, { { "Origin", origin } });
        QVERIFY(waitFor(reply));
        QCOMPARE(reply->header("Access-Control-Allow-Origin") == origin, origin == winner);
    }
}

void TestCli::migrateAppliesTheSchemaOnce()
{
    TestServer server;
    QByteArray out, errors;
    QCOMPARE(server.runCommand({ u"migrate"_s }, {}, &out, &errors), 0);
    QVERIFY2(out.contains("schema version 26"), out.constData());
    QVERIFY(errors.contains("applied migration 0001_accounts"));
    QVERIFY(errors.contains("applied migration 0002_tokens_valid_after"));
    QCOMPARE(server.runCommand({ u"migrate"_s }, {}, &out, &errors), 0);
    QVERIFY(!errors.contains("applied migration"));
    // Nothing but JSON log lines on stderr (PostgreSQL's notices included).
    for (const QByteArray &line : errors.split('\n')) {
        if (!line.isEmpty())
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
    }
}

void TestCli::routesLeavesTheDataFolderAlone()
{
    // Listing the routes needs no signing key and no database: it must not create either.
    TestServer::Options options;
    options.useDatabase = false; // the embedded default, a SQLite file in the data folder
    TestServer server(options);
    QProcessEnvironment environment = environmentWithout({ u"TASKLANE_JWT_SECRET"_s });
    environment.insert(u"TASKLANE_TEST_NO_SECRET"_s, u"1"_s);
    QByteArray out;
    QCOMPARE(server.runCommand({ u"routes"_s }, {}, &out, nullptr, environment), 0);
    QVERIFY2(out.contains("/api/v1/auth/login"), out.constData());
    const QStringList left
            = QDir(server.dataDir()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));
}

void TestCli::userCreateMakesAnAdministrator()
{
    TestServer server;
    const QString password = strongPassword();
    QByteArray out, errors;
    QCOMPARE(server.runCommand({ u"user"_s, u"create"_s, u"--email"_s, u"Root@Example.com"_s,
                                 u"--role"_s, u"admin"_s },
                               password.toUtf8() + '\n', &out, &errors),
             0);
    const QJsonObject created = QJsonDocument::fromJson(out).object();
    QCOMPARE(created.value(u"role"_s).toString(), u"admin"_s);
    QCOMPARE(created.value(u"email"_s).toString(), u"root@example.com"_s);
    QCOMPARE(created.value(u"display_name"_s).toString(), u"root"_s);
    QVERIFY(!errors.contains(password.toUtf8()));

    QVERIFY(server.start());
    ApiClient client(server.url());
    ApiReply *login = client.login(u"root@example.com"_s, password);
    QVERIFY(waitFor(login));
    QCOMPARE(login->status(), 200);
    client.setAccessToken(login->json().value(u"access_token"_s).toString());
    ApiReply *me = client.me();
    QVERIFY(waitFor(me));
    QCOMPARE(me->json().value(u"role"_s).toString(), u"admin"_s);
}

void TestCli::userCreateRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<int>("exitCode");
    const QStringList valid{ u"user"_s,          u"create"_s, u"--email"_s,
                             u"x@example.com"_s, u"--role"_s, u"manager"_s };
    QTest::newRow("a missing role") << valid.mid(0, 4) << QByteArray("Long-Enough-Password-1") << 2;
    QTest::newRow("an unknown role")
            << (valid.mid(0, 5) << u"owner"_s) << QByteArray("Long-Enough-Password-1") << 2;
    QTest::newRow("a short password") << valid << QByteArray("short") << 2;
    QTest::newRow("no password at all") << valid << QByteArray() << 2;
    QTest::newRow("a common password") << valid << QByteArray("iloveyou1234") << 1;
}

void TestCli::userCreateRefusesBadInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, password);
    QFETCH(int, exitCode);
    TestServer server;
    QByteArray out, errors;
    QCOMPARE(server.runCommand(arguments, password, &out, &errors), exitCode);
    QVERIFY(out.isEmpty());
    QVERIFY(!errors.isEmpty());
}

void TestCli::refusesANewerSchema()
{
    TestServer server;
    QCOMPARE(server.runCommand({ u"migrate"_s }), 0);
    QVERIFY(server.executeSql(u"INSERT INTO schema_migrations (version, name, "
                              "applied_at) VALUES (999, 'future', 'later')"_s));
    QVERIFY(!server.start());
    QCOMPARE(server.stop(), 1);
    QVERIFY2(server.logs().contains("newer than this tasklaned knows"), server.logs().constData());
}

void TestCli::shutsDownGracefullyWithRequestsInFlight_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("on SIGTERM") << int(SIGTERM);
    QTest::newRow("on SIGINT (Ctrl-C)") << int(SIGINT);
}

void TestCli::shutsDownGracefullyWithRequestsInFlight()
{
    QFETCH(int, signalNumber);
    TestServer::Options options;
    options.arguments = { u"--hash-threads"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    // Several logins queue on one hashing thread; SIGTERM arrives while they are in flight.
    QList<ApiReply *> replies;
    for (int i = 0; i < 6; ++i)
        replies.append(client.login(user.email, user.password));
    QTRY_VERIFY_WITH_TIMEOUT(server.logs().count("\"path\":\"/api/v1/auth/login\"") >= 2, 5000);
    QCOMPARE(::kill(pid_t(server.process().processId()), signalNumber), 0);
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        QCOMPARE(reply->status(), 200);
    }
    QVERIFY(server.process().waitForFinished(10'000));
    QCOMPARE(server.process().exitCode(), 0);
    QVERIFY(server.logs().contains("shutting down"));
    QVERIFY(server.logs().contains("\"stopped\""));
    // No longer accepting.
    ApiReply *after = client.send("GET", u"/healthz"_s);
    QVERIFY(waitFor(after));
    QCOMPARE(after->status(), 0);
}

void TestCli::shutdownWaitsForARequestStillArriving()
{
    // A request whose body is part-way up when SIGTERM arrives is in flight too: it is read to
    // the end and answered, and only then does the server stop.
    TestServer server;
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    const QByteArray body = QJsonDocument(LoginRequest{ user.email, user.password }.toJson())
                                    .toJson(QJsonDocument::Compact);
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, server.port());
    QVERIFY(socket.waitForConnected(3000));
    socket.write("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body.first(10));
    QVERIFY(socket.waitForBytesWritten(3000));
    QTest::qWait(200); // the head and the start of the body have arrived
    QCOMPARE(::kill(pid_t(server.process().processId()), SIGTERM), 0);
    QTest::qWait(300);
    QCOMPARE(server.process().state(), QProcess::Running); // still waiting for the body
    socket.write(body.sliced(10));
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"access_token\""), 10'000);
    QCOMPARE(statusOf(answer), 200);
    QTRY_COMPARE_WITH_TIMEOUT(server.process().state(), QProcess::NotRunning, 10'000);
    QCOMPARE(server.process().exitCode(), 0);
}

void TestCli::fullHashingQueueAnswers503()
{
    // One hashing thread and room for one task: a burst of logins is refused at once with a
    // problem the client can retry, instead of queueing without bound.
    TestServer::Options options;
    options.arguments = { u"--hash-threads"_s, u"1"_s, u"--hash-queue-limit"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    // The hashing pool counts a task until it has returned, which is just after its answer was
    // handed over: give the sign-in's login time to leave the one place before the burst.
    QTest::qWait(200);
    std::vector<std::unique_ptr<ApiClient>> clients;
    QList<ApiReply *> replies;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<ApiClient>(server.url()));
        replies.append(clients.back()->login(user.email, user.password));
    }
    int served = 0, busy = 0;
    for (ApiReply *reply : std::as_const(replies)) {
        QVERIFY(waitFor(reply));
        if (reply->status() == 200) {
            ++served;
        } else {
            QCOMPARE(reply->status(), 503);
            QCOMPARE(reply->problem()->type, u"urn:tasklane:problem:server-busy"_s);
            QCOMPARE(reply->header("Retry-After"), QByteArray("1"));
            ++busy;
        }
    }
    QVERIFY(served >= 1);
    QVERIFY(busy >= 1);
    QCOMPARE(server.stop(), 0);
}

void TestCli::loginsOfClientsThatLeftAreNotHashed()
{
    // Six logins queue on one hashing thread and their clients hang up at once: the one being
    // hashed finishes, the queued ones are skipped (logged as 499) instead of costing a core.
    TestServer::Options options;
    options.arguments = { u"--hash-threads"_s, u"1"_s };
    TestServer server(options);
    QVERIFY(server.start());
    ApiClient client(server.url());
    const SignedInUser user = signUpAndLogIn(client);
    const QByteArray body = QJsonDocument(LoginRequest{ user.email, user.password }.toJson())
                                    .toJson(QJsonDocument::Compact);
    const QByteArray request = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 6; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(u"127.0.0.1"_s, server.port());
        QVERIFY(sockets.back()->waitForConnected(3000));
        sockets.back()->write(request);
        QVERIFY(sockets.back()->waitForBytesWritten(3000));
    }
    for (auto &socket : sockets)
        socket->abort();
    const auto count = [&server](const QByteArray &needle) { return server.logs().count(needle); };
    // The sign-up's login line is there too: seven in all.
    QTRY_COMPARE_WITH_TIMEOUT(count("\"path\":\"/api/v1/auth/login\""), 7, 10'000);
    QVERIFY2(count("\"status\":499") >= 3, server.logs().right(2000).constData());
    ApiReply *live = client.send("GET", u"/healthz"_s);
    QVERIFY(waitFor(live));
    QCOMPARE(live->status(), 200);
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
