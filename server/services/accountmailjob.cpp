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

AccountMailJob::AccountMailJob(const Database &database, const NoticeMailer &mail)
    : m_database(database), m_mail(mail)
{ }

JobResult AccountMailJob::run(const Job &job) const
{
    const QString kind = job.payload.value(MailKey).toString();
    const UserRepository users(m_database);
    std::optional<UserRecord> record;
    if (kind == ResetPassword)
        record = users.findByEmail(job.payload.value(u"email"_s).toString());
    else
        record = users.findById(job.payload.value(u"user_id"_s).toInteger());
    if (!record) {
        // Forgot-password for an address without an account ends here, without a message.
        qCDebug(lcAccountMail, "job %lld: no such account, nothing sent", job.id);
        return std::nullopt;
    }
    User recipient = record->user;
    const QString address = job.payload.value(u"address"_s).toString();
    // A link with a fresh token, whose hash is committed before the message goes out.
    // (Returns a QString, not the QStringBuilder of its `+`, which would outlive its parts.)
    const auto tokenLink
            = [&](AccountTokenPurpose purpose, qint64 seconds, const QString &page) -> QString {
        const QString token = SecureRandom::token(TokenBytes);
        Transaction transaction(m_database);
        AccountTokenRepository(m_database)
                .replace(recipient.id, purpose, sha256Hex(token.toUtf8()), recipient.email,
                         QDateTime::currentDateTimeUtc().addSecs(seconds));
        transaction.commit();
        QUrlQuery query;
        query.addQueryItem(u"token"_s, token);
        return m_mail.composer().accountLink(page) + u'?' + query.toString(QUrl::FullyEncoded);
    };

    // A verification link only while its address is still the one waiting: a later change, or
    // a link already followed, makes it pointless.
    if (kind == VerifyEmail
        && !((recipient.email == address && !recipient.emailVerified)
             || recipient.pendingEmail == address)) {
        qCInfo(lcAccountMail, "job %lld: user %lld no longer waits for this address", job.id,
               recipient.id);
        return std::nullopt;
    }
    // Anyone may ask for a reset link or sign up with an address: each account gets a few
    // messages of a kind an hour, however many clients ask. The message's place is taken
    // before it is written, and given back if the mail server does not take it.
    const AccountMailLogRepository sent(m_database);
    std::optional<qint64> place;
    {
        Transaction transaction(m_database);
        place = sent.reserve(recipient.id, kind, QDateTime::currentDateTimeUtc(), MaxPerHour);
        transaction.commit();
    }
    if (!place) {
        qCInfo(lcAccountMail, "job %lld: %s for user %lld held back: %d sent within the hour",
               job.id, qUtf8Printable(kind), recipient.id, MaxPerHour);
        return std::nullopt;
    }

    MailComposer::Mail mail;
    if (kind == VerifyEmail) {
        recipient.email = address;
        mail = m_mail.composer().accountNotice(AccountMail::VerifyEmail, recipient,
                                               tokenLink(AccountTokenPurpose::VerifyEmail,
                                                         VerifyEmailSeconds, u"/verify-email"_s));
    } else if (kind == ResetPassword) {
        mail = m_mail.composer().accountNotice(AccountMail::ResetPassword, recipient,
                                               tokenLink(AccountTokenPurpose::ResetPassword,
                                                         ResetPasswordSeconds,
                                                         u"/reset-password"_s));
    } else if (kind == AccountExists) {
        mail = m_mail.composer().accountNotice(
                AccountMail::AccountExists, recipient,
                m_mail.composer().accountLink(u"/forgot-password"_s));
    } else if (kind == EmailChanging) {
        // To the address the change was asked from: after the link is followed the account's
        // own is the new one, and the owner must hear of it where they can.
        recipient.email = job.payload.value(u"old_address"_s).toString();
        mail = m_mail.composer().accountNotice(AccountMail::EmailChanging, recipient,
                                               m_mail.composer().accountLink(u"/forgot-password"_s),
                                               address);
    } else {
        throw JobFailure(u"unknown account mail '%1'"_s.arg(kind), true);
    }

    // Each run's message is its own (a retry carries a new token), so each has its own id.
    MailMessage message = m_mail.message(mail, recipient,
                                         job.uid + u'.' + QString::number(job.attempts), false);
    // Mail filters (and tests) tell account mail from notifications by it.
    message.extraHeaders.append({ "X-Tasklane-Mail", u"account"_s });
    try {
        m_mail.send(message);
    } catch (const MailError &error) {
        sent.release(*place);
        throw JobFailure(QString::fromUtf8(error.what()), error.isPermanent());
    }
    qCInfo(lcAccountMail, "job %lld: sent %s to user %lld", job.id, qUtf8Printable(kind),
           recipient.id);
    return std::nullopt;
}

} // namespace Tasklane
