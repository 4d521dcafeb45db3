#include "accountservice.h"

#include "activitylog.h"

#include "accountmailjob.h"
#include "accounttokenrepository.h"
#include "apierror.h"
#include "database.h"
#include "jobqueue.h"
#include "loginthrottlerepository.h"
#include "principalcache.h"
#include "securerandom.h"
#include "sessionending.h"
#include "userrepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAccounts, "tasklane.accounts")

namespace Tasklane {

namespace {
ApiError invalidToken()
{
    return ApiError(ApiError::Kind::InvalidAccountToken,
                    u"The link is invalid, already used, replaced by a newer one, or expired."_s);
}

// A link's token as stored: its SHA-256. Anything that is not 43 base64url characters cannot
// be one and is simply hashed like any other, matching nothing.
QString tokenHash(const QString &token)
{
    return sha256Hex(token.toUtf8());
}
} // namespace

AccountService::AccountService(const Database &database, const JobQueue &jobs,
                               PrincipalCache &principals)
    : m_database(database), m_jobs(jobs), m_principals(principals)
{ }

void AccountService::signUp(const QString &email, const QString &displayName,
                            const QString &passwordHash, const RequestOrigin &origin) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Transaction transaction(m_database);
    const UserRepository users(m_database);
    if (const auto created = users.create(email, displayName, passwordHash, Role::User)) {
        m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::verifyEmail(created->id, email), now);
        ActivityLog::record(m_database,
                            ActivityLog::entry(ActivityAction::SignedUp, created->id, origin));
        transaction.commit();
        qCInfo(lcAccounts, "user %lld signed up", created->id);
        return;
    }
    const auto existing = users.findByEmail(email);
    if (existing) {
        m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::accountExists(existing->user.id), now);
        // Someone, not the owner.
        ActivityLog::record(m_database,
                            ActivityLog::unattributedFailure(ActivityAction::SignedUp,
                                                             existing->user.id, origin));
    }
    transaction.commit();
    qCInfo(lcAccounts, "a sign-up for the address of an existing account (user %lld)",
           existing ? existing->user.id : 0);
}

QString AccountService::resendVerification(const Principal &principal) const
{
    const User &user = principal.user;
    const QString address = AccountMailJob::addressAwaitingLink(user);
    if (address.isEmpty())
        throw ApiError(ApiError::Kind::Conflict,
                       u"The email address is verified already, and no new one is waiting."_s);
    Transaction transaction(m_database);
    m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::verifyEmail(user.id, address),
                   QDateTime::currentDateTimeUtc());
    transaction.commit();
    return address;
}

std::optional<SpentAccountToken> AccountService::spendLocked(const QString &token,
                                                             AccountTokenPurpose purpose,
                                                             std::optional<UserRecord> *owner) const
{
    // The account's row first, then its token: every writer of a user's tokens locks in this
    // order (UserRepository::lockForWrite), so that none waits for another in a cycle.
    const AccountTokenRepository tokens(m_database);
    const QString hash = tokenHash(token);
    const auto userId = tokens.ownerOf(hash, purpose);
    if (!userId)
        return std::nullopt;
    *owner = UserRepository(m_database).lockForWrite(*userId);
    if (!*owner)
        return std::nullopt;
    return tokens.spend(hash, purpose, QDateTime::currentDateTimeUtc());
}

User AccountService::verifyEmail(const QString &token, const RequestOrigin &origin) const
{
    Transaction transaction(m_database);
    std::optional<UserRecord> before;
    const auto spent = spendLocked(token, AccountTokenPurpose::VerifyEmail, &before);
    if (!spent)
        throw invalidToken();
    const UserRepository users(m_database);
    switch (users.confirmEmail(spent->userId, spent->email)) {
    case UserRepository::UpdateResult::Updated: break;
    case UserRepository::UpdateResult::NotFound: throw invalidToken();
    case UserRepository::UpdateResult::EmailTaken:
        throw ApiError(ApiError::Kind::Conflict,
                       u"Another account uses this email address by now."_s,
                       { { u"email"_s, u"taken"_s, u"This email is already registered."_s } });
    }
    // Reset links went to the address before; one that changed leaves them behind.
    if (before && before->user.email != spent->email)
        AccountTokenRepository(m_database)
                .revokeAll(spent->userId, AccountTokenPurpose::ResetPassword);
    const auto updated = users.findById(spent->userId);
    ActivityLog::record(m_database,
                        ActivityLog::entry(before && before->user.email != spent->email
                                                   ? ActivityAction::EmailChanged
                                                   : ActivityAction::EmailVerified,
                                           spent->userId, origin));
    transaction.commit();
    m_principals.forgetUser(spent->userId);
    qCInfo(lcAccounts, "user %lld verified an email address", spent->userId);
    if (!updated)
        throw invalidToken();
    return updated->user;
}

void AccountService::forgotPassword(const QString &email) const
{
    Transaction transaction(m_database);
    m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::resetPassword(email),
                   QDateTime::currentDateTimeUtc());
    transaction.commit();
}

void AccountService::resetPassword(const QString &token, const QString &passwordHash,
                                   const RequestOrigin &origin) const
{
    Transaction transaction(m_database);
    std::optional<UserRecord> owner;
    const auto spent = spendLocked(token, AccountTokenPurpose::ResetPassword, &owner);
    if (!spent)
        throw invalidToken();
    const UserRepository users(m_database);
    UserRepository::Changes changes;
    changes.passwordHash = passwordHash;
    // Only while the link's address is still the account's: one sent to an address the account
    // has left proves nothing.
    changes.expectedEmail = spent->email;
    if (users.update(spent->userId, changes) != UserRepository::UpdateResult::Updated)
        throw invalidToken();
    // The link went to the account's address: following it proves that address too. Whatever
    // waited for a link (a new address, other reset links) is given up with the old password.
    users.markVerified(spent->userId, spent->email);
    abandonPendingLinks(spent->userId);
    users.setPasswordChangeRequired(spent->userId, false);
    // Proving the address lifts a lockout of sign-in at once.
    LoginThrottleRepository(m_database).clear(spent->email);
    const auto cutoff = SessionEnding::write(m_database, spent->userId);
    ActivityLog::record(m_database,
                        ActivityLog::entry(ActivityAction::PasswordReset, spent->userId, origin));
    transaction.commit();
    m_principals.forgetUser(spent->userId);
    if (cutoff)
        SessionEnding::waitPast(*cutoff);
    qCInfo(lcAccounts, "user %lld reset their password; every session ended", spent->userId);
}

void AccountService::requestEmailChange(const User &user, const QString &address) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // A link for an address asked for before (or the sign-up's own) stops working at once, not
    // only when the new link is made.
    AccountTokenRepository(m_database).revokeAll(user.id, AccountTokenPurpose::VerifyEmail);
    UserRepository(m_database)
            .setPendingEmail(user.id, address == user.email ? QString() : address);
    if (address == user.email) {
        if (!user.emailVerified) // back to the sign-up's address: it still needs its link
            m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::verifyEmail(user.id, address),
                           now);
        return;
    }
    m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::verifyEmail(user.id, address), now);
    m_jobs.enqueue(AccountMailJob::Kind,
                   AccountMailJob::emailChanging(user.id, user.email, address), now);
}

void AccountService::abandonPendingLinks(qint64 userId) const
{
    UserRepository(m_database).setPendingEmail(userId, QString());
    const AccountTokenRepository tokens(m_database);
    tokens.revokeAll(userId, AccountTokenPurpose::VerifyEmail);
    tokens.revokeAll(userId, AccountTokenPurpose::ResetPassword);
}

} // namespace Tasklane
