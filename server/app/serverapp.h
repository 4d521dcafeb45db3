#pragma once

#include "settings.h"

#include "webpushcrypto.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace Tasklane {

class AdminController;
class AdminTaskController;
class LogController;
class LogStore;
class LogStoreSink;
class AccountController;
class LoginThrottle;
class MemoryRateLimiter;
class SecretBox;
class SessionController;
class AvatarController;
class ActivityController;
class ActivityService;
class AvatarService;
class SessionService;
class SignInLimits;
class TrustedProxies;
class TwoFactorController;
class TwoFactorService;
class AccountMailJob;
class AccountService;
class AuthController;
class AuthService;
class CacheRefresher;
class HealthController;
class HttpShard;
class RouteTable;
class UserController;
class AttachmentController;
class AttachmentService;
class AccountClosureController;
class AccountClosureService;
class AccountExportController;
class AccountExportService;
class AttachmentStore;
class UserAdminController;
class UserAdminService;
class CategoryController;
class CategoryService;
class CleanupJob;
class CommitGroup;
class CursorCodec;
class IdempotencyService;
class DigestJob;
class DueAlertJob;
class EmailJob;
class JobQueue;
class JobRunner;
class Mailer;
class NoticeMailer;
class NotificationController;
class NotificationService;
class NotificationSettingsService;
class PhoneController;
class PhoneService;
class PushController;
class PushEndpointPolicy;
class PushJob;
class PushSender;
class PushService;
class RealtimeController;
class RealtimeHub;
class RealtimeService;
class SmsJob;
class SmsSender;
class OperationsService;
class ReminderJob;
class ReminderScheduler;
class TaskController;
class TaskJsonCache;
class TaskReadersCache;
class NotificationSettingsCache;
class TaskListCache;
class TaskListService;
class TaskService;
class CorsPolicy;
class Database;
class JwtCodec;
class PasswordHasher;
class PasswordPolicy;
class PrincipalCache;
class UserService;
class WorkerPools;

// The pieces of tasklaned and their wiring, for every subcommand: storage, services, and for
// `serve` the HTTP stack. Members are declared in dependency order so they are destroyed in
// reverse: the worker pools (and their threads' database connections) go before the database.
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerSettings settings, QObject *parent = nullptr);
    ~ServerApp() override;

    // Where buildServices() takes the access tokens' signing key from (and the other keys kept
    // in the data folder: Web Push's, the one sealing 2FA secrets).
    enum class SigningKey {
        Kept, // the configured key, or else the one in the data folder (made on first use)
        Throwaway, // a random key of this process's own, for commands that sign nothing
    };

    // Opens the database and applies pending migrations. Throws on failure. Without migrations
    // nothing touches the disk or the database until a query runs (`tasklaned routes`).
    void openStorage(bool applyMigrations);
    void buildServices(SigningKey signingKey = SigningKey::Kept);
    // Adds every controller's routes (the server's whole API) to `routes`.
    void registerRoutes(RouteTable &routes);
    // Listens and serves until stop(); returns false (and logs why) if it cannot listen.
    bool startServing();
    // Graceful: stop accepting, finish what is in flight, then quit the event loop.
    void stop();

    const Database &database() const { return *m_database; }
    const AuthService &auth() const { return *m_auth; }
    const JobQueue &jobs() const { return *m_jobQueue; }
    quint16 port() const { return m_port; }
    // The server-wide body cap, for routes that declare none.
    qint64 maxBodyBytes() const { return m_settings.maxBodyBytes; }
    // The body cap of upload routes (Route::maxBodyBytes of an attachment upload).
    qint64 maxUploadBytes() const { return m_settings.maxUploadBytes; }

private:
    // The real-time layer (WebSocket, event streams, the event feed), before the HTTP loops.
    void startRealtime();
    QByteArray loadOrCreateSigningKey() const;
    // The configured VAPID key, or the one kept in the data folder (made on first start).
    P256Key loadOrCreateVapidKey() const;
    // The key sealing TOTP secrets: from the settings, else kept in the data folder.
    QByteArray loadOrCreateTotpKey() const;
    void finishShutdown();
    // Requests being handled on every HTTP event loop.
    int inFlight() const;

    ServerSettings m_settings;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<PasswordPolicy> m_policy;
    std::unique_ptr<JwtCodec> m_jwt;
    std::unique_ptr<PrincipalCache> m_principals;
    // Re-reads cache entries about to expire on the database pool (wired in startServing).
    std::unique_ptr<CacheRefresher> m_cacheRefresher;
    std::unique_ptr<AuthService> m_auth;
    std::unique_ptr<UserService> m_users;
    std::unique_ptr<CorsPolicy> m_cors;
    std::unique_ptr<AuthController> m_authController;
    std::unique_ptr<AccountService> m_accounts;
    std::unique_ptr<AccountController> m_accountController;
    std::unique_ptr<TrustedProxies> m_trustedProxies;
    std::unique_ptr<SignInLimits> m_signInLimits;
    std::unique_ptr<MemoryRateLimiter> m_apiLimits;
    std::unique_ptr<LoginThrottle> m_loginThrottle;
    std::unique_ptr<SessionService> m_sessions;
    std::unique_ptr<SessionController> m_sessionController;
    std::unique_ptr<AvatarService> m_avatars;
    std::unique_ptr<AvatarController> m_avatarController;
    std::unique_ptr<ActivityService> m_activity;
    std::unique_ptr<ActivityController> m_activityController;
    std::unique_ptr<SecretBox> m_totpSecrets;
    std::unique_ptr<TwoFactorService> m_twoFactor;
    std::unique_ptr<TwoFactorController> m_twoFactorController;
    std::unique_ptr<UserController> m_userController;
    std::unique_ptr<HealthController> m_healthController;
    std::unique_ptr<CommitGroup> m_writes;
    std::unique_ptr<CommitGroup> m_taskCreates; // PostgreSQL only; else m_writes
    std::unique_ptr<CursorCodec> m_cursors;
    // After m_writes and m_cursors, which it uses until it is destroyed.
    std::unique_ptr<LogStore> m_logStore;
    std::unique_ptr<LogStoreSink> m_logSink;
    std::unique_ptr<LogController> m_logController;
    std::unique_ptr<TaskJsonCache> m_taskJson;
    std::unique_ptr<TaskReadersCache> m_taskReaders;
    std::unique_ptr<NotificationSettingsCache> m_notificationSettingsCache;
    std::unique_ptr<TaskListCache> m_taskPages;
    std::unique_ptr<AttachmentStore> m_attachmentFiles;
    std::unique_ptr<TaskService> m_tasks;
    std::unique_ptr<TaskListService> m_taskListing;
    std::unique_ptr<CategoryService> m_categories;
    std::unique_ptr<IdempotencyService> m_idempotency;
    std::unique_ptr<TaskController> m_taskController;
    std::unique_ptr<AccountClosureService> m_accountClosure;
    std::unique_ptr<AccountClosureController> m_accountClosureController;
    std::unique_ptr<AccountExportService> m_accountExport;
    std::unique_ptr<AccountExportController> m_accountExportController;
    std::unique_ptr<UserAdminService> m_userAdmin;
    std::unique_ptr<UserAdminController> m_userAdminController;
    std::unique_ptr<CategoryController> m_categoryController;
    std::unique_ptr<AttachmentService> m_attachments;
    std::unique_ptr<AttachmentController> m_attachmentController;
    std::unique_ptr<JobQueue> m_jobQueue;
    std::unique_ptr<ReminderScheduler> m_reminders;
    std::unique_ptr<Mailer> m_mailer;
    std::unique_ptr<NoticeMailer> m_noticeMailer;
    std::unique_ptr<ReminderJob> m_reminderJob;
    std::unique_ptr<EmailJob> m_emailJob;
    std::unique_ptr<AccountMailJob> m_accountMailJob;
    std::unique_ptr<DueAlertJob> m_dueAlerts;
    std::unique_ptr<DigestJob> m_digests;
    std::unique_ptr<NotificationSettingsService> m_notificationSettings;
    std::unique_ptr<PushEndpointPolicy> m_pushPolicy;
    std::unique_ptr<PushSender> m_pushSender;
    std::unique_ptr<PushJob> m_pushJob;
    std::unique_ptr<PushService> m_push;
    std::unique_ptr<PushController> m_pushController;
    std::unique_ptr<SmsSender> m_sms;
    std::unique_ptr<SmsJob> m_smsJob;
    std::unique_ptr<PhoneService> m_phones;
    std::unique_ptr<PhoneController> m_phoneController;
    std::unique_ptr<NotificationService> m_notifications;
    std::unique_ptr<NotificationController> m_notificationController;
    std::unique_ptr<OperationsService> m_operations;
    std::unique_ptr<AdminController> m_adminController;
    std::unique_ptr<AdminTaskController> m_adminTaskController;
    std::unique_ptr<RealtimeService> m_realtime;
    std::unique_ptr<RealtimeController> m_realtimeController;
    std::unique_ptr<CleanupJob> m_cleanup;
    std::unique_ptr<JobRunner> m_jobRunner; // started by startServing
    std::unique_ptr<WorkerPools> m_pools;
    std::unique_ptr<RealtimeHub> m_realtimeHub; // made by startServing
    std::vector<std::unique_ptr<HttpShard>> m_shards; // HTTP event loops, the first on this one
    quint16 m_port = 0;
    bool m_stopping = false;
    bool m_finishing = false;
    bool m_serving = false;
};

} // namespace Tasklane
