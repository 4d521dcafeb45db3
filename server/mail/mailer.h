#pragma once

#include "mailmessage.h"

#include <QList>
#include <QString>

#include <stdexcept>

namespace Tasklane {

// Why a message was not sent: Permanent when sending it again cannot help (the mail server
// refused it with a 5xx reply: no such mailbox, a policy), Temporary otherwise (a 4xx reply, a
// network failure, a timeout, a full disk), which is worth retrying.
class MailError : public std::runtime_error
{
public:
    enum class Kind { Temporary, Permanent };
    MailError(Kind kind, const QString &message, int replyCode = 0)
        : std::runtime_error(message.toStdString()), m_kind(kind), m_replyCode(replyCode)
    { }
    Kind kind() const { return m_kind; }
    bool isPermanent() const { return m_kind == Kind::Permanent; }
    int replyCode() const { return m_replyCode; } // the SMTP reply, 0 if none

private:
    Kind m_kind;
    int m_replyCode;
};

// Where notification email goes: an SMTP server (SmtpMailer) or, by default, files in an outbox
// folder (OutboxMailer). send() may be called from several threads at once.
class Mailer
{
public:
    virtual ~Mailer() = default;
    // Returns once the message is accepted; throws MailError otherwise.
    virtual void send(const MailMessage &message) const = 0;
    // Sends each of `messages`, returning once all are accepted; throws MailError at the first
    // that is not (those before it may have gone). One after the other, unless the mailer does
    // better (the outbox makes a batch of files durable together).
    virtual void sendAll(const QList<MailMessage> &messages) const
    {
        for (const MailMessage &message : messages)
            send(message);
    }
    // Where messages go, for the start-up log ("smtp://mail.example:587", "outbox /var/...").
    virtual QString destination() const = 0;
    // True when send() only writes on this machine, quickly and without a network in between
    // (the outbox folder): a job that notifies may then send its email itself rather than
    // queue an email job for it.
    virtual bool isLocal() const { return false; }
};

} // namespace Tasklane
