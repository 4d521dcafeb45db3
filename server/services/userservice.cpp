#include "userservice.h"

#include "activitylog.h"

#include "accountservice.h"
#include "apierror.h"
#include "database.h"
#include "loginthrottle.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "sessionending.h"
#include "timezones.h"
#include "userrepository.h"

#include <QLoggingCategory>

#include <QJsonArray>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUsers, "tasklane.users")

namespace Tasklane {

namespace {
// The token is valid but its account has been deleted since it was issued.
ApiError userGone()
{
    return ApiError(ApiError::Kind::Unauthorized, u"The access token's user no longer exists."_s);
}
} // namespace

UserService::UserService(const Database &database, const PasswordHasher &hasher,
                         const PasswordPolicy &policy, PrincipalCache &principals,
                         const AccountService &accounts)
    : m_database(database), m_hasher(hasher), m_policy(policy), m_principals(principals),
      m_accounts(accounts)
{ }

bool UserService::needsPasswordWork(const UpdateMeRequest &request)
{
    return request.email.has_value() || request.newPassword.has_value();
}

UserRepository::Changes UserService::prepareChanges(const Principal &principal,
                                                    const UpdateMeRequest &request) const
{
    if (request.triesToChangeRole)
        throw ApiError(ApiError::Kind::Forbidden, u"You cannot change your own role."_s);
    // Asked for a new password: that comes first (with it, anything else may change too).
    if (principal.user.passwordChangeRequired && !request.newPassword)
        throw ApiError(ApiError::Kind::PasswordChangeRequired,
                       u"An administrator asks you to set a new password first: send "
                       "current_password and password."_s);

    UserRepository::Changes changes;
    changes.displayName = request.displayName;
    changes.email = request.email;
    changes.language = request.language;
    changes.bio = request.bio;
    changes.phone = request.phone;
    changes.locale = request.locale;
    // A locale chooses the language of the email too, unless the request names one: its own
    // language when the server writes it, English otherwise.
    if (request.locale && !request.language) {
        const QString primary = request.locale->section(u'-', 0, 0);
        changes.language = isSupportedLanguage(primary) ? primary : u"en"_s;
    }
    if (request.timeZone) {
        if (TimeZones::isKnown(*request.timeZone))
            changes.timeZone = *request.timeZone;
        else
            throw ApiError::validation({ { u"time_zone"_s, u"invalid_value"_s,
                                           u"This is not an IANA time zone name this server "
                                           "knows, such as Europe/Berlin or UTC."_s } });
    }
    if (!needsPasswordWork(request))
        return changes;

    const auto current = UserRepository(m_database).findById(principal.user.id);
    if (!current)
        throw userGone();
    if (m_throttle)
        m_throttle->checkAllowed(current->user.email, LoginThrottle::Caller::SignedIn);
    if (!m_hasher.verify(current->passwordHash, request.currentPassword.value_or(QString()))) {
        // A stolen session guessing the password is a sign-in attempt like any other.
        if (m_throttle)
            m_throttle->recordFailure(current->user.email, current->user.id);
        ActivityEntry failure
                = ActivityLog::entry(request.newPassword ? ActivityAction::PasswordChanged
                                                         : ActivityAction::EmailChangeRequested,
                                     principal);
        failure.succeeded = false;
        failure.details = { { u"reason"_s, u"wrong_current_password"_s } };
        ActivityLog::record(m_database, failure);
        throw ApiError::validation(
                { { u"current_password"_s, u"invalid"_s, u"The current password is wrong."_s } });
    }
    // The write happens later, on another thread: it must still find this password.
    changes.expectedPasswordHash = current->passwordHash;
    if (request.newPassword) {
        if (const FieldErrors errors = m_policy.check(u"password"_s, *request.newPassword);
            !errors.isEmpty())
            throw ApiError::validation(errors);
        // Asked for a new one: the current password (just verified) again is not.
        if (current->user.passwordChangeRequired && request.newPassword == request.currentPassword)
            throw ApiError::validation({ { u"password"_s, u"unchanged"_s,
                                           u"Choose a password other than the current one."_s } });
        changes.passwordHash = m_hasher.hash(*request.newPassword);
    }
    return changes;
}

User UserService::applyChanges(const Principal &principal,
                               const UserRepository::Changes &changes) const
{
    const UserRepository users(m_database);
    const qint64 id = principal.user.id;
    // A new address takes effect only once its link is followed (AccountService).
    UserRepository::Changes rowChanges = changes;
    rowChanges.email.reset();
    Transaction transaction(m_database);
    switch (users.update(id, rowChanges)) {
    case UserRepository::UpdateResult::Updated: break;
    case UserRepository::UpdateResult::NotFound:
        if (changes.expectedPasswordHash && users.findById(id))
            throw ApiError::validation({ { u"current_password"_s, u"invalid"_s,
                                           u"The password changed meanwhile; "
                                           "the current password is wrong."_s } });
        throw userGone();
    case UserRepository::UpdateResult::EmailTaken:
        throw ApiError(ApiError::Kind::Conflict, u"An account with this email already exists."_s,
                       { { u"email"_s, u"taken"_s, u"This email is already registered."_s } });
    }
    // A new password ends every other session (the one that changed it goes on), and the
    // links sent before.
    const QList<qint64> ended = changes.passwordHash
            ? SessionEnding::endOthers(m_database, id, principal.token.sessionId)
            : QList<qint64>();
    if (changes.passwordHash) {
        m_accounts.abandonPendingLinks(id);
        users.setPasswordChangeRequired(id, false);
    }
    if (changes.email) {
        const auto current = users.findById(id);
        if (!current)
            throw userGone();
        m_accounts.requestEmailChange(current->user, *changes.email);
    }
    recordChanges(principal, changes, ended.size());
    const auto updated = users.findById(id);
    transaction.commit();
    // After the commit: an authentication that read before it cannot cache what it read.
    m_principals.forgetUser(id);
    if (changes.passwordHash)
        qCInfo(lcUsers, "user %lld changed their password; %lld other sessions ended", id,
               qlonglong(ended.size()));
    if (!updated)
        throw userGone();
    return updated->user;
}

void UserService::recordChanges(const Principal &principal, const UserRepository::Changes &changes,
                                qsizetype sessionsEnded) const
{
    if (changes.passwordHash) {
        ActivityEntry entry = ActivityLog::entry(ActivityAction::PasswordChanged, principal);
        entry.details = { { u"other_sessions_ended"_s, qint64(sessionsEnded) } };
        ActivityLog::record(m_database, entry);
    }
    if (changes.email)
        ActivityLog::record(m_database,
                            ActivityLog::entry(ActivityAction::EmailChangeRequested, principal));
    // The profile's fields by name (their values are the user's to see on /users/me).
    QJsonArray fields;
    const User &before = principal.user; // as this request found it
    const auto differs = [](const std::optional<QString> &value, const QString &was) {
        return value && *value != was;
    };
    const std::pair<bool, const char *> profile[] = {
        { differs(changes.displayName, before.displayName), "display_name" },
        { differs(changes.timeZone, before.timeZone), "time_zone" },
        { differs(changes.language, before.language), "language" },
        { differs(changes.bio, before.bio), "bio" },
        { differs(changes.phone, before.phone), "phone" },
        { differs(changes.locale, before.locale), "locale" },
    };
    for (const auto &[changed, name] : profile) {
        if (changed)
            fields.append(QLatin1StringView(name));
    }
    if (!fields.isEmpty()) {
        ActivityEntry entry = ActivityLog::entry(ActivityAction::ProfileChanged, principal);
        entry.details = { { u"fields"_s, fields } };
        ActivityLog::record(m_database, entry);
    }
}

bool UserService::endAllSessions(qint64 userId) const
{
    Transaction transaction(m_database);
    const auto cutoff = SessionEnding::write(m_database, userId);
    if (!cutoff)
        return false;
    transaction.commit();
    m_principals.forgetUser(userId);
    SessionEnding::waitPast(*cutoff);
    qCInfo(lcUsers, "ended every session of user %lld", userId);
    return true;
}

} // namespace Tasklane
