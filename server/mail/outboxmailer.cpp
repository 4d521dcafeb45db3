#include "outboxmailer.h"

#include "mailmessage.h"

#include <QDir>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Tasklane {

OutboxMailer::OutboxMailer(QString folder) : m_folder(std::move(folder)) { }

QString OutboxMailer::destination() const
{
    return u"outbox folder "_s + QDir::toNativeSeparators(m_folder);
}

QString OutboxMailer::pathOf(const MailMessage &message) const
{
    // The Message-ID's safe characters only: it never names another folder.
    QString name;
    for (QChar c : message.messageId) {
        if (c.isLetterOrNumber() && c.unicode() < 0x80)
            name.append(c);
        else if (c == u'@' || c == u'.' || c == u'-' || c == u'_')
            name.append(c == u'.' ? u'_' : c);
    }
    return m_folder + u'/' + (name.isEmpty() ? u"message"_s : name) + u".eml"_s;
}

void OutboxMailer::send(const MailMessage &message) const
{
    if (!QDir().mkpath(m_folder))
        throw MailError(MailError::Kind::Temporary,
                        u"cannot create the outbox folder %1"_s.arg(m_folder));
    QSaveFile file(pathOf(message));
    if (!file.open(QIODevice::WriteOnly))
        throw MailError(MailError::Kind::Temporary,
                        u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString()));
    const QByteArray bytes = message.toBytes();
    if (file.write(bytes) != bytes.size() || !file.commit())
        throw MailError(MailError::Kind::Temporary,
                        u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString()));
}

} // namespace Tasklane
