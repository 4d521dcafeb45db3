#include "settings.h"

#include "httpsmssender.h"

#include "mailmessage.h"
#include "smtpmailer.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcessEnvironment>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cctype>
#include <functional>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/tasklane"_s;
}

// Writes wait for their commit on their database thread (a CommitGroup batch holds one unit
// per waiting thread), so more threads mean larger shared commits: on SQLite, 4 threads reached
// about 6,000 durable task creates/s and 16 about 8,500 (bench/commitgroup.cpp). Once a create
// also wrote its activity entry and real-time event, bench/tasks.sh on two cores (64 clients)
// measured 2,400-2,900 creates/s with 16 threads, 3,750-3,950 with 48 and 3,900-4,200 with 64
// or 96: a commit's fdatasync is shared by more creates (docs/performance.md). On PostgreSQL
// the task creates waiting make one batch (one INSERT, one COMMIT): in bench/tasks.sh on two
// cores 8 threads reached about 3,100 creates/s, 16 about 4,650, 24 about 5,700 and 32
// 5,200-6,700. The count follows from how many writes must be in flight to hide a commit's round
// trips, not from the cores. Each thread that writes alone holds a PostgreSQL connection.
// Reads want no more threads than cores: more only switch between each other.
int defaultWriteThreads(bool postgres)
{
    const int cores = std::max(1, QThread::idealThreadCount());
    return postgres ? 32 : std::max(48, cores * 4);
}

QHash<QString, QString> defaults()
{
    const int cores = std::max(1, QThread::idealThreadCount());
    return {
        { u"listen"_s, u"127.0.0.1:8080"_s },
        { u"data"_s, defaultDataDir() },
        { u"db"_s, QString() },
        { u"env"_s, u"development"_s },
        { u"log_level"_s, u"info"_s },
        { u"log_store_requests"_s, u"failed"_s },
        { u"log_retention_days"_s, u"14"_s },
        { u"log_store_max_records"_s, u"1000000"_s },
        { u"activity_retention_days"_s, u"365"_s },
        { u"cors_origins"_s, QString() },
        { u"jwt_issuer"_s, u"tasklane"_s },
        { u"jwt_audience"_s, u"tasklane-api"_s },
        { u"access_token_ttl"_s, u"900"_s },
        { u"refresh_token_ttl"_s, QString::number(30 * 24 * 3600) },
        { u"cursor_ttl"_s, QString::number(24 * 3600) },
        { u"max_body_bytes"_s, QString::number(10 * 1024 * 1024) },
        { u"max_upload_bytes"_s, QString::number(25 * 1024 * 1024) },
        { u"attachments_dir"_s, QString() },
        { u"attachment_quota_bytes"_s, QString::number(1024LL * 1024 * 1024) },
        { u"max_header_count"_s, u"64"_s },
        { u"max_header_bytes"_s, QString::number(32 * 1024) },
        { u"header_timeout_ms"_s, u"10000"_s },
        { u"idle_timeout_ms"_s, u"60000"_s },
        { u"max_connections"_s, u"1024"_s },
        { u"http_threads"_s, QString::number(cores) },
        { u"db_threads"_s, QString::number(std::max(2, cores)) },
        { u"db_write_threads"_s, QString() }, // by the database: see defaultWriteThreads()
        { u"hash_threads"_s, QString::number(cores) },
        { u"hash_queue_limit"_s, u"256"_s },
        { u"db_queue_limit"_s, u"1024"_s },
        { u"queue_body_bytes"_s, QString::number(64 * 1024 * 1024) },
        { u"auth_cache_ttl_ms"_s, u"2000"_s },
        { u"db_busy_timeout_ms"_s, u"5000"_s },
        { u"sqlite_mmap_bytes"_s, QString::number(256 * 1024 * 1024) },
        { u"job_threads"_s, u"4"_s }, // they mostly wait: on mail servers, push services, commits
        { u"job_lease_seconds"_s, u"120"_s },
        { u"job_max_attempts"_s, u"8"_s },
        { u"job_retry_base_seconds"_s, u"30"_s },
        { u"cleanup_interval_seconds"_s, u"600"_s },
        { u"job_retention_days"_s, u"30"_s },
        { u"read_notification_retention_days"_s, u"90"_s },
        { u"trash_retention_days"_s, u"30"_s },
        { u"idempotency_key_hours"_s, u"24"_s },
        { u"due_soon_minutes"_s, u"60"_s },
        { u"realtime_threads"_s, u"2"_s },
        { u"realtime_max_connections"_s, u"10000"_s },
        { u"realtime_max_per_user"_s, u"16"_s },
        { u"rate_limit_auth"_s, u"30"_s },
        { u"rate_limit_api"_s, u"600"_s },
        { u"rate_limit_window_seconds"_s, u"60"_s },
        { u"trusted_proxies"_s, QString() },
        { u"lockout_threshold"_s, u"10"_s },
        { u"lockout_minutes"_s, u"15"_s },
        { u"realtime_max_queued_bytes"_s, QString::number(1024 * 1024) },
        { u"realtime_ping_seconds"_s, u"30"_s },
        { u"sse_heartbeat_seconds"_s, u"20"_s },
        { u"event_retention_days"_s, u"7"_s },
        { u"smtp_url"_s, QString() },
        { u"smtp_tls"_s, u"required"_s },
        { u"smtp_ca_file"_s, QString() },
        { u"mail_from"_s, u"tasklane@localhost"_s },
        { u"public_url"_s, QString() }, // http:// and the listen address
        { u"vapid_subject"_s, QString() }, // mailto: and mail_from
        { u"push_allow_loopback"_s, u"false"_s },
        { u"totp_issuer"_s, u"Tasklane"_s },
        { u"sms_url"_s, QString() },
        { u"sms_account"_s, QString() },
        { u"sms_from"_s, QString() },
    };
}

std::optional<qint64> readInteger(const QString &value, qint64 minimum, qint64 maximum)
{
    bool ok = false;
    const qint64 number = value.trimmed().toLongLong(&ok);
    if (!ok || number < minimum || number > maximum)
        return std::nullopt;
    return number;
}

// 64 hex digits: a 256-bit key as text.
bool isHexKey(const QByteArray &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c));
           });
}

bool readSecretFile(const QString &path, QString *value, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    QByteArray content = file.readAll();
    while (content.endsWith('\n') || content.endsWith('\r'))
        content.chop(1);
    *value = QString::fromUtf8(content);
    return true;
}

} // namespace

const QList<SettingDefinition> &SettingsLoader::definitions()
{
    static const QList<SettingDefinition> list{
        { "listen", "ADDRESS:PORT", "Address and port to listen on (port 0: any free port).",
          false },
        { "data", "DIR", "Data folder: the SQLite database and the generated signing key.", false },
        { "db", "URL",
          "Database: sqlite:PATH or postgres://USER@HOST:PORT/NAME (default: sqlite in the data "
          "folder).",
          false },
        { "env", "NAME",
          "development or production; production refuses to start without configured secrets.",
          false },
        { "log_level", "LEVEL", "debug, info, warning or error.", false },
        { "log_store_requests", "WHICH",
          "The request lines kept with the log records of GET /admin/logs: all, failed (a "
          "status from 400 on, or a second or longer) or none. Messages are always kept.",
          false },
        { "log_retention_days", "DAYS", "How long log records are kept for GET /admin/logs.",
          false },
        { "log_store_max_records", "N",
          "How many log records are kept at most (the oldest go first).", false },
        { "activity_retention_days", "DAYS", "How long activity log entries are kept.", false },
        { "cors_origins", "ORIGINS", "Comma-separated exact origins allowed cross-origin access.",
          false },
        { "jwt_issuer", "ISS", "The iss claim of access tokens.", false },
        { "jwt_audience", "AUD", "The aud claim of access tokens.", false },
        { "access_token_ttl", "SECONDS", "Lifetime of access tokens.", false },
        { "refresh_token_ttl", "SECONDS", "Lifetime of refresh tokens.", false },
        { "cursor_ttl", "SECONDS",
          "How long a task listing can be paged through from its first page.", false },
        { "max_body_bytes", "BYTES",
          "Largest request body accepted (413 above), unless its route sets its own.", false },
        { "max_upload_bytes", "BYTES", "Largest file upload accepted (413 above).", false },
        { "attachments_dir", "DIR",
          "Folder of uploaded files (default: attachments in the data folder).", false },
        { "attachment_quota_bytes", "BYTES",
          "Bytes of attachments each user may upload in all (413 quota-exceeded above).", false },
        { "max_header_count", "N", "Most header fields in a request (431 above).", false },
        { "max_header_bytes", "BYTES", "Largest request header section (431 above).", false },
        { "header_timeout_ms", "MS",
          "Time a request's headers may take to arrive (408); its body gets as long again plus "
          "1 s per KiB.",
          false },
        { "idle_timeout_ms", "MS", "Time an idle keep-alive connection stays open.", false },
        { "max_connections", "N", "Most simultaneous connections (503 above).", false },
        { "http_threads", "N",
          "Event loops serving HTTP (parsing, routing, answers from memory), each on a thread of "
          "its own sharing the listening port (default: one per core).",
          false },
        { "db_threads", "N", "Threads (and database connections) for reads.", false },
        { "db_write_threads", "N",
          "Threads (and database connections) for writes. Default: SQLite 48 (or 4 per core, if "
          "more), PostgreSQL 32.",
          false },
        { "hash_threads", "N", "Threads for password hashing, 19 MiB each (default: one per core).",
          false },
        { "hash_queue_limit", "N", "Most requests waiting for password hashing (503 above).",
          false },
        { "db_queue_limit", "N", "Most requests waiting for a database thread (503 above).",
          false },
        { "queue_body_bytes", "BYTES",
          "Most bytes of request bodies waiting for a database or hashing thread, all requests "
          "together (503 above).",
          false },
        { "auth_cache_ttl_ms", "MS",
          "How long an authenticated token's user is remembered (0: ask the database every "
          "time). Revocations made by other processes take effect within this time.",
          false },
        { "db_busy_timeout_ms", "MS",
          "SQLite: how long a write waits for another process's write lock before the request "
          "gets 503 with Retry-After.",
          false },
        { "sqlite_mmap_bytes", "BYTES",
          "SQLite: how much of the database file is read through memory mapping instead of "
          "read() (0: none). A disk's read error then ends the server instead of failing the "
          "request.",
          false },
        { "job_threads", "N", "Threads running background jobs (email, reminders, cleanup).",
          false },
        { "realtime_threads", "N",
          "Event-loop threads holding WebSocket and event-stream connections (apart from the "
          "HTTP threads, so that thousands of open sockets do not slow requests).",
          false },
        { "realtime_max_connections", "N",
          "Open WebSocket and event-stream connections at most (503 beyond); lowered to what "
          "the process's file-descriptor limit allows, which tasklaned raises at start.",
          false },
        { "realtime_max_per_user", "N",
          "Open real-time connections of one user at most (429 beyond).", false },
        { "rate_limit_auth", "N",
          "Sign-in requests (sign-up, login and its second step, verification, forgot and reset "
          "password, 2FA changes) per window from one client address, and as many about one "
          "account; 429 beyond. Counted in the database: shared by servers and restarts. 0: "
          "no limit.",
          false },
        { "rate_limit_api", "N",
          "Requests of one signed-in user per window; 429 beyond. Counted by each server in "
          "memory. 0: no limit (benchmarks, trusted deployments).",
          false },
        { "rate_limit_window_seconds", "SECONDS",
          "The window rate_limit_auth and rate_limit_api count in (default 60: per minute).",
          false },
        { "trusted_proxies", "ADDRESSES",
          "Comma-separated addresses or subnets (10.0.0.0/8, ::1) of reverse proxies whose "
          "X-Forwarded-For names the client; from any other peer the header is ignored.",
          false },
        { "lockout_threshold", "N",
          "Failed sign-ins (wrong passwords or codes) for one account before it is locked; "
          "from the third on, each try waits longer (1 s, 2 s, 4 s ...). 0: off.",
          false },
        { "lockout_minutes", "MINUTES",
          "How long a locked account stays locked; failures older than this are forgotten.",
          false },
        { "realtime_max_queued_bytes", "BYTES",
          "Events a real-time client has not read yet, at most: beyond, it is disconnected (it "
          "resumes from its last event id).",
          false },
        { "realtime_ping_seconds", "SECONDS",
          "Silence on a WebSocket before the server pings it; a peer silent for twice this is "
          "dropped.",
          false },
        { "sse_heartbeat_seconds", "SECONDS",
          "Interval of the comment lines that keep an event stream open through proxies.", false },
        { "event_retention_days", "DAYS",
          "How long real-time events are kept for clients resuming from an older id (older "
          "cursors are told to reload: a resync event).",
          false },
        { "job_lease_seconds", "SECONDS",
          "How long a job is held by the process running it (renewed while it runs); a job "
          "whose process died is taken again after this.",
          false },
        { "job_max_attempts", "N", "Runs of a failing job before it is dead.", false },
        { "job_retry_base_seconds", "SECONDS",
          "Delay before a failed job's first retry; each further retry doubles it (half of it "
          "random).",
          false },
        { "cleanup_interval_seconds", "SECONDS",
          "How often expired rows are deleted (a cleanup job).", false },
        { "job_retention_days", "DAYS", "How long finished (done or dead) jobs are kept.", false },
        { "read_notification_retention_days", "DAYS",
          "How long in-app notifications are kept once read.", false },
        { "trash_retention_days", "DAYS",
          "How long a task stays in the trash before it is purged with its files.", false },
        { "idempotency_key_hours", "HOURS",
          "How long an Idempotency-Key's answer is kept for a retry to replay.", false },
        { "due_soon_minutes", "MINUTES",
          "How long before a task's due time its \"due soon\" alert goes out.", false },
        { "smtp_url", "URL",
          "The mail server: smtp://[user@]host[:port] (STARTTLS) or smtps://... (empty: "
          "messages are written to the outbox folder in the data folder).",
          false },
        { "smtp_tls", "MODE",
          "required (default), or none for a mail server on this machine (loopback) only.", false },
        { "smtp_ca_file", "FILE", "CA certificates (PEM) to trust for the mail server.", false },
        { "mail_from", "ADDRESS", "The sender of notification email.", false },
        { "public_url", "URL",
          "Where users reach this server (https://tasks.example): links in messages start "
          "with it.",
          false },
        { "vapid_subject", "URI",
          "Who runs this server, for push services (mailto:... or https://...; default: "
          "mailto: and mail_from).",
          false },
        { "totp_issuer", "NAME",
          "The name authenticator apps show beside the account for two-step sign-in (default: "
          "Tasklane).",
          false },
        { "push_allow_loopback", "BOOL",
          "true lets push subscriptions name a loopback http:// endpoint (tests; refused in "
          "production).",
          false },
        { "sms_url", "URL",
          "The SMS provider's messages endpoint, taking a form POST of To, From and Body with "
          "basic authentication (empty: messages are written to sms-outbox in the data folder).",
          false },
        { "sms_account", "ACCOUNT", "The SMS provider account (basic authentication user).",
          false },
        { "sms_from", "NUMBER",
          "The sender number the SMS provider knows (whatsapp:+... for WhatsApp).", false },
        { "smtp_password", "SECRET", "The mail server's password for smtp_url's user.", true,
          false },
        { "sms_token", "SECRET", "The SMS provider's token (basic authentication password).", true,
          false },
        { "vapid_private_key", "SECRET",
          "The Web Push (VAPID) private key, a base64url P-256 scalar (default: generated in the "
          "data folder; give every server on one database the same).",
          true, false },
        { "totp_key", "SECRET",
          "The key that seals two-step sign-in (TOTP) secrets at rest with AES-256-GCM, 64 hex "
          "digits (default: generated in the data folder; give every server on one database "
          "the same).",
          true, false },
        { "jwt_secret", "SECRET",
          "Access-token signing key, 32 bytes or more (default: generated in the data folder; "
          "required in production).",
          true, false },
        { "db_password", "PASSWORD", "PostgreSQL password (required in production on PostgreSQL).",
          true, false },
    };
    return list;
}

QString SettingsLoader::environmentName(const SettingDefinition &definition)
{
    return u"TASKLANE_"_s + QString::fromLatin1(definition.key).toUpper();
}

QString SettingsLoader::optionName(const SettingDefinition &definition)
{
    return QString::fromLatin1(definition.key).replace(u'_', u'-');
}

void SettingsLoader::addOptions(QCommandLineParser &parser)
{
    parser.addOption({ u"config"_s, u"INI file of settings (env TASKLANE_CONFIG)."_s, u"FILE"_s });
    for (const SettingDefinition &definition : definitions()) {
        if (!definition.onCommandLine)
            continue;
        parser.addOption({ optionName(definition),
                           QString::fromLatin1(definition.description) + u" (env "_s
                                   + environmentName(definition) + u')',
                           QString::fromLatin1(definition.valueName) });
    }
}

QString SettingsLoader::helpText()
{
    QString text = u"Settings (defaults < INI file < environment < command line):\n"_s;
    const QHash<QString, QString> builtIn = defaults();
    for (const SettingDefinition &definition : definitions()) {
        const QString key = QString::fromLatin1(definition.key);
        text += u"  %1 / %2"_s.arg(key, environmentName(definition));
        if (definition.secret)
            text += u" / %1_FILE"_s.arg(environmentName(definition));
        else
            text += u" / --%1"_s.arg(optionName(definition));
        const QString value = builtIn.value(key);
        text += u"\n      %1%2\n"_s.arg(QString::fromLatin1(definition.description),
                                        value.isEmpty() ? QString() : u" Default: "_s + value);
    }
    return text;
}

std::optional<ServerSettings> SettingsLoader::load(const QCommandLineParser &parser,
                                                   const QProcessEnvironment &environment,
                                                   QStringList *errors)
{
    QHash<QString, QString> values = defaults();

    // Layer 2: the INI file.
    QString configPath = parser.isSet(u"config"_s) ? parser.value(u"config"_s)
                                                   : environment.value(u"TASKLANE_CONFIG"_s);
    if (!configPath.isEmpty()) {
        if (!QFile::exists(configPath)) {
            errors->append(u"the config file %1 does not exist"_s.arg(configPath));
            return std::nullopt;
        }
        const QSettings file(configPath, QSettings::IniFormat);
        if (file.status() != QSettings::NoError) {
            errors->append(u"the config file %1 is not a valid INI file"_s.arg(configPath));
            return std::nullopt;
        }
        // A mistyped key would otherwise be ignored without a word.
        QSet<QString> known;
        for (const SettingDefinition &definition : definitions()) {
            known.insert(QString::fromLatin1(definition.key));
            if (definition.secret)
                known.insert(QString::fromLatin1(definition.key) + u"_file"_s);
        }
        for (const QString &key : file.allKeys()) {
            if (!known.contains(key))
                errors->append(
                        u"unknown setting %1 in %2 (see installer/tasklane.ini.example)"_s.arg(
                                key, configPath));
        }
        for (const SettingDefinition &definition : definitions()) {
            const QString key = QString::fromLatin1(definition.key);
            if (file.contains(key))
                values.insert(key, file.value(key).toStringList().join(u','));
            if (definition.secret && file.contains(key + u"_file"_s)) {
                QString secret, error;
                if (!readSecretFile(file.value(key + u"_file"_s).toString(), &secret, &error))
                    errors->append(u"%1_file in %2: %3"_s.arg(key, configPath, error));
                else
                    values.insert(key, secret);
            }
        }
    }

    // Layer 3: the environment.
    for (const SettingDefinition &definition : definitions()) {
        const QString key = QString::fromLatin1(definition.key);
        const QString name = environmentName(definition);
        if (environment.contains(name))
            values.insert(key, environment.value(name));
        if (definition.secret && environment.contains(name + u"_FILE"_s)) {
            QString secret, error;
            if (!readSecretFile(environment.value(name + u"_FILE"_s), &secret, &error))
                errors->append(u"%1_FILE: %2"_s.arg(name, error));
            else
                values.insert(key, secret);
        }
    }

    // Layer 4: the command line.
    for (const SettingDefinition &definition : definitions()) {
        if (definition.onCommandLine && parser.isSet(optionName(definition)))
            values.insert(QString::fromLatin1(definition.key),
                          parser.value(optionName(definition)));
    }

    ServerSettings settings;
    const QString listen = values.value(u"listen"_s).trimmed();
    const qsizetype colon = listen.lastIndexOf(u':');
    QString host = colon > 0 ? listen.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const auto port = colon > 0 ? readInteger(listen.mid(colon + 1), 0, 65535) : std::nullopt;
    if (!port || !settings.listenAddress.setAddress(host))
        errors->append(u"listen must be ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:8080"_s);
    else
        settings.listenPort = quint16(*port);

    settings.dataDir = QDir::cleanPath(QDir::current().absoluteFilePath(values.value(u"data"_s)));
    settings.databaseUrl = values.value(u"db"_s);
    if (settings.databaseUrl.isEmpty())
        settings.databaseUrl = u"sqlite:"_s + settings.dataDir + u"/tasklane.db"_s;
    settings.attachmentsDir = values.value(u"attachments_dir"_s).isEmpty()
            ? settings.dataDir + u"/attachments"_s
            : QDir::cleanPath(QDir::current().absoluteFilePath(values.value(u"attachments_dir"_s)));
    settings.environment = values.value(u"env"_s);
    if (settings.environment != u"development" && settings.environment != u"production")
        errors->append(u"env must be development or production"_s);
    settings.logLevel = values.value(u"log_level"_s);
    if (!QStringList{ u"debug"_s, u"info"_s, u"warning"_s, u"error"_s }.contains(settings.logLevel))
        errors->append(u"log_level must be debug, info, warning or error"_s);
    settings.logStoreRequests = values.value(u"log_store_requests"_s);
    if (!QStringList{ u"all"_s, u"failed"_s, u"none"_s }.contains(settings.logStoreRequests))
        errors->append(u"log_store_requests must be all, failed or none"_s);
    for (const QString &entry :
         values.value(u"trusted_proxies"_s).split(u',', Qt::SkipEmptyParts)) {
        const QString subnet = entry.trimmed();
        auto parsed = QHostAddress::parseSubnet(subnet);
        if (parsed.first.isNull())
            errors->append(u"trusted_proxies: '%1' is not an address or subnet"_s.arg(subnet));
        else
            settings.trustedProxies.append(parsed);
    }
    settings.corsOrigins = values.value(u"cors_origins"_s).split(u',', Qt::SkipEmptyParts);
    for (QString &origin : settings.corsOrigins)
        origin = origin.trimmed();
    settings.jwtIssuer = values.value(u"jwt_issuer"_s);
    settings.jwtAudience = values.value(u"jwt_audience"_s);
    settings.jwtSecret = values.value(u"jwt_secret"_s).toUtf8();
    settings.databasePassword = values.value(u"db_password"_s).toUtf8();

    struct IntegerSetting
    {
        const char *key;
        qint64 minimum;
        qint64 maximum;
        std::function<void(qint64)> assign;
    };
    const QList<IntegerSetting> integers{
        { "access_token_ttl", 30, 24 * 3600, [&](qint64 v) { settings.accessTokenTtl = v; } },
        { "refresh_token_ttl", 60, 365LL * 24 * 3600,
          [&](qint64 v) { settings.refreshTokenTtl = v; } },
        { "cursor_ttl", 1, 30 * 24 * 3600, [&](qint64 v) { settings.cursorTtl = v; } },
        { "max_body_bytes", 1024, 1LL << 30, [&](qint64 v) { settings.maxBodyBytes = v; } },
        { "max_upload_bytes", 1024, 1LL << 30, [&](qint64 v) { settings.maxUploadBytes = v; } },
        { "attachment_quota_bytes", 0, 1LL << 50,
          [&](qint64 v) { settings.attachmentQuotaBytes = v; } },
        { "max_header_count", 8, 100, [&](qint64 v) { settings.maxHeaderCount = int(v); } },
        // QHttpServer 6.4 drops all headers past 100 fields or 100 KiB: stay well below.
        { "max_header_bytes", 1024, 64 * 1024,
          [&](qint64 v) { settings.maxHeaderBytes = int(v); } },
        { "header_timeout_ms", 100, 600'000, [&](qint64 v) { settings.headerTimeoutMs = int(v); } },
        { "idle_timeout_ms", 100, 3'600'000, [&](qint64 v) { settings.idleTimeoutMs = int(v); } },
        { "max_connections", 1, 100'000, [&](qint64 v) { settings.maxConnections = int(v); } },
        { "db_threads", 1, 256, [&](qint64 v) { settings.dbThreads = int(v); } },
        { "http_threads", 1, 64, [&](qint64 v) { settings.httpThreads = int(v); } },
        { "db_write_threads", 1, 256, [&](qint64 v) { settings.dbWriteThreads = int(v); } },
        { "hash_threads", 1, 256, [&](qint64 v) { settings.hashThreads = int(v); } },
        { "hash_queue_limit", 1, 100'000, [&](qint64 v) { settings.hashQueueLimit = int(v); } },
        { "db_queue_limit", 1, 1'000'000, [&](qint64 v) { settings.dbQueueLimit = int(v); } },
        { "queue_body_bytes", 1024, 1LL << 40, [&](qint64 v) { settings.queueBodyBytes = v; } },
        { "auth_cache_ttl_ms", 0, 60'000, [&](qint64 v) { settings.authCacheTtlMs = int(v); } },
        { "db_busy_timeout_ms", 0, 600'000, [&](qint64 v) { settings.dbBusyTimeoutMs = int(v); } },
        { "sqlite_mmap_bytes", 0, 1LL << 40, [&](qint64 v) { settings.sqliteMmapBytes = v; } },
        { "job_threads", 1, 64, [&](qint64 v) { settings.jobThreads = int(v); } },
        { "realtime_threads", 1, 16, [&](qint64 v) { settings.realtimeThreads = int(v); } },
        { "realtime_max_connections", 1, 1'000'000,
          [&](qint64 v) { settings.realtimeMaxConnections = int(v); } },
        { "realtime_max_per_user", 1, 100'000,
          [&](qint64 v) { settings.realtimeMaxPerUser = int(v); } },
        { "realtime_max_queued_bytes", 4096, 1LL << 30,
          [&](qint64 v) { settings.realtimeMaxQueuedBytes = v; } },
        { "realtime_ping_seconds", 1, 3600,
          [&](qint64 v) { settings.realtimePingSeconds = int(v); } },
        { "sse_heartbeat_seconds", 1, 3600,
          [&](qint64 v) { settings.sseHeartbeatSeconds = int(v); } },
        { "event_retention_days", 1, 3650, [&](qint64 v) { settings.eventRetentionDays = v; } },
        { "log_retention_days", 1, 3650, [&](qint64 v) { settings.logRetentionDays = v; } },
        { "log_store_max_records", 1000, 1'000'000'000,
          [&](qint64 v) { settings.logStoreMaxRecords = v; } },
        { "activity_retention_days", 1, 36500,
          [&](qint64 v) { settings.activityRetentionDays = v; } },
        { "job_lease_seconds", 1, 24 * 3600, [&](qint64 v) { settings.jobLeaseSeconds = v; } },
        { "job_max_attempts", 1, 100, [&](qint64 v) { settings.jobMaxAttempts = int(v); } },
        { "job_retry_base_seconds", 1, 24 * 3600,
          [&](qint64 v) { settings.jobRetryBaseSeconds = v; } },
        { "cleanup_interval_seconds", 1, 7 * 24 * 3600,
          [&](qint64 v) { settings.cleanupIntervalSeconds = v; } },
        { "job_retention_days", 1, 3650, [&](qint64 v) { settings.jobRetentionDays = v; } },
        { "read_notification_retention_days", 1, 3650,
          [&](qint64 v) { settings.readNotificationRetentionDays = v; } },
        { "trash_retention_days", 1, 3650, [&](qint64 v) { settings.trashRetentionDays = v; } },
        { "idempotency_key_hours", 1, 24 * 30,
          [&](qint64 v) { settings.idempotencyKeyHours = v; } },
        { "due_soon_minutes", 1, 7 * 24 * 60, [&](qint64 v) { settings.dueSoonMinutes = v; } },
        { "rate_limit_auth", 0, 1'000'000, [&](qint64 v) { settings.rateLimitAuth = int(v); } },
        { "rate_limit_api", 0, 100'000'000, [&](qint64 v) { settings.rateLimitApi = int(v); } },
        { "rate_limit_window_seconds", 1, 24 * 3600,
          [&](qint64 v) { settings.rateLimitWindowSeconds = v; } },
        { "lockout_threshold", 0, 1000, [&](qint64 v) { settings.lockoutThreshold = int(v); } },
        { "lockout_minutes", 1, 7 * 24 * 60, [&](qint64 v) { settings.lockoutMinutes = v; } },
    };
    if (values.value(u"db_write_threads"_s).isEmpty())
        values.insert(u"db_write_threads"_s,
                      QString::number(
                              defaultWriteThreads(settings.databaseUrl.startsWith(u"postgres"_s))));
    for (const IntegerSetting &integer : integers) {
        const QString key = QString::fromLatin1(integer.key);
        const auto value = readInteger(values.value(key), integer.minimum, integer.maximum);
        if (value)
            integer.assign(*value);
        else
            errors->append(u"%1 must be a whole number from %2 to %3"_s.arg(key)
                                   .arg(integer.minimum)
                                   .arg(integer.maximum));
    }

    settings.smtpUrl = values.value(u"smtp_url"_s).trimmed();
    settings.smtpPassword = values.value(u"smtp_password"_s).toUtf8();
    settings.smtpTls = values.value(u"smtp_tls"_s).trimmed();
    settings.smtpCaFile = values.value(u"smtp_ca_file"_s);
    if (!settings.smtpUrl.isEmpty()) {
        QString error;
        if (!SmtpConfig::parse(settings.smtpUrl, settings.smtpPassword, settings.smtpTls,
                               settings.smtpCaFile, &error))
            errors->append(error);
    } else if (!settings.smtpPassword.isEmpty()) {
        errors->append(u"smtp_password is set but smtp_url is not"_s);
    }
    settings.mailFrom = values.value(u"mail_from"_s).trimmed();
    if (!MailAddress::isValid(settings.mailFrom))
        errors->append(u"mail_from must be an email address such as tasks@example.com"_s);
    const QString publicUrl = values.value(u"public_url"_s).trimmed();
    if (publicUrl.isEmpty()) {
        settings.publicUrl = u"http://"_s + listen;
    } else {
        const QUrl url(publicUrl, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https" && url.scheme() != u"http")
            || url.host().isEmpty() || url.hasQuery() || url.hasFragment()
            || !url.userInfo().isEmpty())
            errors->append(u"public_url must be http(s)://host[:port][/path]"_s);
        settings.publicUrl = publicUrl.endsWith(u'/') ? publicUrl.chopped(1) : publicUrl;
    }

    settings.smsUrl = values.value(u"sms_url"_s).trimmed();
    settings.smsAccount = values.value(u"sms_account"_s).trimmed();
    settings.smsToken = values.value(u"sms_token"_s).toUtf8();
    settings.smsFrom = values.value(u"sms_from"_s).trimmed();
    if (!settings.smsUrl.isEmpty()) {
        QString error;
        if (!SmsProviderConfig::parse(settings.smsUrl, settings.smsAccount, settings.smsToken,
                                      settings.smsFrom, &error))
            errors->append(error);
    }
    settings.vapidSubject = values.value(u"vapid_subject"_s).trimmed();
    if (settings.vapidSubject.isEmpty())
        settings.vapidSubject = u"mailto:"_s + settings.mailFrom;
    if (!settings.vapidSubject.startsWith(u"mailto:"_s)
        && !settings.vapidSubject.startsWith(u"https://"_s))
        errors->append(u"vapid_subject must be a mailto: or https:// URI"_s);
    settings.vapidPrivateKey = values.value(u"vapid_private_key"_s).trimmed().toLatin1();
    settings.totpKey = values.value(u"totp_key"_s).trimmed().toLatin1();
    if (!settings.totpKey.isEmpty() && !isHexKey(settings.totpKey))
        errors->append(u"totp_key must be 64 hex digits (32 bytes)"_s);
    settings.totpIssuer = values.value(u"totp_issuer"_s).trimmed();
    if (settings.totpIssuer.isEmpty() || settings.totpIssuer.size() > 64
        || settings.totpIssuer.contains(u':'))
        errors->append(u"totp_issuer must be 1 to 64 characters without a colon"_s);
    const QString allowLoopback = values.value(u"push_allow_loopback"_s).trimmed();
    if (allowLoopback != u"true" && allowLoopback != u"false")
        errors->append(u"push_allow_loopback must be true or false"_s);
    settings.pushAllowLoopback = allowLoopback == u"true";
    if (settings.pushAllowLoopback && settings.isProduction())
        errors->append(u"push_allow_loopback is for tests: production refuses it"_s);

    if (!settings.jwtSecret.isEmpty() && settings.jwtSecret.size() < 32)
        errors->append(u"TASKLANE_JWT_SECRET must be at least 32 bytes long"_s);
    if (settings.isProduction()) {
        if (settings.jwtSecret.isEmpty())
            errors->append(u"production needs a signing key: set TASKLANE_JWT_SECRET or "
                           "TASKLANE_JWT_SECRET_FILE"_s);
        const bool postgres = settings.databaseUrl.startsWith(u"postgres");
        if (postgres && settings.databasePassword.isEmpty()
            && !QUrl(settings.databaseUrl).password().size())
            errors->append(u"production on PostgreSQL needs its password: set "
                           "TASKLANE_DB_PASSWORD or TASKLANE_DB_PASSWORD_FILE"_s);
    }
    if (!errors->isEmpty())
        return std::nullopt;
    return settings;
}

} // namespace Tasklane
