#pragma once

#include "authrequests.h"
#include "principal.h"
#include "user.h"
#include "userrepository.h"

namespace Tasklane {

class AccountService;
class Database;
class LoginThrottle;
class PasswordHasher;
class PasswordPolicy;
class PrincipalCache;

// One's own account: changing its name, email or password. Throws ApiError.
class UserService
{
public:
    UserService(const Database &database, const PasswordHasher &hasher,
                const PasswordPolicy &policy, PrincipalCache &principals,
                const AccountService &accounts);

    // True when the change needs the current password checked (and perhaps a new one hashed):
    // prepareChanges() then belongs on the hashing pool.
    static bool needsPasswordWork(const UpdateMeRequest &request);
    // Checks what the request may change and turns it into row changes, verifying the current
    // password and hashing a new one when asked to.
    UserRepository::Changes prepareChanges(const Principal &principal,
                                           const UpdateMeRequest &request) const;
    // Writes prepared changes in one transaction; a new password ends every other session, and
    // a new email address waits for its verification link (pending_email) before it takes
    // effect.
    User applyChanges(const Principal &principal, const UserRepository::Changes &changes) const;
    // Ends every session of a user (for a password reset or an administrator): revokes all of
    // its refresh tokens, and every access token issued until now stops working at once in
    // this process and within the principal cache's lifetime in others; a session started
    // after it returned is not affected. False when there is no such user.
    bool endAllSessions(qint64 userId) const;
    // Set while wiring: a wrong current password counts toward the account's lockout, and a
    // locked account cannot prove its password here either.
    void setLoginThrottle(const LoginThrottle *throttle) { m_throttle = throttle; }

private:
    // The activity log's entries of a change, in its transaction.
    void recordChanges(const Principal &principal, const UserRepository::Changes &changes,
                       qsizetype sessionsEnded) const;

    const Database &m_database;
    const PasswordHasher &m_hasher;
    const PasswordPolicy &m_policy;
    PrincipalCache &m_principals;
    const AccountService &m_accounts;
    const LoginThrottle *m_throttle = nullptr;
};

} // namespace Tasklane
