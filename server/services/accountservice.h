#pragma once

#include "requestorigin.h"

#include "accounttokenrepository.h"
#include "principal.h"
#include "user.h"
#include "userrepository.h"

#include <QString>

namespace Tasklane {

class Database;
class JobQueue;
class PrincipalCache;

// Proving an address and recovering an account: sign-up that does not tell whether an address
// has an account, email verification, forgot-password and the reset it leads to. The links
// themselves are made and sent by AccountMailJob. Throws ApiError.
class AccountService
{
public:
    AccountService(const Database &database, const JobQueue &jobs, PrincipalCache &principals);

    // A new account for a prepared password hash, and its verification link; for an address
    // that has an account already, a notice to that account instead. Either way the caller
    // answers the same, and the same work (a hash, a transaction, a queued job) was done.
    // Both are in the activity log (a sign-up for a taken address, as a failure of its account).
    void signUp(const QString &email, const QString &displayName, const QString &passwordHash,
                const RequestOrigin &origin) const;
    // A new verification link for the account's unverified address (or its pending new one).
    // Conflict when there is nothing to verify. The address the link goes to.
    QString resendVerification(const Principal &principal) const;
    // Follows a verification link: the address it was sent to becomes the account's, verified
    // (an email change takes effect here). InvalidAccountToken when the token is unknown,
    // spent, replaced or expired; Conflict when another account took the address meanwhile.
    User verifyEmail(const QString &token, const RequestOrigin &origin) const;
    // Queues a reset link for the account of `email`, if there is one (found out by the job).
    void forgotPassword(const QString &email) const;
    // Follows a reset link: the new password (hashed already) replaces the old one, and every
    // session and refresh token of the account ends. InvalidAccountToken as verifyEmail.
    void resetPassword(const QString &token, const QString &passwordHash,
                       const RequestOrigin &origin) const;

    // In the caller's transaction: `address` is to become the account's once its link is
    // followed, and the current address is told (an email change, PATCH /users/me).
    void requestEmailChange(const User &user, const QString &address) const;
    // In the caller's transaction, when the password changes: a new address still waiting and
    // every unspent link (verification or reset) are given up.
    void abandonPendingLinks(qint64 userId) const;

private:
    // Spends a link's token in the caller's transaction, its account's row locked first;
    // nullopt when it cannot be spent. `owner`: the account as locked.
    std::optional<SpentAccountToken> spendLocked(const QString &token, AccountTokenPurpose purpose,
                                                 std::optional<UserRecord> *owner) const;

    const Database &m_database;
    const JobQueue &m_jobs;
    PrincipalCache &m_principals;
};

} // namespace Tasklane
