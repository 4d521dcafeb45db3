#pragma once

#include "authrequests.h"
#include "principal.h"
#include "user.h"

namespace Tasklane {

class Database;
class PasswordHasher;
class PasswordPolicy;
class PrincipalCache;

// One's own account: reading it and changing its name, email or password. Throws ApiError.
class UserService
{
public:
    UserService(const Database &database, const PasswordHasher &hasher,
                const PasswordPolicy &policy, PrincipalCache &principals);

    User updateMe(const Principal &principal, const UpdateMeRequest &request) const;

private:
    const Database &m_database;
    const PasswordHasher &m_hasher;
    const PasswordPolicy &m_policy;
    PrincipalCache &m_principals;
};

} // namespace Tasklane
