#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;
class QProcessEnvironment;

namespace Tasklane {

// Everything tasklaned can be told, resolved from four layers, each overriding the one before:
// built-in defaults < the INI file (--config / TASKLANE_CONFIG) < TASKLANE_* environment
// variables < command-line options. Secrets (jwt_secret, db_password) never come from the
// command line (it shows in `ps`); each can also be read from a file named by TASKLANE_*_FILE
// (or a *_file key in the INI file).
struct ServerSettings
{
    QHostAddress listenAddress;
    quint16 listenPort = 8080;
    QString dataDir;
    QString databaseUrl;
    QByteArray databasePassword;
    QByteArray jwtSecret; // empty: generated and kept in the data folder (development only)
    QString jwtIssuer;
    QString jwtAudience;
    qint64 accessTokenTtl = 900;
    qint64 refreshTokenTtl = 30 * 24 * 3600;
    qint64 cursorTtl = 24 * 3600; // of task listings' cursors, from the first page
    QStringList corsOrigins;
    QString environment;
    QString logLevel;
    // The log records kept for GET /admin/logs (LogStore): which request lines (all, failed:
    // status from 400 or slow, none), for how long and how many at most.
    QString logStoreRequests = QStringLiteral("failed");
    qint64 logRetentionDays = 14;
    qint64 logStoreMaxRecords = 1'000'000;
    qint64 activityRetentionDays = 365; // the activity log's
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    qint64 maxUploadBytes = 25 * 1024 * 1024; // the body cap of upload routes
    QString attachmentsDir; // uploaded files
    qint64 attachmentQuotaBytes = 1024LL * 1024 * 1024; // per user
    int maxHeaderCount = 64;
    int maxHeaderBytes = 32 * 1024;
    int headerTimeoutMs = 10'000;
    int idleTimeoutMs = 60'000;
    int maxConnections = 1024;
    int httpThreads = 2;
    int dbThreads = 2;
    int dbWriteThreads = 16;
    int hashThreads = 2;
    int hashQueueLimit = 256;
    int dbQueueLimit = 1024;
    qint64 queueBodyBytes = 64 * 1024 * 1024;
    int authCacheTtlMs = 2000;
    int dbBusyTimeoutMs = 5000;
    qint64 sqliteMmapBytes = 256 * 1024 * 1024;
    // Background jobs (JobRunner, JobPolicy) and the periodic cleanup (CleanupJob).
    int jobThreads = 4;
    qint64 jobLeaseSeconds = 120;
    int jobMaxAttempts = 8;
    qint64 jobRetryBaseSeconds = 30;
    qint64 cleanupIntervalSeconds = 600;
    qint64 jobRetentionDays = 30;
    qint64 readNotificationRetentionDays = 90;
    qint64 trashRetentionDays = 30;
    qint64 idempotencyKeyHours = 24;
    qint64 dueSoonMinutes = 60; // the "due soon" alert's lead (DueAlertJob)
    // Rate limits (requests per window; 0: none), the proxies whose X-Forwarded-For counts,
    // and the lockout of accounts after failed sign-ins.
    int rateLimitAuth = 30;
    int rateLimitApi = 600;
    qint64 rateLimitWindowSeconds = 60;
    QList<QPair<QHostAddress, int>> trustedProxies;
    int lockoutThreshold = 10;
    qint64 lockoutMinutes = 15;
    // Real time (WebSocket and Server-Sent Events, server/realtime).
    int realtimeThreads = 2;
    int realtimeMaxConnections = 10'000;
    int realtimeMaxPerUser = 16;
    qint64 realtimeMaxQueuedBytes = 1024 * 1024; // per connection, unread by its client
    int realtimePingSeconds = 30; // silence before a ping; twice this: the peer is dropped
    int sseHeartbeatSeconds = 20;
    qint64 eventRetentionDays = 7;
    // Email: an SMTP server, or (smtp_url empty) .eml files in the data folder's outbox.
    QString smtpUrl;
    QByteArray smtpPassword;
    QString smtpTls;
    QString smtpCaFile;
    QString mailFrom;
    QString publicUrl; // where links in messages point
    // Web Push: who runs this server (VAPID's sub), its key (empty: kept in the data folder),
    // and whether loopback http:// endpoints are allowed (tests).
    QString vapidSubject;
    QByteArray vapidPrivateKey;
    bool pushAllowLoopback = false;
    // Two-step sign-in: the key sealing TOTP secrets (64 hex digits; empty: kept in the data
    // folder) and the issuer name authenticator apps show.
    QByteArray totpKey;
    QString totpIssuer;
    // SMS: an HTTP provider, or (sms_url empty) JSON files in the data folder's sms-outbox.
    QString smsUrl;
    QString smsAccount;
    QByteArray smsToken;
    QString smsFrom;

    bool isProduction() const { return environment == QLatin1StringView("production"); }
};

// One setting: its INI key; the environment variable is TASKLANE_ + the key in capitals, the
// command-line option -- + the key with dashes.
struct SettingDefinition
{
    const char *key;
    const char *valueName;
    const char *description;
    bool secret = false;
    bool onCommandLine = true;
};

class SettingsLoader
{
public:
    static const QList<SettingDefinition> &definitions();
    static QString environmentName(const SettingDefinition &definition);
    static QString optionName(const SettingDefinition &definition);

    // Adds --config and an option for each non-secret setting.
    static void addOptions(QCommandLineParser &parser);
    // A description of every setting, its variable and default, for --help.
    static QString helpText();

    // Resolves the settings; on failure returns nullopt and says why in `errors`.
    static std::optional<ServerSettings> load(const QCommandLineParser &parser,
                                              const QProcessEnvironment &environment,
                                              QStringList *errors);
};

} // namespace Tasklane
