#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tasklane {

// One recorded account or task action: who did what to what, from where, and whether it
// worked. Never a password, token, code or secret: `details` holds names and ids only (the
// fields a change touched, how a second factor was given).
struct ActivityEntry
{
    qint64 id = 0;
    QDateTime at;
    qint64 userId = 0; // whose account the entry belongs to (0: none, as a login for no account)
    qint64 actorId = 0; // who acted (0: nobody known, or an account since deleted)
    QString action; // one of ActivityAction's names
    bool succeeded = true; // outcome "success" or "failure"
    QString targetType; // "user", "task", "session" (empty: none)
    qint64 targetId = 0;
    QString clientAddress;
    QString userAgent;
    QJsonObject details;

    QJsonObject toJson() const;
    static std::optional<ActivityEntry> fromJson(const QJsonObject &json);
};

// The actions recorded, by name ("user.login", "task.created", ...).
namespace ActivityAction {
inline const QString SignedUp = QStringLiteral("user.signed_up");
inline const QString LoggedIn = QStringLiteral("user.logged_in");
inline const QString LoginFailed = QStringLiteral("user.login_failed");
inline const QString LoggedOut = QStringLiteral("user.logged_out");
inline const QString AccountLocked = QStringLiteral("user.locked");
inline const QString EmailVerified = QStringLiteral("user.email_verified");
inline const QString EmailChangeRequested = QStringLiteral("user.email_change_requested");
inline const QString EmailChanged = QStringLiteral("user.email_changed");
inline const QString PasswordChanged = QStringLiteral("user.password_changed");
inline const QString PasswordReset = QStringLiteral("user.password_reset");
inline const QString ProfileChanged = QStringLiteral("user.profile_changed");
inline const QString AvatarChanged = QStringLiteral("user.avatar_changed");
inline const QString AvatarRemoved = QStringLiteral("user.avatar_removed");
inline const QString TwoFactorEnabled = QStringLiteral("user.2fa_enabled");
inline const QString TwoFactorDisabled = QStringLiteral("user.2fa_disabled");
inline const QString RecoveryCodesRenewed = QStringLiteral("user.2fa_recovery_codes_renewed");
inline const QString SecondFactorFailed = QStringLiteral("user.2fa_failed");
inline const QString AccountDeactivated = QStringLiteral("user.deactivated");
inline const QString AccountDeleted = QStringLiteral("user.deleted"); // kept anonymised
inline const QString DataExported = QStringLiteral("user.data_exported");
inline const QString JobRetried = QStringLiteral("admin.job_retried"); // a dead job queued again
// An administrator changed an account (details: role and status from/to, two_factor_reset).
inline const QString UserChangedByAdmin = QStringLiteral("admin.user_changed");
// An administrator made an account (POST /admin/users; details: role).
inline const QString UserCreatedByAdmin = QStringLiteral("admin.user_created");
inline const QString UserDeletedByAdmin = QStringLiteral("admin.user_deleted"); // target: the id
inline const QString SessionEnded = QStringLiteral("session.ended");
inline const QString OtherSessionsEnded = QStringLiteral("session.others_ended");
inline const QString TaskCreated = QStringLiteral("task.created");
inline const QString TaskChanged = QStringLiteral("task.changed"); // details.action says how
inline const QString TaskDeleted = QStringLiteral("task.deleted"); // purged for good
inline const QString TaskShared = QStringLiteral("task.shared");
inline const QString TaskUnshared = QStringLiteral("task.unshared");

// Every name above, for filters to check against.
const QStringList &all();
} // namespace ActivityAction

} // namespace Tasklane
