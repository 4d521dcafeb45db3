#include "twofactorservice.h"

#include "activitylog.h"

#include "accountmailjob.h"
#include "apierror.h"
#include "authservice.h"
#include "database.h"
#include "jobqueue.h"
#include "loginthrottle.h"
#include "mfachallengerepository.h"
#include "passwordhasher.h"
#include "principalcache.h"
#include "qrcodesvg.h"
#include "secretbox.h"
#include "securerandom.h"
#include "signinlimits.h"
#include "totp.h"
#include "twofactorrepository.h"
#include "userrepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTwoFactor, "tasklane.2fa")

namespace Tasklane {

namespace {
constexpr qsizetype ChallengeTokenBytes = 32; // 256 bits
constexpr qsizetype RecoveryCodeBytes = 10; // 80 bits: sixteen base32 characters
constexpr qsizetype RecoverySaltBytes = 16;

// What a sealed secret is bound to: the account's row, so that rows cannot be swapped.
QByteArray secretContext(qint64 userId)
{
    return "tasklane totp user " + QByteArray::number(userId);
}

QString recoveryHash(const QByteArray &salt, const QString &code)
{
    return sha256Hex(salt + code.toLatin1());
}

qint64 unixNow()
{
    return QDateTime::currentSecsSinceEpoch();
}

ApiError userGone()
{
    return ApiError(ApiError::Kind::Unauthorized, u"The access token's user no longer exists."_s);
}

ApiError wrongFactor(const SecondFactor &factor)
{
    const bool totp = factor.kind == SecondFactor::Kind::Totp;
    return ApiError::validation(
            { { totp ? u"code"_s : u"recovery_code"_s, u"invalid"_s,
                totp ? u"The code is wrong, or was used already."_s
                     : u"The recovery code is wrong, or was used already."_s } });
}
} // namespace

TwoFactorService::TwoFactorService(const Database &database, const PasswordHasher &hasher,
                                   const SecretBox &secrets, const AuthService &auth,
                                   const JobQueue &jobs, PrincipalCache &principals, QString issuer)
    : m_database(database), m_hasher(hasher), m_secrets(secrets), m_auth(auth), m_jobs(jobs),
      m_principals(principals), m_issuer(std::move(issuer))
{ }

void TwoFactorService::checkPassword(const Principal &principal, const QString &password) const
{
    const auto record = UserRepository(m_database).findById(principal.user.id);
    if (!record)
        throw userGone();
    admitProof(record->user.id, record->user.email, LoginThrottle::Caller::SignedIn);
    if (!m_hasher.verify(record->passwordHash, password)) {
        failedProof(record->user.id, record->user.email);
        throw ApiError::validation(
                { { u"password"_s, u"invalid"_s, u"The password is wrong."_s } });
    }
}

void TwoFactorService::admitProof(qint64 userId, const QString &email,
                                  LoginThrottle::Caller caller) const
{
    if (m_limits)
        m_limits->checkUser(userId);
    if (m_throttle)
        m_throttle->checkAllowed(email, caller);
}

void TwoFactorService::recordWrongFactor(const Principal &principal) const
{
    ActivityEntry entry = ActivityLog::entry(ActivityAction::SecondFactorFailed, principal);
    entry.succeeded = false;
    ActivityLog::record(m_database, entry);
}

void TwoFactorService::failedProof(qint64 userId, const QString &email) const
{
    if (m_throttle)
        m_throttle->recordFailure(email, userId);
}

TwoFactorSetup TwoFactorService::begin(const Principal &principal) const
{
    const qint64 userId = principal.user.id;
    const QByteArray secret = Totp::newSecret();
    Transaction transaction(m_database);
    const auto record = UserRepository(m_database).lockForWrite(userId);
    if (!record)
        throw userGone();
    if (record->user.twoFactorEnabled)
        throw ApiError(ApiError::Kind::Conflict,
                       u"Two-factor authentication is on already; turn it off first to set up "
                       "another authenticator."_s);
    TwoFactorRepository(m_database)
            .setPending(userId, m_secrets.seal(secret, secretContext(userId)));
    transaction.commit();
    qCInfo(lcTwoFactor, "user %lld: a 2FA secret waits for its first code", userId);

    TwoFactorSetup setup;
    setup.secret = Totp::base32(secret);
    setup.otpauthUri = Totp::provisioningUri(m_issuer, record->user.email, secret);
    setup.qrSvg = qrCodeSvg(setup.otpauthUri.toUtf8());
    return setup;
}

RecoveryCodes TwoFactorService::confirm(const Principal &principal, const QString &code) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    const auto record = UserRepository(m_database).lockForWrite(userId);
    if (!record)
        throw userGone();
    const TwoFactorRepository store(m_database);
    const auto totp = store.totpOf(userId);
    if (!totp || totp->enabled)
        throw ApiError(ApiError::Kind::Conflict,
                       totp ? u"Two-factor authentication is on already."_s
                            : u"No authenticator waits to be confirmed; POST /auth/enable-2fa "
                              "first."_s);
    const auto step = Totp::matchingStep(openSecret(userId, *totp), code, unixNow());
    if (!step) {
        qCInfo(lcTwoFactor, "user %lld: a wrong code to confirm 2FA", userId);
        recordWrongFactor(principal);
        transaction.commit(); // nothing else was written: the entry alone
        throw wrongFactor({ SecondFactor::Kind::Totp, code });
    }
    store.enable(userId, *step, QDateTime::currentDateTimeUtc());
    RecoveryCodes codes = replaceRecoveryCodes(userId);
    m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::twoFactorChanged(userId, true),
                   QDateTime::currentDateTimeUtc());
    ActivityLog::record(m_database,
                        ActivityLog::entry(ActivityAction::TwoFactorEnabled, principal));
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcTwoFactor, "user %lld: 2FA is on", userId);
    return codes;
}

void TwoFactorService::disable(const Principal &principal, const SecondFactor &factor) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    const StoredTotp totp = lockEnabled(userId);
    if (!spendFactor(userId, totp, factor)) {
        recordWrongFactor(principal);
        transaction.commit();
        failedProof(userId, principal.user.email);
        throw wrongFactor(factor);
    }
    TwoFactorRepository(m_database).clear(userId);
    MfaChallengeRepository(m_database).revokeAll(userId);
    m_jobs.enqueue(AccountMailJob::Kind, AccountMailJob::twoFactorChanged(userId, false),
                   QDateTime::currentDateTimeUtc());
    ActivityLog::record(m_database,
                        ActivityLog::entry(ActivityAction::TwoFactorDisabled, principal));
    transaction.commit();
    m_principals.forgetUser(userId);
    qCInfo(lcTwoFactor, "user %lld: 2FA is off", userId);
}

void TwoFactorService::requireFactorIfOn(const Principal &principal,
                                         const std::optional<SecondFactor> &factor,
                                         Transaction &transaction) const
{
    const qint64 userId = principal.user.id;
    const auto totp = TwoFactorRepository(m_database).totpOf(userId);
    if (!totp || !totp->enabled)
        return;
    if (!factor)
        throw ApiError::validation({ { u"code"_s, u"required"_s,
                                       u"Two-factor authentication is on: give code (from the "
                                       "authenticator) or recovery_code."_s } });
    if (!spendFactor(userId, *totp, *factor)) {
        recordWrongFactor(principal);
        transaction.commit();
        failedProof(userId, principal.user.email);
        throw wrongFactor(*factor);
    }
}

RecoveryCodes TwoFactorService::regenerateRecoveryCodes(const Principal &principal,
                                                        const SecondFactor &factor) const
{
    const qint64 userId = principal.user.id;
    Transaction transaction(m_database);
    const StoredTotp totp = lockEnabled(userId);
    if (!spendFactor(userId, totp, factor)) {
        recordWrongFactor(principal);
        transaction.commit();
        failedProof(userId, principal.user.email);
        throw wrongFactor(factor);
    }
    RecoveryCodes codes = replaceRecoveryCodes(userId);
    ActivityLog::record(m_database,
                        ActivityLog::entry(ActivityAction::RecoveryCodesRenewed, principal));
    transaction.commit();
    qCInfo(lcTwoFactor, "user %lld: new recovery codes", userId);
    return codes;
}

std::variant<TokenPair, MfaChallenge>
TwoFactorService::afterPassword(const UserRecord &checked, const RequestOrigin &origin) const
{
    const qint64 userId = checked.user.id;
    Transaction transaction(m_database);
    // Read again, locked: a reset or a change of password since the check (which a hash takes
    // tens of milliseconds to make) voids it, and 2FA turned on since then applies.
    const auto current = UserRepository(m_database).lockForWrite(userId);
    if (!current || current->passwordHash != checked.passwordHash)
        throw ApiError(ApiError::Kind::InvalidCredentials, u"The email or password is wrong."_s);
    // Deactivated or locked while the password was being checked.
    if (current->user.status != AccountStatus::Active)
        throw ApiError(ApiError::Kind::AccountInactive,
                       u"This account is deactivated or locked; an administrator can reopen it."_s);
    if (!current->user.twoFactorEnabled) {
        TokenPair tokens = m_auth.openSession(userId, origin);
        transaction.commit();
        return tokens;
    }
    const QString token = SecureRandom::token(ChallengeTokenBytes);
    MfaChallengeRepository(m_database)
            .insert(userId, sha256Hex(token.toUtf8()),
                    QDateTime::currentDateTimeUtc().addSecs(ChallengeSeconds));
    transaction.commit();
    return MfaChallenge{ token, ChallengeSeconds };
}

TokenPair TwoFactorService::completeLogin(const SecondFactorLoginRequest &request,
                                          const RequestOrigin &origin) const
{
    const QString hash = sha256Hex(request.mfaToken.toUtf8());
    const MfaChallengeRepository challenges(m_database);
    const ApiError invalidToken(ApiError::Kind::InvalidMfaToken,
                                u"The mfa_token is invalid, expired, used or out of tries; sign "
                                "in again."_s);
    const auto owner = challenges.ownerOf(hash);
    const auto account = owner ? UserRepository(m_database).findById(*owner) : std::nullopt;
    if (!account)
        throw invalidToken;
    // Counted before the transaction, so that a refusal inside it does not undo the count.
    admitProof(account->user.id, account->user.email, LoginThrottle::Caller::SigningIn);
    Transaction transaction(m_database);
    // The account's row before the challenge's, as everywhere (no lock cycle on PostgreSQL).
    if (!UserRepository(m_database).lockForWrite(*owner))
        throw invalidToken;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto attempt = challenges.attempt(hash, now, ChallengeAttempts);
    if (!attempt)
        throw invalidToken;
    const auto totp = TwoFactorRepository(m_database).totpOf(attempt->userId);
    if (!totp || !totp->enabled) // turned off since the password was checked
        throw invalidToken;
    if (!spendFactor(attempt->userId, *totp, request.factor)) {
        // Not attributed: the password is known, the person is not.
        ActivityEntry failure = ActivityLog::unattributedFailure(ActivityAction::SecondFactorFailed,
                                                                 attempt->userId, origin);
        failure.details = { { u"step"_s, u"login"_s } };
        ActivityLog::record(m_database, failure);
        transaction.commit(); // the try counts
        failedProof(attempt->userId, account->user.email);
        qCInfo(lcTwoFactor, "user %lld: a wrong second factor at sign-in", attempt->userId);
        throw ApiError(ApiError::Kind::InvalidSecondFactor,
                       u"The code is wrong, or was used already."_s);
    }
    if (!challenges.spend(attempt->id, now))
        throw invalidToken;
    TokenPair tokens = m_auth.openSession(
            attempt->userId, origin,
            { { u"second_factor"_s,
                request.factor.kind == SecondFactor::Kind::Totp ? u"totp"_s
                                                                : u"recovery_code"_s } });
    transaction.commit();
    if (m_throttle)
        m_throttle->recordSuccess(account->user.email);
    qCInfo(lcTwoFactor, "user %lld: signed in with a %s", attempt->userId,
           request.factor.kind == SecondFactor::Kind::Totp ? "TOTP code" : "recovery code");
    return tokens;
}

bool TwoFactorService::spendFactor(qint64 userId, const StoredTotp &totp,
                                   const SecondFactor &factor) const
{
    const TwoFactorRepository store(m_database);
    if (factor.kind == SecondFactor::Kind::Totp) {
        const auto step = Totp::matchingStep(openSecret(userId, totp), factor.value, unixNow());
        if (!step)
            return false;
        if (!store.acceptStep(userId, *step)) {
            qCWarning(lcTwoFactor, "user %lld: a code of a time step used before was refused",
                      userId);
            return false;
        }
        return true;
    }
    for (const StoredRecoveryCode &stored : store.unusedRecoveryCodes(userId)) {
        if (!constantTimeEquals(recoveryHash(stored.salt, factor.value).toLatin1(),
                                stored.codeHash.toLatin1()))
            continue;
        if (!store.spendRecoveryCode(stored.id, QDateTime::currentDateTimeUtc()))
            return false;
        qCInfo(lcTwoFactor, "user %lld: a recovery code was used", userId);
        return true;
    }
    return false;
}

RecoveryCodes TwoFactorService::replaceRecoveryCodes(qint64 userId) const
{
    RecoveryCodes shown;
    QList<StoredRecoveryCode> stored;
    for (int i = 0; i < RecoveryCodeCount; ++i) {
        const QString code = Totp::base32(SecureRandom::bytes(RecoveryCodeBytes)).toLower();
        const QByteArray salt = SecureRandom::bytes(RecoverySaltBytes);
        stored.append({ 0, salt, recoveryHash(salt, code) });
        shown.codes.append(formatRecoveryCode(code));
    }
    TwoFactorRepository(m_database)
            .replaceRecoveryCodes(userId, stored, QDateTime::currentDateTimeUtc());
    return shown;
}

StoredTotp TwoFactorService::lockEnabled(qint64 userId) const
{
    if (!UserRepository(m_database).lockForWrite(userId))
        throw userGone();
    const auto totp = TwoFactorRepository(m_database).totpOf(userId);
    if (!totp || !totp->enabled)
        throw ApiError(ApiError::Kind::Conflict, u"Two-factor authentication is off."_s);
    return *totp;
}

QByteArray TwoFactorService::openSecret(qint64 userId, const StoredTotp &totp) const
{
    const auto secret = m_secrets.open(totp.sealedSecret, secretContext(userId));
    if (!secret) {
        // The key changed, or the row was tampered with: no code can be checked.
        qCCritical(lcTwoFactor,
                   "user %lld: the 2FA secret does not open with this server's 2FA key", userId);
        throw ApiError(ApiError::Kind::Internal, u"The two-factor secret cannot be read."_s);
    }
    return *secret;
}

} // namespace Tasklane
