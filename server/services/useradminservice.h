#pragma once

#include "adminrequests.h"
#include "page.h"
#include "principal.h"
#include "userrepository.h"

namespace Tasklane {

class AccountService;
class CursorCodec;
class Database;
class JobQueue;
class PrincipalCache;

// Administration of accounts (issue 11, point 9): the directory (managers and administrators
// read it), accounts an administrator makes for people, and an administrator's changes to an
// account: its role, its status (a deactivated or
// locked account's sessions end and its pending links die), 2FA turned off. Nobody removes,
// deactivates, locks or demotes the last active administrator. Every change is an activity entry
// of the account, with the administrator as actor. Who may call what is declared at the routes.
// Throws ApiError.
class UserAdminService
{
public:
    UserAdminService(const Database &database, const CursorCodec &cursors,
                     const AccountService &accounts, const JobQueue &jobs,
                     PrincipalCache &principals);

    // `cursor`: a next_cursor of the same search.
    Page<User> list(const UserRepository::Search &search, const QString &cursor, int limit) const;
    // NotFound when there is no such account.
    User get(qint64 id) const;
    User change(const Principal &administrator, qint64 id, const AdminUserChanges &changes) const;
    // A new account for someone (`passwordHash`: AuthService::hashUnknowablePassword), who is
    // emailed a link to choose their password (AccountMailJob::invited); following it proves
    // the address. Conflict when the address has an account.
    User create(const Principal &administrator, const AdminNewUser &account,
                const QString &passwordHash) const;

private:
    const Database &m_database;
    const CursorCodec &m_cursors;
    const AccountService &m_accounts;
    const JobQueue &m_jobs;
    PrincipalCache &m_principals;
};

} // namespace Tasklane
