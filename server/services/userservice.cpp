#include "userservice.h"

#include "apierror.h"
#include "database.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"
#include "principalcache.h"
#include "refreshtokenrepository.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

UserService::UserService(const Database &database, const PasswordHasher &hasher,
                         const PasswordPolicy &policy, PrincipalCache &principals)
    : m_database(database), m_hasher(hasher), m_policy(policy), m_principals(principals)
{ }

User UserService::updateMe(const Principal &principal, const UpdateMeRequest &request) const
{
    if (request.triesToChangeRole)
        throw ApiError(ApiError::Kind::Forbidden, u"You cannot change your own role."_s);

    const UserRepository users(m_database);
    const auto current = users.findById(principal.user.id);
    if (!current)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);

    UserRepository::Changes changes;
    changes.displayName = request.displayName;
    changes.email = request.email;
    if (request.email || request.newPassword) {
        if (!m_hasher.verify(current->passwordHash, request.currentPassword.value_or(QString())))
            throw ApiError::validation({ { u"current_password"_s, u"invalid"_s,
                                           u"The current password is wrong."_s } });
    }
    if (request.newPassword) {
        if (const FieldErrors errors = m_policy.check(u"password"_s, *request.newPassword);
            !errors.isEmpty())
            throw ApiError::validation(errors);
        changes.passwordHash = m_hasher.hash(*request.newPassword);
    }

    Transaction transaction(m_database);
    if (!users.update(current->user.id, changes))
        throw ApiError(ApiError::Kind::Conflict, u"An account with this email already exists."_s,
                       { { u"email"_s, u"taken"_s, u"This email is already registered."_s } });
    // A new password ends every session that the old one opened.
    if (changes.passwordHash)
        RefreshTokenRepository(m_database).revokeAllOfUser(current->user.id);
    transaction.commit();
    m_principals.forgetUser(current->user.id);

    const auto updated = users.findById(current->user.id);
    return updated ? updated->user : current->user;
}

} // namespace Tasklane
