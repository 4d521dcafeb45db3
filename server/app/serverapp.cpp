#include "serverapp.h"

#include "accountclosurecontroller.h"
#include "accountclosureservice.h"
#include "accountcontroller.h"
#include "accountexportcontroller.h"
#include "accountexportservice.h"
#include "accountmailjob.h"
#include "accountservice.h"
#include "activitycontroller.h"
#include "activityservice.h"
#include "admincontroller.h"
#include "admintaskcontroller.h"
#include "attachmentcontroller.h"
#include "attachmentservice.h"
#include "attachmentstore.h"
#include "authcontroller.h"
#include "authservice.h"
#include "avatarcontroller.h"
#include "avatarservice.h"
#include "cacherefresher.h"
#include "categorycontroller.h"
#include "categoryservice.h"
#include "cleanupjob.h"
#include "clientaddress.h"
#include "commitgroup.h"
#include "connectionguard.h"
#include "corspolicy.h"
#include "cursorcodec.h"
#include "database.h"
#include "databaseerror.h"
#include "digestjob.h"
#include "duealertjob.h"
#include "emailjob.h"
#include "filelimit.h"
#include "healthcontroller.h"
#include "httpshard.h"
#include "httpsmssender.h"
#include "idempotencyservice.h"
#include "jobqueue.h"
#include "jobrunner.h"
#include "jsonlog.h"
#include "jwtcodec.h"
#include "logcontroller.h"
#include "loginthrottle.h"
#include "logstore.h"
#include "logstoresink.h"
#include "migrator.h"
#include "noticemailer.h"
#include "notificationcontroller.h"
#include "notificationservice.h"
#include "notificationsettingscache.h"
#include "notificationsettingsservice.h"
#include "operationsservice.h"
#include "outboxmailer.h"
#include "outboxsmssender.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "phonecontroller.h"
#include "phoneservice.h"
#include "principalcache.h"
#include "pushcontroller.h"
#include "pushendpointpolicy.h"
#include "pushjob.h"
#include "pushsender.h"
#include "pushservice.h"
#include "ratelimiter.h"
#include "realtimecontroller.h"
#include "realtimehub.h"
#include "realtimeservice.h"
#include "reminderjob.h"
#include "reminderscheduler.h"
#include "router.h"
#include "secretbox.h"
#include "secretfile.h"
#include "securerandom.h"
#include "sessioncontroller.h"
#include "sessionservice.h"
#include "signinlimits.h"
#include "smsjob.h"
#include "smtpmailer.h"
#include "taskcontroller.h"
#include "taskjsoncache.h"
#include "tasklistcache.h"
#include "tasklistservice.h"
#include "taskreaderscache.h"
#include "taskservice.h"
#include "twofactorcontroller.h"
#include "twofactorservice.h"
#include "useradmincontroller.h"
#include "useradminservice.h"
#include "usercontroller.h"
#include "userservice.h"
#include "webpushcrypto.h"
#include "workerpools.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServer>
#include <QLoggingCategory>
#include <QSysInfo>
#include <QTimeZone>
#include <QTimer>

#include <cstdio>
#include <limits>
#include <stdexcept>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "tasklane.server")

namespace Tasklane {

namespace {
constexpr int ShutdownDeadlineMs = 30'000;
constexpr int RealtimeCloseGraceMs = 2000;
// Serialised tasks kept for reads: about 50,000 tasks of typical size.
constexpr qint64 TaskJsonCacheBytes = 32 * 1024 * 1024;
constexpr qint64 TaskListCacheBytes = 32 * 1024 * 1024;
// How long shutdown waits for running jobs before it says so in the log (it waits on).
constexpr int JobStopWarningMs = 10'000;
} // namespace

ServerApp::ServerApp(ServerSettings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings))
{ }

ServerApp::~ServerApp()
{
    // HTTP loops still running (a start that failed part-way) end first: none has dispatched
    // anything. Then the workers: they use everything below and own database connections.
    JsonLog::setSink(nullptr); // before the store it feeds goes
    m_shards.clear();
    m_realtimeHub.reset();
    m_pools.reset();
}

void ServerApp::openStorage(bool applyMigrations)
{
    QString error;
    const auto config = DatabaseConfig::fromUrl(m_settings.databaseUrl, &error);
    if (!config)
        throw DatabaseError(DatabaseError::Kind::Connection, error);
    DatabaseConfig resolved = *config;
    if (!m_settings.databasePassword.isEmpty())
        resolved.password = QString::fromUtf8(m_settings.databasePassword);
    resolved.busyTimeoutMs = m_settings.dbBusyTimeoutMs;
    resolved.mmapBytes = m_settings.sqliteMmapBytes;
    m_database = std::make_unique<Database>(resolved);
    if (!applyMigrations)
        return;
    if (!resolved.isPostgres() && !QDir().mkpath(QFileInfo(resolved.sqlitePath).absolutePath()))
        throw DatabaseError(DatabaseError::Kind::Connection,
                            u"cannot create the folder of %1"_s.arg(resolved.sqlitePath));
    const Migrator migrator(*m_database);
    const QList<int> applied = migrator.migrate();
    qCInfo(lcServer, "database %s at schema version %d (%lld migrations applied now)",
           qUtf8Printable(resolved.describe()), migrator.latestVersion(),
           qlonglong(applied.size()));
}

QByteArray ServerApp::loadOrCreateSigningKey() const
{
    if (!m_settings.jwtSecret.isEmpty())
        return m_settings.jwtSecret;
    // Development only (production refuses to start without one): a key of our own, kept
    // beside the data so that tokens survive a restart.
    if (!QDir().mkpath(m_settings.dataDir))
        throw std::runtime_error("cannot create the data folder");
    const QByteArray key
            = loadOrCreateSecretFile(m_settings.dataDir + u"/jwt-secret"_s, "signing key",
                                     [] { return SecureRandom::bytes(32).toHex(); });
    if (key.size() < 32)
        throw std::runtime_error("the signing key in the data folder is too short");
    return key;
}

P256Key ServerApp::loadOrCreateVapidKey() const
{
    QByteArray text = m_settings.vapidPrivateKey;
    if (text.isEmpty()) {
        if (!QDir().mkpath(m_settings.dataDir))
            throw std::runtime_error("cannot create the data folder");
        text = loadOrCreateSecretFile(m_settings.dataDir + u"/vapid-private-key"_s,
                                      "Web Push (VAPID) key",
                                      [] { return base64Url(P256Key::generate().privateBytes()); });
    }
    const auto scalar = fromBase64Url(QString::fromLatin1(text));
    if (!scalar || scalar->size() != 32)
        throw std::runtime_error("the Web Push (VAPID) private key is not a base64url P-256 key");
    try {
        return P256Key::fromPrivate(*scalar);
    } catch (const WebPushError &) {
        throw std::runtime_error("the Web Push (VAPID) private key is not a P-256 key");
    }
}

QByteArray ServerApp::loadOrCreateTotpKey() const
{
    QByteArray text = m_settings.totpKey;
    if (text.isEmpty()) {
        if (!QDir().mkpath(m_settings.dataDir))
            throw std::runtime_error("cannot create the data folder");
        text = loadOrCreateSecretFile(m_settings.dataDir + u"/totp-key"_s, "2FA (TOTP) key", [] {
            return SecureRandom::bytes(SecretBox::KeyBytes).toHex();
        });
    }
    const auto key = SecretBox::keyFromText(text);
    if (!key)
        throw std::runtime_error("the 2FA (TOTP) key is not 64 hex digits");
    return *key;
}

void ServerApp::buildServices(SigningKey signingKey)
{
    m_hasher = std::make_unique<PasswordHasher>();
    m_policy = std::make_unique<PasswordPolicy>();
    const QByteArray key = signingKey == SigningKey::Kept ? loadOrCreateSigningKey()
                                                          : SecureRandom::bytes(32).toHex();
    m_jwt = std::make_unique<JwtCodec>(key, m_settings.jwtIssuer, m_settings.jwtAudience,
                                       m_settings.accessTokenTtl);
    m_principals = std::make_unique<PrincipalCache>(m_settings.authCacheTtlMs);
    m_cacheRefresher = std::make_unique<CacheRefresher>();
    m_auth = std::make_unique<AuthService>(*m_database, *m_hasher, *m_policy, *m_jwt, *m_principals,
                                           m_settings.refreshTokenTtl);
    m_auth->setRefresher(m_cacheRefresher.get());
    m_cors = std::make_unique<CorsPolicy>(m_settings.corsOrigins);
    m_healthController = std::make_unique<HealthController>(*m_database);

    // Concurrent writes share commits: a batch holds at most one unit per database thread,
    // since every waiting unit holds one.
    m_writes = std::make_unique<CommitGroup>(*m_database, std::max(1, m_settings.dbWriteThreads));
    // On PostgreSQL new tasks commit apart from other writes: a thread of their own takes the
    // creates waiting, inserts them all with one statement (TaskInsertBatch) and commits. POST
    // /tasks went from 3,300 to 5,000-6,700/s (bench/tasks.sh); the other writes keep a
    // transaction each there, side by side. SQLite has one writer: all its writes share a group.
    if (m_database->dialect() == SqlDialect::Postgres)
        m_taskCreates = std::make_unique<CommitGroup>(*m_database, CommitGroup::Mode::Writer,
                                                      std::max(1, m_settings.dbWriteThreads));
    m_cursors = std::make_unique<CursorCodec>(key);
    LogStore::Config logs;
    logs.requests = LogStore::requestLinesFromString(m_settings.logStoreRequests)
                            .value_or(LogStore::RequestLines::Failed);
    logs.source = QSysInfo::machineHostName() + u':'
            + QString::number(QCoreApplication::applicationPid());
    m_logStore = std::make_unique<LogStore>(*m_database, *m_writes, *m_cursors, logs);
    m_logSink = std::make_unique<LogStoreSink>(*m_logStore);
    m_logController = std::make_unique<LogController>(*m_logStore);
    m_attachmentFiles = std::make_unique<AttachmentStore>(m_settings.attachmentsDir);
    m_taskJson = std::make_unique<TaskJsonCache>(TaskJsonCacheBytes);
    // Only this process writes a SQLite database: what the caches read of it is kept until a
    // write changes it. Other processes may write a PostgreSQL one: trusted as long as a
    // principal is.
    const int sharedLifetimeMs
            = m_database->dialect() == SqlDialect::Sqlite ? -1 : m_settings.authCacheTtlMs;
    m_taskReaders = std::make_unique<TaskReadersCache>(sharedLifetimeMs);
    // A page holds a cursor, which expires cursor_ttl after its listing's first page: a page is
    // kept for a quarter of that at most, so that the cursors it hands out have most of their
    // lifetime left.
    const int pageTrustMs = int(
            std::min<qint64>(m_settings.cursorTtl * 1000 / 4, std::numeric_limits<int>::max()));
    m_taskPages = std::make_unique<TaskListCache>(
            m_database->dialect() == SqlDialect::Sqlite
                    ? pageTrustMs
                    : std::min(pageTrustMs, m_settings.authCacheTtlMs),
            TaskListCacheBytes);
    JobPolicy jobPolicy;
    jobPolicy.leaseSeconds = m_settings.jobLeaseSeconds;
    jobPolicy.maxAttempts = m_settings.jobMaxAttempts;
    jobPolicy.retryBaseSeconds = m_settings.jobRetryBaseSeconds;
    m_jobQueue = std::make_unique<JobQueue>(*m_database, jobPolicy);
    m_reminders = std::make_unique<ReminderScheduler>(*m_jobQueue);
    m_accounts = std::make_unique<AccountService>(*m_database, *m_jobQueue, *m_principals);
    m_users = std::make_unique<UserService>(*m_database, *m_hasher, *m_policy, *m_principals,
                                            *m_accounts);
    // Likewise the key sealing 2FA secrets (commands read none).
    m_trustedProxies = std::make_unique<TrustedProxies>(m_settings.trustedProxies);
    const RateWindow authWindow{ m_settings.rateLimitAuth, m_settings.rateLimitWindowSeconds };
    m_signInLimits = std::make_unique<SignInLimits>(*m_database, authWindow);
    m_apiLimits = std::make_unique<MemoryRateLimiter>(
            RateWindow{ m_settings.rateLimitApi, m_settings.rateLimitWindowSeconds });
    m_loginThrottle = std::make_unique<LoginThrottle>(
            *m_database, *m_jobQueue, m_settings.lockoutThreshold, m_settings.lockoutMinutes * 60);
    m_auth->setLoginThrottle(m_loginThrottle.get());
    m_users->setLoginThrottle(m_loginThrottle.get());
    m_totpSecrets = std::make_unique<SecretBox>(signingKey == SigningKey::Kept
                                                        ? loadOrCreateTotpKey()
                                                        : SecureRandom::bytes(SecretBox::KeyBytes));
    m_twoFactor
            = std::make_unique<TwoFactorService>(*m_database, *m_hasher, *m_totpSecrets, *m_auth,
                                                 *m_jobQueue, *m_principals, m_settings.totpIssuer);
    m_twoFactor->setLimits(m_signInLimits.get(), m_loginThrottle.get());
    m_sessions = std::make_unique<SessionService>(*m_database, *m_principals);
    m_sessionController = std::make_unique<SessionController>(*m_sessions);
    m_avatars = std::make_unique<AvatarService>(*m_database, *m_principals);
    m_avatarController = std::make_unique<AvatarController>(*m_avatars);
    m_activity = std::make_unique<ActivityService>(*m_database, *m_cursors);
    m_activityController = std::make_unique<ActivityController>(*m_activity);
    m_twoFactorController = std::make_unique<TwoFactorController>(*m_twoFactor);
    m_authController
            = std::make_unique<AuthController>(*m_auth, *m_accounts, *m_twoFactor, *m_signInLimits);
    m_accountController
            = std::make_unique<AccountController>(*m_auth, *m_accounts, *m_signInLimits);
    m_userController = std::make_unique<UserController>(*m_users, *m_signInLimits);
    JobRunner::Config jobs;
    jobs.threads = m_settings.jobThreads;
    jobs.policy = jobPolicy;
    // Jobs queued by other processes (servers sharing a PostgreSQL database, `tasklaned jobs
    // retry`) are not heard of: the runner looks at least once a lease.
    jobs.recheckSeconds = m_settings.jobLeaseSeconds;
    jobs.owner = JobRunner::makeOwnerName();
    m_jobRunner = std::make_unique<JobRunner>(*m_database, jobs, m_writes.get());
    m_notificationSettingsCache = std::make_unique<NotificationSettingsCache>(sharedLifetimeMs);
    m_database->addCommitObserver(
            [readers = m_taskReaders.get(), pages = m_taskPages.get(), runner = m_jobRunner.get(),
             settings = m_notificationSettingsCache.get()](Database::Change change, qint64 id) {
                if (change == Database::Change::Task)
                    readers->forget(id);
                else if (change == Database::Change::NotificationSettings)
                    settings->forget(id);
                else if (change == Database::Change::TaskReader)
                    pages->forgetUser(id);
                else if (change == Database::Change::Job)
                    runner->wake(QDateTime::fromMSecsSinceEpoch(id, QTimeZone::utc()));
            });
    m_dueAlerts = std::make_unique<DueAlertJob>(*m_database, *m_jobQueue,
                                                m_settings.dueSoonMinutes * 60);
    m_jobRunner->addHandler(DueAlertJob::Kind, [alerts = m_dueAlerts.get()](const Job &job) {
        return alerts->run(job);
    });
    m_digests = std::make_unique<DigestJob>(*m_database, *m_jobQueue);
    m_jobRunner->addHandler(DigestJob::Kind, [digests = m_digests.get()](const Job &job) {
        return digests->run(job);
    });
    m_tasks = std::make_unique<TaskService>(
            *m_database, *m_writes, m_taskCreates ? *m_taskCreates : *m_writes, *m_cursors,
            *m_attachmentFiles, *m_taskJson, *m_taskReaders, *m_reminders, *m_dueAlerts);
    m_tasks->setRefresher(m_cacheRefresher.get());
    m_tasks->setNotificationSettings(m_notificationSettingsCache.get());
    m_taskListing = std::make_unique<TaskListService>(*m_database, *m_cursors, *m_taskJson,
                                                      *m_taskPages, m_settings.cursorTtl);
    m_categories = std::make_unique<CategoryService>(*m_database, *m_writes);
    m_idempotency = std::make_unique<IdempotencyService>(*m_database, *m_writes,
                                                         m_settings.idempotencyKeyHours * 3600);
    m_taskController = std::make_unique<TaskController>(*m_tasks, *m_taskListing, *m_idempotency);
    m_accountClosure = std::make_unique<AccountClosureService>(
            *m_database, *m_accounts, *m_twoFactor, *m_tasks, *m_attachmentFiles, *m_principals);
    m_accountClosureController = std::make_unique<AccountClosureController>(*m_accountClosure);
    m_accountExport = std::make_unique<AccountExportService>(*m_database);
    m_userAdmin = std::make_unique<UserAdminService>(*m_database, *m_cursors, *m_accounts,
                                                     *m_jobQueue, *m_principals);
    m_userAdminController
            = std::make_unique<UserAdminController>(*m_userAdmin, *m_accountClosure, *m_auth);
    m_accountExportController = std::make_unique<AccountExportController>(*m_accountExport);
    m_cleanup = std::make_unique<CleanupJob>(
            *m_database, *m_auth, *m_idempotency, *m_taskListing, *m_tasks, *m_attachmentFiles,
            *m_logStore,
            CleanupJob::Periods{ m_settings.cleanupIntervalSeconds, m_settings.jobRetentionDays,
                                 m_settings.readNotificationRetentionDays,
                                 m_settings.trashRetentionDays, m_settings.eventRetentionDays,
                                 m_settings.rateLimitWindowSeconds, m_settings.lockoutMinutes * 60,
                                 m_settings.logRetentionDays, m_settings.logStoreMaxRecords,
                                 m_settings.activityRetentionDays });
    m_jobRunner->addHandler(CleanupJob::Kind, [cleanup = m_cleanup.get()](const Job &job) {
        return cleanup->run(job);
    });
    if (m_settings.smtpUrl.isEmpty()) {
        m_mailer = std::make_unique<OutboxMailer>(m_settings.dataDir + u"/outbox"_s);
    } else {
        QString error;
        auto smtp = SmtpConfig::parse(m_settings.smtpUrl, m_settings.smtpPassword,
                                      m_settings.smtpTls, m_settings.smtpCaFile, &error);
        if (!smtp) // checked with the settings already
            throw std::runtime_error(error.toStdString());
        m_mailer = std::make_unique<SmtpMailer>(*smtp);
    }
    m_noticeMailer = std::make_unique<NoticeMailer>(
            *m_mailer,
            MailSettings{ MailAddress{ m_settings.mailFrom, u"Tasklane"_s },
                          m_settings.publicUrl });
    m_reminderJob = std::make_unique<ReminderJob>(*m_database, *m_jobQueue, *m_noticeMailer);
    m_jobRunner->addBatchHandler(ReminderScheduler::Kind,
                                 [reminders = m_reminderJob.get()](const QList<Job> &due) {
                                     return reminders->runBatch(due);
                                 });
    m_emailJob = std::make_unique<EmailJob>(*m_database, *m_noticeMailer);
    m_jobRunner->addHandler(EmailJob::Kind,
                            [email = m_emailJob.get()](const Job &job) { return email->run(job); });
    m_accountMailJob = std::make_unique<AccountMailJob>(*m_database, *m_noticeMailer);
    m_jobRunner->addHandler(AccountMailJob::Kind, [mail = m_accountMailJob.get()](const Job &job) {
        return mail->run(job);
    });
    m_categoryController = std::make_unique<CategoryController>(*m_categories, *m_idempotency);
    m_notifications = std::make_unique<NotificationService>(*m_database, *m_writes, *m_cursors);
    // Web Push: a key that outlives restarts, like the signing key (made up for commands that
    // only list routes).
    const P256Key vapidKey
            = signingKey == SigningKey::Kept ? loadOrCreateVapidKey() : P256Key::generate();
    m_pushPolicy = std::make_unique<PushEndpointPolicy>(m_settings.pushAllowLoopback);
    m_pushSender = std::make_unique<PushSender>(*m_pushPolicy);
    m_pushJob = std::make_unique<PushJob>(*m_database, *m_pushSender, vapidKey,
                                          m_settings.vapidSubject, m_settings.publicUrl);
    m_jobRunner->addHandler(PushJob::Kind,
                            [push = m_pushJob.get()](const Job &job) { return push->run(job); });
    m_push = std::make_unique<PushService>(*m_database, *m_writes, *m_pushPolicy,
                                           vapidKey.publicBytes());
    m_pushController = std::make_unique<PushController>(*m_push);
    if (m_settings.smsUrl.isEmpty()) {
        m_sms = std::make_unique<OutboxSmsSender>(m_settings.dataDir + u"/sms-outbox"_s);
    } else {
        QString error;
        auto provider = SmsProviderConfig::parse(m_settings.smsUrl, m_settings.smsAccount,
                                                 m_settings.smsToken, m_settings.smsFrom, &error);
        if (!provider) // checked with the settings already
            throw std::runtime_error(error.toStdString());
        m_sms = std::make_unique<HttpSmsSender>(*provider);
    }
    m_smsJob = std::make_unique<SmsJob>(*m_database, *m_sms, m_settings.publicUrl);
    m_jobRunner->addHandler(SmsJob::Kind,
                            [sms = m_smsJob.get()](const Job &job) { return sms->run(job); });
    m_phones = std::make_unique<PhoneService>(*m_database, *m_writes, *m_sms);
    m_phoneController = std::make_unique<PhoneController>(*m_phones);
    m_notificationSettings
            = std::make_unique<NotificationSettingsService>(*m_database, *m_writes, *m_digests);
    m_notificationController
            = std::make_unique<NotificationController>(*m_notifications, *m_notificationSettings);
    m_operations = std::make_unique<OperationsService>(*m_database, *m_jobQueue, *m_cursors);
    m_adminController = std::make_unique<AdminController>(*m_operations);
    m_adminTaskController = std::make_unique<AdminTaskController>(*m_taskListing);
    m_realtime = std::make_unique<RealtimeService>(*m_database, *m_auth);
    m_realtimeController = std::make_unique<RealtimeController>(*m_realtime);
    m_attachments = std::make_unique<AttachmentService>(*m_database, *m_tasks, *m_attachmentFiles,
                                                        m_settings.attachmentQuotaBytes);
    m_attachmentController = std::make_unique<AttachmentController>(*m_attachments, *m_idempotency,
                                                                    m_settings.maxUploadBytes);
}

void ServerApp::registerRoutes(RouteTable &routes)
{
    m_healthController->registerRoutes(routes);
    m_authController->registerRoutes(routes);
    m_accountController->registerRoutes(routes);
    m_twoFactorController->registerRoutes(routes);
    m_sessionController->registerRoutes(routes);
    m_avatarController->registerRoutes(routes);
    m_activityController->registerRoutes(routes);
    m_userController->registerRoutes(routes);
    m_accountClosureController->registerRoutes(routes);
    m_accountExportController->registerRoutes(routes);
    m_userAdminController->registerRoutes(routes);
    m_logController->registerRoutes(routes);
    m_adminTaskController->registerRoutes(routes);
    m_taskController->registerRoutes(routes);
    m_categoryController->registerRoutes(routes);
    m_notificationController->registerRoutes(routes);
    m_pushController->registerRoutes(routes);
    m_phoneController->registerRoutes(routes);
    m_adminController->registerRoutes(routes);
    m_attachmentController->registerRoutes(routes);
    m_realtimeController->registerRoutes(routes);
}

void ServerApp::startRealtime()
{
    RealtimeHub::Parts parts;
    RealtimeOptions &options = parts.options;
    options.threads = m_settings.realtimeThreads;
    options.maxPerUser = m_settings.realtimeMaxPerUser;
    options.maxQueuedBytes = m_settings.realtimeMaxQueuedBytes;
    options.pingSeconds = m_settings.realtimePingSeconds;
    options.sseHeartbeatSeconds = m_settings.sseHeartbeatSeconds;
    // Each connection holds a descriptor: the cap leaves room for the HTTP connections, the
    // database's and the files a request opens.
    const qint64 files = FileLimit::current();
    const qint64 room = files - m_settings.maxConnections - 2 * m_settings.dbWriteThreads - 256;
    options.maxConnections = int(std::clamp<qint64>(room, 16, m_settings.realtimeMaxConnections));
    parts.database = m_database.get();
    parts.pools = m_pools.get();
    parts.service = m_realtime.get();
    parts.cors = m_cors.get();
    parts.listen = m_database->dialect() == SqlDialect::Postgres;
    m_realtimeHub = std::make_unique<RealtimeHub>(parts);
    m_database->addCommitObserver([hub = m_realtimeHub.get()](Database::Change change, qint64) {
        if (change == Database::Change::Event)
            hub->eventsCommitted();
    });
    m_realtimeHub->start();
    qCInfo(lcServer,
           "real time: up to %d connections (%d requested; open files limit %lld), %d "
           "event loops",
           options.maxConnections, m_settings.realtimeMaxConnections, files, options.threads);
}

bool ServerApp::startServing()
{
    WorkerPools::Limits poolLimits;
    poolLimits.databaseThreads = m_settings.dbThreads;
    poolLimits.databaseWriteThreads = m_settings.dbWriteThreads;
    poolLimits.hashingThreads = m_settings.hashThreads;
    poolLimits.databaseQueue = m_settings.dbQueueLimit;
    poolLimits.hashingQueue = m_settings.hashQueueLimit;
    poolLimits.queuedBodyBytes = m_settings.queueBodyBytes;
    m_pools = std::make_unique<WorkerPools>(poolLimits);
    // Entries near the end of their trusted time are read again on the database pool, bounded
    // by its queue and the refresher's own limit.
    m_cacheRefresher->setPost([pools = m_pools.get()](std::function<void()> task) {
        return pools->start(Executor::Database, std::move(task));
    });
    // Before serving: no upload of this process is under way yet.
    m_attachmentFiles->removeStaleTemporaries();
    startRealtime();
    HttpShard::Parts parts;
    parts.limits.maxHeaderCount = m_settings.maxHeaderCount;
    parts.limits.maxHeaderBytes = m_settings.maxHeaderBytes;
    parts.limits.maxBodyBytes = m_settings.maxBodyBytes;
    parts.limits.headerTimeoutMs = m_settings.headerTimeoutMs;
    parts.limits.idleTimeoutMs = m_settings.idleTimeoutMs;
    parts.limits.maxConnections = m_settings.maxConnections;
    parts.openConnections = std::make_shared<std::atomic<int>>(0);
    parts.pools = m_pools.get();
    parts.auth = m_auth.get();
    parts.cors = m_cors.get();
    parts.registerRoutes = [this](RouteTable &routes) { registerRoutes(routes); };
    parts.realtime = m_realtimeHub.get();
    parts.requestLimits = { m_trustedProxies.get(), m_signInLimits.get(), m_apiLimits.get() };
    // The first on this thread, the others on threads of their own, all on one port.
    for (int i = 0; i < std::max(1, m_settings.httpThreads); ++i) {
        m_shards.push_back(std::make_unique<HttpShard>(parts, i > 0));
        const quint16 port = i == 0 ? m_settings.listenPort : m_port;
        QString error;
        if (!m_shards.back()->listen(m_settings.listenAddress, port,
                                     i == 0 ? ConnectionGuard::PortUse::Claim
                                            : ConnectionGuard::PortUse::Join,
                                     &error)) {
            qCCritical(lcServer, "cannot listen on %s:%d: %s",
                       qUtf8Printable(m_settings.listenAddress.toString()), port,
                       qUtf8Printable(error));
            return false;
        }
        m_port = m_shards.back()->port();
    }

    const QString host = m_settings.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
            ? u'[' + m_settings.listenAddress.toString() + u']'
            : m_settings.listenAddress.toString();
    // From here what the log writes is kept for GET /admin/logs too.
    m_logStore->start();
    JsonLog::setSink(m_logSink.get());
    m_cleanup->schedule(*m_jobQueue);
    m_dueAlerts->schedule();
    qCInfo(lcServer, "email goes to %s", qUtf8Printable(m_mailer->destination()));
    qCInfo(lcServer, "text messages go to %s", qUtf8Printable(m_sms->destination()));
    m_jobRunner->start();
    m_serving = true;

    const QString url = u"http://%1:%2"_s.arg(host).arg(m_port);
    qCInfo(lcServer, "listening on %s (%d HTTP event loops, event dispatcher %s)",
           qUtf8Printable(url), int(m_shards.size()),
           QAbstractEventDispatcher::instance()->metaObject()->className());
    // The one line on stdout: people and test harnesses read the URL from it.
    std::printf("Tasklane listening on %s\n", qPrintable(url));
    std::fflush(stdout);
    return true;
}

void ServerApp::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_shards.empty() || !m_serving) {
        QCoreApplication::quit();
        return;
    }
    qCInfo(lcServer, "shutting down: %d requests in flight", inFlight());
    m_jobRunner->beginStop();
    m_realtimeHub->beginShutdown();
    for (const auto &shard : m_shards)
        shard->beginShutdown();
    // In flight: requests being handled, and requests still arriving (a body part-way up): they
    // are answered too, within the guard's timeouts, then their connections close.
    QElapsedTimer waiting;
    waiting.start();
    auto *poll = new QTimer(this);
    connect(poll, &QTimer::timeout, this, [this, poll, waiting] {
        // Real-time connections were told to close (1001): a moment for the close frames
        // and the streams' ends to go out.
        const bool realtimeGone
                = m_realtimeHub->connectionCount() == 0 || waiting.elapsed() > RealtimeCloseGraceMs;
        const bool done = inFlight() == 0 && realtimeGone
                && std::none_of(m_shards.begin(), m_shards.end(),
                                [](const auto &shard) { return shard->receiving(); });
        if (!done && waiting.elapsed() < ShutdownDeadlineMs)
            return;
        poll->stop();
        finishShutdown();
    });
    poll->start(10);
}

void ServerApp::finishShutdown()
{
    if (!m_pools || m_finishing)
        return;
    m_finishing = true;
    m_cacheRefresher->stop();
    // Workers end when ServerApp is destroyed; their database connections close now, each on
    // its own thread, while QtSql is surely alive (see runOnEachThread).
    m_pools->waitForDone();
    m_realtimeHub->stop(); // its threads end; what its connections still hold is freed
    m_pools->waitForDone();
    m_pools->runOnEachThread([db = m_database.get()] { db->closeThreadConnection(); });
    m_jobRunner->stop(JobStopWarningMs);
    // The log store's last records go in while the database is surely there; later lines are
    // in the log alone.
    JsonLog::setSink(nullptr);
    m_logStore->stop();
    m_database->closeThreadConnection();
    // The last answers may still sit in Qt's socket buffers: let them reach the kernel.
    QElapsedTimer flushing;
    flushing.start();
    auto *flushTimer = new QTimer(this);
    connect(flushTimer, &QTimer::timeout, this, [this, flushTimer, flushing] {
        bool flushed = true;
        for (const auto &shard : m_shards)
            flushed = shard->flushAll() && flushed;
        if (!flushed && flushing.elapsed() < 5000)
            return;
        flushTimer->stop();
        // The HTTP loops end here, each on its own thread, while everything they use is alive
        // and no worker runs: nothing of theirs is left for the destructors.
        m_shards.clear();
        qCInfo(lcServer, "stopped");
        JsonLog::flush(); // the log's last lines are out before anything else can go wrong
        QCoreApplication::quit();
    });
    flushTimer->start(10);
}

int ServerApp::inFlight() const
{
    int total = 0;
    for (const auto &shard : m_shards)
        total += shard->inFlight();
    return total;
}

} // namespace Tasklane
