#include "outboxmailer.h"

#include "mailmessage.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

namespace {

// The folder, open for syncs of its file system and of its entries; closed when it goes.
class FolderHandle
{
public:
    explicit FolderHandle(const QString &folder)
        : m_fd(::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    { }
    ~FolderHandle()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FolderHandle(const FolderHandle &) = delete;
    FolderHandle &operator=(const FolderHandle &) = delete;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

QString lastError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

void OutboxMailer::sendAll(const QList<MailMessage> &messages) const
{
    if (messages.isEmpty())
        return;
    makeFolder();
    // Opened before any file is written: syncfs() reports the write-back errors of its file
    // system since then (Linux 5.8 and later).
    const FolderHandle folder(m_folder);
    if (folder.fd() < 0)
        throw MailError(MailError::Kind::Temporary,
                        u"cannot open the outbox folder %1: %2"_s.arg(m_folder, lastError()));
    struct Written
    {
        QString temporary;
        QString path;
    };
    std::vector<Written> written;
    const auto fail = [&written](const QString &what, const QString &error) {
        for (const Written &each : written)
            QFile::remove(each.temporary);
        throw MailError(MailError::Kind::Temporary, u"cannot write %1: %2"_s.arg(what, error));
    };
    for (const MailMessage &message : messages) {
        const QString path = pathOf(message);
        QFile file(path + u".tmp-"_s
                   + QString::number(QRandomGenerator::global()->generate64(), 36));
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
            fail(file.fileName(), file.errorString());
        written.push_back({ file.fileName(), path });
        const QByteArray bytes = message.toBytes();
        if (file.write(bytes) != bytes.size() || !file.flush())
            fail(file.fileName(), file.errorString());
    }
    // One sync of the file system for the whole batch, not one per file: each file's
    // fdatasync() writes its inode's block and flushes the disk's cache on its own (on ext4
    // without a journal, a synchronous write and a flush per message). syncfs() also writes
    // whatever else on that file system is dirty, which the kernel would write soon anyway.
    if (::syncfs(folder.fd()) != 0)
        fail(m_folder, lastError());
    // Only complete files get their names, renamed over a file of the same name (a message
    // sent again); then the folder is synced, so that the names are on disk too.
    for (const Written &each : written) {
        if (::rename(QFile::encodeName(each.temporary).constData(),
                     QFile::encodeName(each.path).constData())
            != 0)
            fail(each.path, lastError());
    }
    if (::fsync(folder.fd()) != 0)
        throw MailError(MailError::Kind::Temporary,
                        u"cannot sync the outbox folder %1: %2"_s.arg(m_folder, lastError()));
}

} // namespace Tasklane
