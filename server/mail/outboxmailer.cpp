#include "outboxmailer.h"

#include "mailmessage.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

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

void OutboxMailer::makeFolder() const
{
    if (m_folderMade.load(std::memory_order_acquire))
        return;
    if (!QDir().mkpath(m_folder))
        throw MailError(MailError::Kind::Temporary,
                        u"cannot create the outbox folder %1"_s.arg(m_folder));
    m_folderMade.store(true, std::memory_order_release);
}

void OutboxMailer::send(const MailMessage &message) const
{
    sendAll({ message });
}

void OutboxMailer::sendAll(const QList<MailMessage> &messages) const
{
    if (messages.isEmpty())
        return;
    makeFolder();
    struct Written
    {
        std::unique_ptr<QFile> file;
        QString path;
    };
    std::vector<Written> written;
    const auto fail = [&written](const QString &what, const QString &error) {
        for (const Written &each : written)
            each.file->remove();
        throw MailError(MailError::Kind::Temporary, u"cannot write %1: %2"_s.arg(what, error));
    };
    // Every file first, then every sync: the first sync commits the journal for all of them.
    for (const MailMessage &message : messages) {
        Written each{ std::make_unique<QFile>(), pathOf(message) };
        each.file->setFileName(each.path + u".tmp-"_s
                               + QString::number(QRandomGenerator::global()->generate64(), 36));
        if (!each.file->open(QIODevice::WriteOnly | QIODevice::NewOnly))
            fail(each.file->fileName(), each.file->errorString());
        QFile *file = each.file.get();
        written.push_back(std::move(each));
        const QByteArray bytes = message.toBytes();
        if (file->write(bytes) != bytes.size() || !file->flush())
            fail(file->fileName(), file->errorString());
    }
    for (const Written &each : written) {
        if (::fdatasync(each.file->handle()) != 0)
            fail(each.file->fileName(), QString::fromLocal8Bit(std::strerror(errno)));
        each.file->close();
    }
    // Renamed over a file of the same name (a message sent again), then the folder synced: the
    // names are on disk too.
    for (const Written &each : written) {
        if (::rename(QFile::encodeName(each.file->fileName()).constData(),
                     QFile::encodeName(each.path).constData())
            != 0)
            fail(each.path, QString::fromLocal8Bit(std::strerror(errno)));
    }
    const int folder
            = ::open(QFile::encodeName(m_folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0 || ::fsync(folder) != 0) {
        const QString error = QString::fromLocal8Bit(std::strerror(errno));
        if (folder >= 0)
            ::close(folder);
        throw MailError(MailError::Kind::Temporary,
                        u"cannot sync the outbox folder %1: %2"_s.arg(m_folder, error));
    }
    ::close(folder);
}

} // namespace Tasklane
