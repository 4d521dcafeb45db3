#pragma once

#include "apiclient.h"

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace Tasklane::Test {

// A real tasklaned process on an ephemeral loopback port, with a data folder of its own and,
// when TASKLANE_TEST_PG_ADMIN_URL is set (the test command sets it), a fresh PostgreSQL
// database of its own on the throwaway cluster. Everything it logs is kept for inspection.
class TestServer
{
public:
    struct Options
    {
        QStringList arguments; // added after `serve --listen 127.0.0.1:0 --data ...`
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        bool useDatabase = true; // false: no --db (tests of the defaults)
    };

    TestServer();
    explicit TestServer(Options options);
    ~TestServer();

    // Starts and waits for the "listening on" line; false (with the reason in logs()) if not.
    bool start();
    // SIGTERM, then waits for exit; returns the exit code (-1 if it had to be killed).
    int stop();

    QUrl url() const { return m_url; }
    quint16 port() const { return quint16(m_url.port()); }
    QString dataDir() const { return m_data.path(); }
    // The --db URL the server was given (empty on the embedded default).
    QString databaseUrl() const { return m_databaseUrl; }
    QByteArray logs();
    QProcess &process() { return m_process; }

    // Runs tasklaned once with these arguments (and the same database); returns its exit code.
    int runCommand(const QStringList &arguments, const QByteArray &input = {},
                   QByteArray *output = nullptr, QByteArray *errors = nullptr,
                   const QProcessEnvironment &environment = {});

    // Runs one SQL statement directly on this server's database (SQLite file or PostgreSQL).
    bool executeSql(const QString &sql);
    // Runs one query directly on this server's database; every row as a list of values.
    QList<QVariantList> querySql(const QString &sql);
    // A connection of the test's own to this server's database, named `connectionName`, opened
    // (check isOpen()); remove it with QSqlDatabase::removeDatabase when done.
    QSqlDatabase openDatabase(const QString &connectionName) const;

    static QString executable();
    static bool usingPostgres();

private:
    QStringList databaseArguments() const;
    QList<QVariantList> runSql(const QString &sql, bool *ok);
    // Hands this server's log lines, log records and activity entries to the suite's secret
    // search (Evidence), before its database and data folder go.
    void keepEvidence();
    QProcessEnvironment serverEnvironment(QProcessEnvironment base) const;

    Options m_options;
    QTemporaryDir m_data;
    QProcess m_process;
    QUrl m_url;
    QString m_databaseUrl;
    QString m_postgresDatabase;
    QByteArray m_stderr;
};

// A value in KiB from /proc/PID/status ("VmRSS", "VmHWM"); -1 if it cannot be read.
qint64 processMemoryKiB(qint64 pid, const QByteArray &field);

// Waits for an API reply to finish (up to 30 s).
bool waitFor(ApiReply *reply, int timeoutMs = 30'000);

// A new account with a strong password, signed in: the client carries its access token.
struct SignedInUser
{
    QString email;
    QString password;
    QString accessToken;
    QString refreshToken;
    qint64 id = 0;
};
SignedInUser signUpAndLogIn(ApiClient &client, const QString &emailPrefix = QStringLiteral("user"));
QString strongPassword();

// Raw HTTP over a plain socket, for what QNetworkAccessManager will not send.
struct RawResult
{
    QByteArray bytes; // everything received
    bool closedByServer = false;
    qint64 elapsedMs = 0;
};
// Sends `request` (in pieces if `chunks` is given), then reads until the server closes or
// `readMs` passes.
RawResult rawExchange(quint16 port, const QByteArray &request, int readMs = 3000,
                      const QList<QByteArray> &chunks = {});
int statusOf(const QByteArray &response);
int countResponses(const QByteArray &bytes);

} // namespace Tasklane::Test
