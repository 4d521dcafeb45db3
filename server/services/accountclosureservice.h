#pragma once

#include "principal.h"
#include "twofactor.h"

#include <optional>

namespace Tasklane {

class AccountService;
class AttachmentStore;
class Database;
class PrincipalCache;
class TaskService;
class Transaction;
class TwoFactorService;

// An owner closing their own account (issue 11, point 8): deactivating it (sign-in refused,
// sessions ended, until an administrator reactivates it) or deleting it (its tasks,
// attachments, notifications and shares go; its activity stays, anonymised). Both need the
// password, checked first on the hashing pool (TwoFactorService::checkPassword), and a second
// factor when 2FA is on. The last active administrator can do neither. Throws ApiError.
class AccountClosureService
{
public:
    AccountClosureService(const Database &database, const AccountService &accounts,
                          const TwoFactorService &twoFactor, const TaskService &tasks,
                          const AttachmentStore &files, PrincipalCache &principals);

    // On the hashing pool: the password is the account's (counted toward the lockout if not).
    void checkPassword(const Principal &principal, const QString &password) const;
    void deactivate(const Principal &principal, const std::optional<SecondFactor> &factor) const;
    void remove(const Principal &principal, const std::optional<SecondFactor> &factor) const;
    // DELETE /users/{id}: the same erasure by an administrator (NotFound when there is no such
    // account; the last active administrator stays).
    void removeByAdministrator(const Principal &administrator, qint64 userId) const;

    // Conflict when `user` is the one active administrator left of `activeAdmins` (read with
    // UserRepository::lockActiveAdmins in the caller's transaction). Administration uses it too.
    static void refuseLastAdmin(const QList<qint64> &activeAdmins, const User &user);

private:
    // In the caller's transaction, the account's row locked: its sessions end, its tasks and
    // everything of its own go, its activity stays anonymised (the entry of its deletion by
    // `administratorId`, 0: by its owner). The attachment files to remove once committed.
    QStringList erase(const Principal &owner, qint64 administratorId) const;
    // After the commit: caches forget the account, its files go.
    void forget(qint64 userId, const QStringList &files) const;
    // The account's row locked, the last admin refused and the second factor spent.
    void admit(const Principal &principal, const std::optional<SecondFactor> &factor,
               Transaction &transaction) const;

    const Database &m_database;
    const AccountService &m_accounts;
    const TwoFactorService &m_twoFactor;
    const TaskService &m_tasks;
    const AttachmentStore &m_files;
    PrincipalCache &m_principals;
};

} // namespace Tasklane
