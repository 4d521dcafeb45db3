#include "useradminservice.h"

#include "accountclosureservice.h"
#include "accountmailjob.h"
#include "accountservice.h"
#include "activitylog.h"
#include "apierror.h"
#include "cursorcodec.h"
#include "database.h"
#include "jobqueue.h"
#include "mfachallengerepository.h"
#include "principalcache.h"
#include "sessionending.h"
#include "sessionevents.h"
#include "twofactorrepository.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUserAdmin, "tasklane.admin")

namespace Tasklane {

namespace {
// What a cursor is bound to: the search that made it, as a digest (a cursor travels in URLs
// and access logs; the text searched for may be someone's address).
QString searchKey(const UserRepository::Search &search)
{
    const QJsonObject key{
        { u"q"_s, search.text },
        { u"r"_s, search.role ? roleToString(*search.role) : QString() },
        { u"s"_s, search.status ? accountStatusToString(*search.status) : QString() },
        { u"t"_s, search.twoFactor ? QJsonValue(*search.twoFactor) : QJsonValue() },
        { u"o"_s, int(search.sort) },
        { u"d"_s, search.descending }
    };
    return QString::fromLatin1(
            QCryptographicHash::hash(QJsonDocument(key).toJson(QJsonDocument::Compact),
                                     QCryptographicHash::Sha256)
                    .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

ApiError badCursor()
{
    return ApiError(ApiError::Kind::BadRequest, u"A query parameter is not valid; see errors."_s,
                    { { u"cursor"_s, u"invalid_value"_s,
                        u"Use the next_cursor of this same listing."_s } });
}

ApiError noSuchUser()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such user."_s);
}

QJsonObject fromTo(const QString &from, const QString &to)
{
    return { { u"from"_s, from }, { u"to"_s, to } };
}
} // namespace

UserAdminService::UserAdminService(const Database &database, const CursorCodec &cursors,
                                   const AccountService &accounts, const JobQueue &jobs,
                                   PrincipalCache &principals)
    : m_database(database), m_cursors(cursors), m_accounts(accounts), m_jobs(jobs),
      m_principals(principals)
{ }

Page<User> UserAdminService::list(const UserRepository::Search &search, const QString &cursor,
                                  int limit) const
{
    const QString key = searchKey(search);
    const UserRepository users(m_database);
    std::optional<User> after;
    if (!cursor.isEmpty()) {
        // Only the last row's id travels: its sort value is read again (a row gone meanwhile
        // ends the walk with a 400, as any cursor that no longer fits).
        const auto payload = m_cursors.decode(cursor);
        if (!payload || payload->value(u"f"_s).toString() != key)
            throw badCursor();
        const auto last = users.findById(payload->value(u"i"_s).toInteger());
        if (!last)
            throw badCursor();
        after = last->user;
    }
    Page<User> page;
    page.items = users.search(search, after, limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.nextCursor = m_cursors.encode({ { u"f"_s, key }, { u"i"_s, page.items.last().id } });
    }
    return page;
}

User UserAdminService::get(qint64 id) const
{
    const auto record = UserRepository(m_database).findById(id);
    if (!record)
        throw noSuchUser();
    return record->user;
}

User UserAdminService::create(const Principal &administrator, const AdminNewUser &account,
                              const QString &passwordHash) const
{
    const UserRepository users(m_database);
    Transaction transaction(m_database);
    const auto created
            = users.create(account.email, account.displayName, passwordHash, account.role);
    if (!created)
        throw ApiError(ApiError::Kind::Conflict, u"An account has this email address already."_s,
                       { { u"email"_s, u"taken"_s, u"This email is already registered."_s } });
    if (!account.language.isEmpty()) {
        UserRepository::Changes changes;
        changes.language = account.language;
        users.update(created->id, changes);
    }
    m_jobs.enqueue(AccountMailJob::Kind,
                   AccountMailJob::invited(created->id, administrator.user.displayName),
                   QDateTime::currentDateTimeUtc());
    ActivityEntry entry = ActivityLog::entry(ActivityAction::UserCreatedByAdmin, created->id,
                                             administrator.origin);
    entry.actorId = administrator.user.id;
    entry.targetType = u"user"_s;
    entry.targetId = created->id;
    entry.details = { { u"role"_s, roleToString(account.role) } };
    ActivityLog::record(m_database, entry);
    transaction.commit();
    qCInfo(lcUserAdmin, "administrator %lld made user %lld (%s)", administrator.user.id,
           created->id, qUtf8Printable(roleToString(account.role)));
    return get(created->id);
}

User UserAdminService::change(const Principal &administrator, qint64 id,
                              const AdminUserChanges &changes) const
{
    // Turning off one's own 2FA takes the password and a code (POST /auth/disable-2fa): a
    // stolen administrator's token must not do it here.
    if (changes.resetTwoFactor && id == administrator.user.id)
        throw ApiError(ApiError::Kind::Forbidden,
                       u"Turn your own two-factor authentication off with POST "
                       "/api/v1/auth/disable-2fa."_s);
    const UserRepository users(m_database);
    Transaction transaction(m_database);
    // The administrators' roster, then the account's: the order every writer of the roster keeps
    // (AccountClosureService), so that two changes at once wait instead of deadlocking.
    const QList<qint64> admins = users.lockActiveAdmins();
    const auto record = users.lockForWrite(id);
    if (!record)
        throw noSuchUser();
    const User before = record->user;
    const Role role = changes.role.value_or(before.role);
    const AccountStatus status = changes.status.value_or(before.status);
    if (role != Role::Admin || status != AccountStatus::Active)
        AccountClosureService::refuseLastAdmin(admins, before);

    QJsonObject details;
    if (role != before.role) {
        users.setRole(id, role);
        details.insert(u"role"_s, fromTo(roleToString(before.role), roleToString(role)));
    }
    if (status != before.status) {
        users.setStatus(id, status);
        details.insert(u"status"_s,
                       fromTo(accountStatusToString(before.status), accountStatusToString(status)));
        if (status != AccountStatus::Active) {
            SessionEnding::write(m_database, id);
            m_accounts.abandonPendingLinks(id);
        }
    }
    if (changes.resetTwoFactor && before.twoFactorEnabled) {
        TwoFactorRepository(m_database).clear(id);
        MfaChallengeRepository(m_database).revokeAll(id);
        m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::twoFactorChanged(id, false),
                       QDateTime::currentDateTimeUtc());
        details.insert(u"two_factor_reset"_s, true);
    }
    if (changes.requirePasswordChange && !before.passwordChangeRequired) {
        users.setPasswordChangeRequired(id, true);
        // Its open real-time connections close (they reopen only after the change).
        SessionEvents::tokensInvalidated(m_database, id, QDateTime::currentDateTimeUtc());
        details.insert(u"password_change_required"_s, true);
    }
    if (!details.isEmpty()) {
        ActivityEntry entry
                = ActivityLog::entry(ActivityAction::UserChangedByAdmin, id, administrator.origin);
        entry.actorId = administrator.user.id;
        entry.targetType = u"user"_s;
        entry.targetId = id;
        entry.details = details;
        ActivityLog::record(m_database, entry);
    }
    transaction.commit();
    m_principals.forgetUser(id);
    if (!details.isEmpty())
        qCInfo(lcUserAdmin, "administrator %lld changed user %lld: %s", administrator.user.id, id,
               qUtf8Printable(
                       QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))));
    return get(id);
}

} // namespace Tasklane
