#include "testserver.h"

#include "evidence.h"

#include "testcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Tasklane::Test {

namespace {
// A fixed test key: tests decode tokens with it. Never used outside tests.
const QByteArray TestJwtSecret = "test-signing-key-0123456789abcdef0123456789";

QString adminPostgresUrl()
{
    return qEnvironmentVariable("TASKLANE_TEST_PG_ADMIN_URL");
}

} // namespace

QString TestServer::executable()
{
    const QString path = qEnvironmentVariable("TASKLANED");
    return path.isEmpty() ? u"tasklaned"_s : path;
}

bool TestServer::usingPostgres()
{
    return testClusterAvailable();
}

TestServer::TestServer() : TestServer(Options()) { }

TestServer::TestServer(Options options) : m_options(std::move(options))
{
    if (m_options.useDatabase && usingPostgres()) {
        m_postgresDatabase = u"tl_"_s + QUuid::createUuid().toString(QUuid::Id128).left(20);
        if (runOnTestCluster(u"CREATE DATABASE "_s + m_postgresDatabase)) {
            QUrl url(adminPostgresUrl());
            url.setPath(u'/' + m_postgresDatabase);
            m_databaseUrl = url.toString();
        }
    }
}

TestServer::~TestServer()
{
    if (m_process.state() != QProcess::NotRunning)
        stop();
    keepEvidence();
    if (!m_postgresDatabase.isEmpty())
        runOnTestCluster(u"DROP DATABASE IF EXISTS "_s + m_postgresDatabase + u" WITH (FORCE)"_s);
}

QStringList TestServer::databaseArguments() const
{
    if (!m_options.useDatabase || m_databaseUrl.isEmpty())
        return {};
    return { u"--db"_s, m_databaseUrl };
}

QProcessEnvironment TestServer::serverEnvironment(QProcessEnvironment base) const
{
    if (base.isEmpty())
        base = m_options.environment;
    if (!base.contains(u"TASKLANE_JWT_SECRET"_s) && !base.contains(u"TASKLANE_JWT_SECRET_FILE"_s)
        && !base.contains(u"TASKLANE_TEST_NO_SECRET"_s))
        base.insert(u"TASKLANE_JWT_SECRET"_s, QString::fromLatin1(TestJwtSecret));
    // One client address signs up hundreds of accounts and sends thousands of requests a
    // minute in the suite, and tests probe with wrong passwords: the rate limits and the
    // lockout are off (0) unless a test sets them (tst_ratelimits).
    for (const QString &limit : { u"TASKLANE_RATE_LIMIT_AUTH"_s, u"TASKLANE_RATE_LIMIT_API"_s,
                                  u"TASKLANE_LOCKOUT_THRESHOLD"_s }) {
        if (!base.contains(limit))
            base.insert(limit, u"0"_s);
    }
    if (!m_databaseUrl.isEmpty() && !base.contains(u"TASKLANE_DB_PASSWORD"_s))
        base.insert(u"TASKLANE_DB_PASSWORD"_s, qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
    return base;
}

bool TestServer::start()
{
    // A PostgreSQL run must never fall back to the embedded SQLite default unnoticed.
    if (m_options.useDatabase && usingPostgres() && m_databaseUrl.isEmpty()) {
        qWarning("the test PostgreSQL database could not be created; refusing to start");
        return false;
    }
    m_process.setProcessEnvironment(serverEnvironment({}));
    m_process.setProgram(executable());
    m_process.setArguments(
            QStringList{ u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data"_s, m_data.path() }
            + databaseArguments() + m_options.arguments);
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                     [this] { m_stderr += m_process.readAllStandardError(); });
    m_process.start();
    if (!m_process.waitForStarted(10'000))
        return false;
    static const QRegularExpression listening(u"listening on (http://\\S+)"_s);
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30'000 && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        out += m_process.readAllStandardOutput();
        const auto match = listening.match(QString::fromUtf8(out));
        if (match.hasMatch()) {
            m_url = QUrl(match.captured(1));
            return true;
        }
    }
    m_stderr += m_process.readAllStandardError();
    qWarning("tasklaned did not start: %s", m_stderr.constData());
    return false;
}

int TestServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    m_process.terminate();
    if (!m_process.waitForFinished(30'000)) {
        m_process.kill();
        m_process.waitForFinished();
        m_stderr += m_process.readAllStandardError();
        qWarning("tasklaned did not stop within 30 s of SIGTERM; its last log lines:\n%s",
                 m_stderr.right(4000).constData());
        return -1;
    }
    m_stderr += m_process.readAllStandardError();
    if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0) {
        // Whatever ended it (a crash at shutdown, a failed flush) is in its last lines: kept
        // in the test's output, since the process and its data folder are gone afterwards.
        qWarning("tasklaned ended %s (code %d) after SIGTERM; its last log lines:\n%s",
                 m_process.exitStatus() == QProcess::NormalExit ? "with an error" : "by a crash",
                 m_process.exitCode(), m_stderr.right(4000).constData());
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QByteArray TestServer::logs()
{
    if (m_process.state() == QProcess::Running)
        m_stderr += m_process.readAllStandardError();
    return m_stderr;
}

int TestServer::runCommand(const QStringList &arguments, const QByteArray &input,
                           QByteArray *output, QByteArray *errors,
                           const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(serverEnvironment(environment));
    process.start(executable(),
                  arguments + QStringList{ u"--data"_s, m_data.path() } + databaseArguments());
    if (!process.waitForStarted(10'000))
        return -1;
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    if (output)
        *output = process.readAllStandardOutput();
    const QByteArray log = process.readAllStandardError();
    Evidence::recordLog(u"command"_s, log);
    if (errors)
        *errors = log;
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

bool TestServer::executeSql(const QString &sql)
{
    bool ok = false;
    runSql(sql, &ok);
    return ok;
}

QList<QVariantList> TestServer::querySql(const QString &sql)
{
    bool ok = false;
    return runSql(sql, &ok);
}

QSqlDatabase TestServer::openDatabase(const QString &connectionName) const
{
    QSqlDatabase db;
    if (m_databaseUrl.isEmpty()) {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
        db.setDatabaseName(m_data.path() + u"/tasklane.db"_s);
    } else {
        const QUrl url(m_databaseUrl);
        db = QSqlDatabase::addDatabase(u"QPSQL"_s, connectionName);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setPassword(qEnvironmentVariable("TASKLANE_TEST_PG_PASSWORD"));
        db.setDatabaseName(url.path().mid(1));
    }
    db.open();
    return db;
}

QList<QVariantList> TestServer::runSql(const QString &sql, bool *ok)
{
    const QString name = u"tasklane-test-sql-"_s + QUuid::createUuid().toString(QUuid::Id128);
    QList<QVariantList> rows;
    {
        QSqlDatabase db = openDatabase(name);
        if (db.isOpen()) {
            QSqlQuery query(db);
            *ok = query.exec(sql);
            if (!*ok)
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            while (query.next()) {
                QVariantList row;
                for (int i = 0; i < query.record().count(); ++i)
                    row.append(query.value(i));
                rows.append(row);
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

void TestServer::keepEvidence()
{
    if (Evidence::directory().isEmpty())
        return;
    Evidence::recordLog(u"server"_s, m_stderr);
    if (m_databaseUrl.isEmpty() && !QFile::exists(m_data.path() + u"/tasklane.db"_s))
        return; // it never made one
    const QString name = u"tasklane-test-evidence-"_s + QUuid::createUuid().toString(QUuid::Id128);
    {
        QSqlDatabase db = openDatabase(name);
        QSqlQuery query(db);
        // Every column of both tables, as text, one row a line (no warning when a server never
        // migrated: there is simply nothing to keep).
        for (const QString &table : { u"log_records"_s, u"activity_log"_s }) {
            if (!db.isOpen() || !query.exec(u"SELECT * FROM "_s + table))
                continue;
            QByteArray dump;
            while (query.next()) {
                for (int i = 0; i < query.record().count(); ++i)
                    dump += query.value(i).toString().toUtf8() + '\t';
                dump += '\n';
            }
            Evidence::recordLog(table, dump);
        }
    }
    QSqlDatabase::removeDatabase(name);
}

bool waitFor(ApiReply *reply, int timeoutMs)
{
    if (!reply->isFinished()) {
        QSignalSpy spy(reply, &ApiReply::finished);
        if (!spy.wait(timeoutMs) && !reply->isFinished())
            return false;
    }
    // Whatever secret the server handed out is searched for in every log at the suite's end.
    if (!Evidence::directory().isEmpty()
        && reply->header("Content-Type").startsWith("application/json")
        && reply->body().size() < 1024 * 1024)
        Evidence::recordSecretsIn(reply->json());
    return true;
}

QString strongPassword()
{
    const QString password
            = u"Correct-Horse-"_s + QUuid::createUuid().toString(QUuid::Id128).left(12);
    Evidence::recordSecret(password);
    return password;
}

qint64 processMemoryKiB(qint64 pid, const QByteArray &field)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

SignedInUser signUpAndLogIn(ApiClient &client, const QString &emailPrefix)
{
    SignedInUser user;
    user.email = emailPrefix + u'-' + QUuid::createUuid().toString(QUuid::Id128).left(10)
            + u"@example.com"_s;
    user.password = strongPassword();
    client.setAccessToken({});
    ApiReply *signup = client.signup(user.email, user.password, u"Test User"_s);
    if (!waitFor(signup) || signup->status() != 202) {
        qWarning("signup failed: %d %s", signup->status(), signup->body().constData());
        return user;
    }
    ApiReply *login = client.login(user.email, user.password);
    if (!waitFor(login) || login->status() != 200) {
        qWarning("login failed: %d %s", login->status(), login->body().constData());
        return user;
    }
    user.accessToken = login->json().value(u"access_token"_s).toString();
    user.refreshToken = login->json().value(u"refresh_token"_s).toString();
    client.setAccessToken(user.accessToken);
    ApiReply *me = client.me();
    if (!waitFor(me) || me->status() != 200) {
        qWarning("reading the new account failed: %d %s", me->status(), me->body().constData());
        return user;
    }
    user.id = me->json().value(u"id"_s).toInteger();
    return user;
}

RawResult rawExchange(quint16 port, const QByteArray &request, int readMs,
                      const QList<QByteArray> &chunks)
{
    RawResult result;
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(5000))
        return result;
    QElapsedTimer timer;
    timer.start();
    if (!request.isEmpty())
        socket.write(request);
    for (const QByteArray &chunk : chunks) {
        socket.write(chunk);
        socket.waitForBytesWritten(1000);
        QTest::qWait(50);
        result.bytes += socket.readAll();
    }
    socket.flush();
    while (timer.elapsed() < readMs) {
        if (socket.state() != QAbstractSocket::ConnectedState) {
            result.closedByServer = true;
            break;
        }
        socket.waitForReadyRead(50);
        result.bytes += socket.readAll();
    }
    result.bytes += socket.readAll();
    result.elapsedMs = timer.elapsed();
    return result;
}

int statusOf(const QByteArray &response)
{
    static const QRegularExpression statusLine(u"^HTTP/1\\.[01] (\\d{3})"_s);
    const auto match = statusLine.match(QString::fromLatin1(response.left(32)));
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

int countResponses(const QByteArray &bytes)
{
    static const QRegularExpression statusLine(u"HTTP/1\\.1 [1-5]\\d\\d [A-Z]"_s);
    int count = 0;
    auto matches = statusLine.globalMatch(QString::fromLatin1(bytes));
    while (matches.hasNext()) {
        if (!matches.next().captured().startsWith(u"HTTP/1.1 100"))
            ++count;
    }
    return count;
}

} // namespace Tasklane::Test
