#pragma once

#include "mailcomposer.h"
#include "mailmessage.h"

#include <QString>

namespace Tasklane {

class Mailer;

// Who notification email comes from and where its links point (settings mail_from,
// public_url).
struct MailSettings
{
    MailAddress from;
    QString publicUrl; // links start with it, never with a request's Host
};

// Notification email, put together and sent: MailComposer's words in a message from the
// configured sender to one user, in their language, whose Message-ID is made from the stable uid
// of the job sending it (sent again after a crash, it is recognisably the same message). Used by
// EmailJob, and by the jobs that notify, which send their email at once when the mailer is local
// (sendsAtOnce). Thread-safe.
class NoticeMailer
{
public:
    NoticeMailer(const Mailer &mailer, MailSettings settings);

    // True when sending is a quick local write (the outbox folder), not a conversation with a
    // mail server that may take its time or fail for a while.
    bool sendsAtOnce() const;
    const MailComposer &composer() const { return m_composer; }

    // `mail` as a message to `recipient`, named `uid` (Message-ID uid@the sender's domain);
    // `late`: it went out after its time (X-Tasklane-Late).
    MailMessage message(const MailComposer::Mail &mail, const User &recipient, const QString &uid,
                        bool late) const;
    // Throws MailError when the message was not accepted.
    void send(const MailMessage &message) const;
    // Mailer::sendAll.
    void sendAll(const QList<MailMessage> &messages) const;

private:
    const Mailer &m_mailer;
    const MailSettings m_settings;
    const MailComposer m_composer;
};

} // namespace Tasklane
