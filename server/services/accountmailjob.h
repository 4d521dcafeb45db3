#pragma once

#include "jobrunner.h"
#include "mailcomposer.h"
#include "user.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;
class NoticeMailer;

// Sends the email about an account (kind "account_mail"): a verification link, a password
// reset link, the notice that an address signing up has an account already, the notice to an
// old address that the account's address is changing, the notices that two-step sign-in
// was turned on or off, the notice that sign-in is locked after repeated failures, and the
// invitation to an account an administrator made.
//
// A link's token is made here, when the message is sent, and only its hash is stored: no
// token is ever in a job's payload. Each token lives in its own transaction, committed before
// the message goes out, so a link that arrives works; a retry (a mail server's temporary
// refusal) makes a new token, which replaces the one before. The request that asked for a
// reset link (forgot-password) only queues this job with the address as typed: whether an
// account has it is found out here, in the background, so the request answers alike and in
// the same time either way. No account is sent more than MaxPerHour messages of one kind an
// hour (account_mail_log), so that nobody can flood a mailbox through these requests.
class AccountMailJob
{
public:
    static const QString Kind;

    // The payloads of the messages: what each request queues.
    static QJsonObject verifyEmail(qint64 userId, const QString &address);
    static QJsonObject resetPassword(const QString &typedEmail);
    static QJsonObject accountExists(qint64 userId);
    // Sent to `oldAddress` whatever the account's address is by the time the job runs.
    static QJsonObject emailChanging(qint64 userId, const QString &oldAddress,
                                     const QString &newAddress);

    // To the account's address: two-step sign-in was turned on or off.
    static QJsonObject twoFactorChanged(qint64 userId, bool enabled);
    // To the account's address: sign-in is locked for `minutes` after repeated failures.
    static QJsonObject accountLocked(qint64 userId, qint64 minutes);

    // To the account an administrator (`by`, their name) just made: a link to choose its
    // password, which also proves the address (a reset link that lives InvitationSeconds).
    static QJsonObject invited(qint64 userId, const QString &by);

    // The address a verification link is for now: the new one while a change is pending, else
    // the account's own until it is verified; empty when none waits.
    static QString addressAwaitingLink(const User &user);

    // Messages of one kind an account is sent within an hour at most (the rest are dropped).
    static constexpr int MaxPerHour = 5;
    // How long links work.
    static constexpr qint64 VerifyEmailSeconds = 24 * 3600;
    static constexpr qint64 ResetPasswordSeconds = 3600;
    static constexpr qint64 InvitationSeconds = 7 * 24 * 3600;

    AccountMailJob(const Database &database, const NoticeMailer &mail);
    JobResult run(const Job &job) const;

private:
    // A message decided on: to whom, what it says, and its place under the cap.
    struct Prepared
    {
        User recipient; // its email: where the message goes
        MailComposer::Mail mail;
        qint64 place = 0;
    };
    // In the caller's transaction, the account's row locked: nullopt when nothing is to be sent.
    std::optional<Prepared> prepare(const Job &job) const;

    const Database &m_database;
    const NoticeMailer &m_mail;
};

} // namespace Tasklane
