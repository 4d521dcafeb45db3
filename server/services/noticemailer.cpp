#include "noticemailer.h"

#include "mailer.h"
#include "user.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Tasklane {

NoticeMailer::NoticeMailer(const Mailer &mailer, MailSettings settings)
    : m_mailer(mailer), m_settings(std::move(settings)), m_composer(m_settings.publicUrl)
{ }

bool NoticeMailer::sendsAtOnce() const
{
    return m_mailer.isLocal();
}

MailMessage NoticeMailer::message(const MailComposer::Mail &mail, const User &recipient,
                                  const QString &uid, bool late) const
{
    MailMessage message;
    message.from = m_settings.from;
    message.to = { recipient.email, recipient.displayName };
    message.subject = mail.subject;
    message.text = mail.text;
    message.html = mail.html;
    message.messageId = uid + u'@' + m_settings.from.domain();
    message.date = QDateTime::currentDateTimeUtc();
    message.language = recipient.language;
    if (late)
        message.extraHeaders.append({ "X-Tasklane-Late", u"yes"_s });
    return message;
}

void NoticeMailer::send(const MailMessage &message) const
{
    m_mailer.send(message);
}

void NoticeMailer::sendAll(const QList<MailMessage> &messages) const
{
    m_mailer.sendAll(messages);
}

} // namespace Tasklane
