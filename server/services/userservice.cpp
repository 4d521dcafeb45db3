#include "userservice.h"

#include "apierror.h"
#include "database.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "refreshtokenrepository.h"
#include "sessionevents.h"
#include "timezones.h"
#include "userrepository.h"

#include <QLoggingCategory>
#include <QThread>

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
                         const PasswordPolicy &policy, PrincipalCache &principals)
    : m_database(database), m_hasher(hasher), m_policy(policy), m_principals(principals)
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

    UserRepository::Changes changes;
    changes.displayName = request.displayName;
    changes.email = request.email;
    changes.language = request.language;
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
    if (!m_hasher.verify(current->passwordHash, request.currentPassword.value_or(QString())))
        throw ApiError::validation(
                { { u"current_password"_s, u"invalid"_s, u"The current password is wrong."_s } });
    // The write happens later, on another thread: it must still find this password.
    changes.expectedPasswordHash = current->passwordHash;
    if (request.newPassword) {
        if (const FieldErrors errors = m_policy.check(u"password"_s, *request.newPassword);
            !errors.isEmpty())
            throw ApiError::validation(errors);
        changes.passwordHash = m_hasher.hash(*request.newPassword);
    }
    return changes;
}

User UserService::applyChanges(const Principal &principal,
                               const UserRepository::Changes &changes) const
{
    const UserRepository users(m_database);
    const qint64 id = principal.user.id;
    Transaction transaction(m_database);
    switch (users.update(id, changes)) {
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
    // A new password ends every session that the old one opened.
    const auto cutoff = changes.passwordHash ? writeEndOfSessions(id) : std::optional<QDateTime>();
    const auto updated = users.findById(id);
    transaction.commit();
    // After the commit: an authentication that read before it cannot cache what it read.
    m_principals.forgetUser(id);
    if (cutoff)
        sessionsEnded(id, *cutoff);
    if (!updated)
        throw userGone();
    return updated->user;
}

bool UserService::endAllSessions(qint64 userId) const
{
    Transaction transaction(m_database);
    const auto cutoff = writeEndOfSessions(userId);
    if (!cutoff)
        return false;
    transaction.commit();
    m_principals.forgetUser(userId);
    sessionsEnded(userId, *cutoff);
    return true;
}

std::optional<QDateTime> UserService::writeEndOfSessions(qint64 userId) const
{
    // Tokens carry their issue time to the millisecond (iat_ms), so one issued by a login in
    // the same second after this moment stays valid while every earlier one does not.
    const QDateTime cutoff = QDateTime::currentDateTimeUtc();
    if (!UserRepository(m_database).invalidateTokensIssuedUntil(userId, cutoff))
        return std::nullopt;
    RefreshTokenRepository(m_database).revokeAllOfUser(userId);
    SessionEvents::tokensInvalidated(m_database, userId, cutoff);
    return cutoff;
}

void UserService::sessionsEnded(qint64 userId, const QDateTime &cutoff) const
{
    // A token issued in the cutoff's own millisecond cannot be told from one issued just before
    // the end, so it is refused with them. Waiting that millisecond out (at most one) means a
    // session this process starts once the end has returned is never caught by it.
    while (QDateTime::currentMSecsSinceEpoch() <= cutoff.toMSecsSinceEpoch())
        QThread::usleep(200);
    qCInfo(lcUsers, "ended every session of user %lld", userId);
}

} // namespace Tasklane
