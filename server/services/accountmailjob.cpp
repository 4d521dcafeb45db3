#include "accountmailjob.h"

#include "accountmaillogrepository.h"
#include "accounttokenrepository.h"
#include "database.h"
#include "mailer.h"
#include "noticemailer.h"
#include "securerandom.h"
#include "userrepository.h"

#include <QLoggingCategory>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAccountMail, "tasklane.accountmail")

namespace Tasklane {

namespace {
constexpr qsizetype TokenBytes = 32; // 256 bits

const QString MailKey = u"mail"_s;
const QString VerifyEmail = u"verify_email"_s;
const QString ResetPassword = u"reset_password"_s;
const QString AccountExists = u"account_exists"_s;
const QString EmailChanging = u"email_changing"_s;
const QString TwoFactorEnabled = u"two_factor_enabled"_s;
const QString TwoFactorDisabled = u"two_factor_disabled"_s;
const QString AccountLocked = u"account_locked"_s;
const QString Invited = u"invited"_s;
} // namespace

const QString AccountMailJob::Kind = u"account_mail"_s;

QJsonObject AccountMailJob::verifyEmail(qint64 userId, const QString &address)
{
    return { { MailKey, VerifyEmail }, { u"user_id"_s, userId }, { u"address"_s, address } };
}

QJsonObject AccountMailJob::resetPassword(const QString &typedEmail)
{
    return { { MailKey, ResetPassword }, { u"email"_s, typedEmail } };
}

QJsonObject AccountMailJob::accountExists(qint64 userId)
{
    return { { MailKey, AccountExists }, { u"user_id"_s, userId } };
}

QJsonObject AccountMailJob::emailChanging(qint64 userId, const QString &oldAddress,
                                          const QString &newAddress)
{
    return { { MailKey, EmailChanging },
             { u"user_id"_s, userId },
             { u"old_address"_s, oldAddress },
             { u"address"_s, newAddress } };
}

QJsonObject AccountMailJob::twoFactorChanged(qint64 userId, bool enabled)
{
    return { { MailKey, enabled ? TwoFactorEnabled : TwoFactorDisabled },
             { u"user_id"_s, userId } };
}

QJsonObject AccountMailJob::accountLocked(qint64 userId, qint64 minutes)
{
    return { { MailKey, AccountLocked }, { u"user_id"_s, userId }, { u"minutes"_s, minutes } };
}

QJsonObject AccountMailJob::invited(qint64 userId, const QString &by)
{
    return { { MailKey, Invited }, { u"user_id"_s, userId }, { u"by"_s, by } };
}

QString AccountMailJob::addressAwaitingLink(const User &user)
{
    if (!user.pendingEmail.isEmpty())
        return user.pendingEmail;
    return user.emailVerified ? QString() : user.email;
}

AccountMailJob::AccountMailJob(const Database &database, const NoticeMailer &mail)
    : m_database(database), m_mail(mail)
{ }

std::optional<AccountMailJob::Prepared> AccountMailJob::prepare(const Job &job) const
{
    const QString kind = job.payload.value(MailKey).toString();
    const QString address = job.payload.value(u"address"_s).toString();
    const UserRepository users(m_database);
    qint64 userId = job.payload.value(u"user_id"_s).toInteger();
    if (kind == ResetPassword) {
        const auto found = users.findByEmail(job.payload.value(u"email"_s).toString());
        userId = found ? found->user.id : 0;
    }
    // Read again with the row locked: what the message says still holds when it commits (a
    // change of address committing meanwhile waits, or went first and is seen).
    const auto record = userId > 0 ? users.lockForWrite(userId) : std::nullopt;
    if (!record
        || (kind == ResetPassword
            && record->user.email != job.payload.value(u"email"_s).toString())) {
        // Forgot-password for an address without an account ends here, without a message.
        qCDebug(lcAccountMail, "job %lld: no such account, nothing sent", job.id);
        return std::nullopt;
    }
    if (record->user.status != AccountStatus::Active) {
        // Nothing reaches a closed account (a new password would not let it sign in either):
        // only an administrator reopens it.
        qCInfo(lcAccountMail, "job %lld: the account is %s, nothing sent", job.id,
               qUtf8Printable(accountStatusToString(record->user.status)));
        return std::nullopt;
    }
    Prepared prepared{ record->user, {}, 0 };
    User &recipient = prepared.recipient;
    // A verification link only for the address waiting: the new one while a change is pending,
    // else the account's own until it is verified. A later change, or a link followed, makes
    // the message pointless.
    if (kind == VerifyEmail && addressAwaitingLink(recipient) != address) {
        qCInfo(lcAccountMail, "job %lld: user %lld no longer waits for this address", job.id,
               recipient.id);
        return std::nullopt;
    }
    // Anyone may ask for a reset link or sign up with an address: each account gets a few
    // messages of a kind an hour, however many clients ask.
    const auto place
            = AccountMailLogRepository(m_database)
                      .reserve(recipient.id, kind, QDateTime::currentDateTimeUtc(), MaxPerHour);
    if (!place) {
        qCInfo(lcAccountMail, "job %lld: %s for user %lld held back: %d sent within the hour",
               job.id, qUtf8Printable(kind), recipient.id, MaxPerHour);
        return std::nullopt;
    }
    prepared.place = *place;

    // A fresh token, committed with the rest before the message goes out; only the newest of
    // its purpose works.
    const auto tokenLink
            = [&](AccountTokenPurpose purpose, qint64 seconds, const QString &page) -> QString {
        const QString token = SecureRandom::token(TokenBytes);
        AccountTokenRepository(m_database)
                .replace(recipient.id, purpose, sha256Hex(token.toUtf8()), recipient.email,
                         QDateTime::currentDateTimeUtc().addSecs(seconds));
        QUrlQuery query;
        query.addQueryItem(u"token"_s, token);
        return m_mail.composer().accountLink(page) + u'?' + query.toString(QUrl::FullyEncoded);
    };
    const MailComposer &composer = m_mail.composer();
    if (kind == VerifyEmail) {
        recipient.email = address;
        prepared.mail = composer.accountNotice(AccountMail::VerifyEmail, recipient,
                                               tokenLink(AccountTokenPurpose::VerifyEmail,
                                                         VerifyEmailSeconds, u"/verify-email"_s));
    } else if (kind == ResetPassword) {
        prepared.mail
                = composer.accountNotice(AccountMail::ResetPassword, recipient,
                                         tokenLink(AccountTokenPurpose::ResetPassword,
                                                   ResetPasswordSeconds, u"/reset-password"_s));
    } else if (kind == AccountExists) {
        prepared.mail = composer.accountNotice(AccountMail::AccountExists, recipient,
                                               composer.accountLink(u"/forgot-password"_s));
    } else if (kind == EmailChanging) {
        // To the address the change was asked from: once the link is followed the account's
        // own is the new one, and the owner must hear of it where they can.
        recipient.email = job.payload.value(u"old_address"_s).toString();
        prepared.mail
                = composer.accountNotice(AccountMail::EmailChanging, recipient,
                                         composer.accountLink(u"/forgot-password"_s), address);
    } else if (kind == TwoFactorEnabled || kind == TwoFactorDisabled) {
        prepared.mail
                = composer.accountNotice(kind == TwoFactorEnabled ? AccountMail::TwoFactorEnabled
                                                                  : AccountMail::TwoFactorDisabled,
                                         recipient, composer.accountLink(u"/forgot-password"_s));
    } else if (kind == AccountLocked) {
        prepared.mail = composer.accountNotice(
                AccountMail::AccountLocked, recipient, composer.accountLink(u"/forgot-password"_s),
                QString::number(job.payload.value(u"minutes"_s).toInteger()));
    } else if (kind == Invited) {
        // A reset link that lives longer: following it sets the first password and proves the
        // address. A forgot-password meanwhile replaces it, as any newer link does.
        prepared.mail = composer.accountNotice(AccountMail::Invited, recipient,
                                               tokenLink(AccountTokenPurpose::ResetPassword,
                                                         InvitationSeconds, u"/reset-password"_s),
                                               job.payload.value(u"by"_s).toString());
    } else {
        throw JobFailure(u"unknown account mail '%1'"_s.arg(kind), true);
    }
    return prepared;
}

JobResult AccountMailJob::run(const Job &job) const
{
    // What to send, its place under the cap and its token, in one transaction.
    std::optional<Prepared> prepared;
    {
        Transaction transaction(m_database);
        prepared = prepare(job);
        transaction.commit();
    }
    if (!prepared)
        return std::nullopt;
    // Each run's message is its own (a retry carries a new token), so each has its own id.
    MailMessage message = m_mail.message(prepared->mail, prepared->recipient,
                                         job.uid + u'.' + QString::number(job.attempts), false);
    // Mail filters (and tests) tell account mail from notifications by it.
    message.extraHeaders.append({ "X-Tasklane-Mail", u"account"_s });
    const auto giveBackPlace
            = [&] { AccountMailLogRepository(m_database).release(prepared->place); };
    try {
        m_mail.send(message);
    } catch (const MailError &error) {
        giveBackPlace();
        throw JobFailure(QString::fromUtf8(error.what()), error.isPermanent());
    } catch (...) {
        giveBackPlace();
        throw;
    }
    qCInfo(lcAccountMail, "job %lld: sent %s to user %lld", job.id,
           qUtf8Printable(job.payload.value(MailKey).toString()), prepared->recipient.id);
    return std::nullopt;
}

} // namespace Tasklane
