#include "accountclosureservice.h"

#include "accounterasurerepository.h"
#include "accountservice.h"
#include "activitylog.h"
#include "apierror.h"
#include "attachmentstore.h"
#include "database.h"
#include "principalcache.h"
#include "sessionending.h"
#include "taskservice.h"
#include "twofactorservice.h"
#include "userrepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClosure, "tasklane.account")

namespace Tasklane {

AccountClosureService::AccountClosureService(const Database &database,
                                             const AccountService &accounts,
                                             const TwoFactorService &twoFactor,
                                             const TaskService &tasks, const AttachmentStore &files,
                                             PrincipalCache &principals)
    : m_database(database), m_accounts(accounts), m_twoFactor(twoFactor), m_tasks(tasks),
      m_files(files), m_principals(principals)
{ }

void AccountClosureService::checkPassword(const Principal &principal, const QString &password) const
{
    m_twoFactor.checkPassword(principal, password);
}

void AccountClosureService::refuseLastAdmin(const QList<qint64> &activeAdmins, const User &user)
{
    if (user.role != Role::Admin || user.status != AccountStatus::Active)
        return;
    if (activeAdmins.size() == 1 && activeAdmins.first() == user.id)
        throw ApiError(ApiError::Kind::Conflict,
                       u"This is the last active administrator: make another one first."_s,
                       { { u"role"_s, u"last_admin"_s,
                           u"At least one active administrator must remain."_s } });
}

void AccountClosureService::admit(const Principal &principal,
                                  const std::optional<SecondFactor> &factor,
                                  Transaction &transaction) const
{
    const UserRepository users(m_database);
    // The roster before one's own row, as every writer of it (UserRepository::lockActiveAdmins).
    const QList<qint64> admins = users.lockActiveAdmins();
    const auto record = users.lockForWrite(principal.user.id);
    if (!record)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);
    refuseLastAdmin(admins, record->user);
    m_twoFactor.requireFactorIfOn(principal, factor, transaction);
}

void AccountClosureService::deactivate(const Principal &principal,
                                       const std::optional<SecondFactor> &factor) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    admit(principal, factor, transaction);
    UserRepository(m_database).setStatus(userId, AccountStatus::Deactivated);
    SessionEnding::write(m_database, userId);
    // A link sent earlier would still reset the password or change the address.
    m_accounts.abandonPendingLinks(userId);
    ActivityLog::record(m_database,
                        ActivityLog::entry(ActivityAction::AccountDeactivated, principal));
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcClosure, "user %lld deactivated their account", userId);
}

void AccountClosureService::remove(const Principal &principal,
                                   const std::optional<SecondFactor> &factor) const
{
    Transaction transaction(m_database);
    admit(principal, factor, transaction);
    const QStringList files = erase(principal, 0);
    transaction.commit();
    forget(principal.user.id, files);
    qCInfo(lcClosure, "user %lld deleted their account (%lld attachment files)", principal.user.id,
           qint64(files.size()));
}

void AccountClosureService::removeByAdministrator(const Principal &administrator,
                                                  qint64 userId) const
{
    // One's own account goes with its password and second factor (DELETE /users/me).
    if (userId == administrator.user.id)
        throw ApiError(ApiError::Kind::Forbidden,
                       u"Delete your own account with DELETE /api/v1/users/me."_s);
    const UserRepository users(m_database);
    Transaction transaction(m_database);
    // The administrators' roster first, then the account's (as admit()).
    const QList<qint64> admins = users.lockActiveAdmins();
    const auto record = users.lockForWrite(userId);
    if (!record)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such user."_s);
    refuseLastAdmin(admins, record->user);
    Principal owner;
    owner.user = record->user;
    owner.origin = administrator.origin;
    const QStringList files = erase(owner, administrator.user.id);
    transaction.commit();
    forget(userId, files);
    qCInfo(lcClosure, "administrator %lld deleted user %lld (%lld attachment files)",
           administrator.user.id, userId, qint64(files.size()));
}

QStringList AccountClosureService::erase(const Principal &owner, qint64 administratorId) const
{
    const qint64 userId = owner.user.id;
    // Its real-time connections close everywhere (session events have no foreign key).
    SessionEnding::write(m_database, userId);
    const QStringList files = m_tasks.removeAllOf(owner);
    ActivityEntry deleted = ActivityLog::entry(administratorId ? ActivityAction::UserDeletedByAdmin
                                                               : ActivityAction::AccountDeleted,
                                               owner);
    if (administratorId)
        deleted.actorId = administratorId;
    deleted.targetType = u"user"_s;
    deleted.targetId = userId;
    ActivityLog::record(m_database, deleted);
    AccountErasureRepository(m_database).anonymiseActor(userId);
    UserRepository(m_database).remove(userId);
    return files;
}

void AccountClosureService::forget(qint64 userId, const QStringList &files) const
{
    m_principals.forgetUser(userId);
    // Only now: had the transaction failed, the rows would still name these files.
    for (const QString &name : files)
        m_files.remove(name);
}

} // namespace Tasklane
