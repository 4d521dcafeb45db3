#include "attachmentstore.h"

#include "securerandom.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAttachments, "tasklane.attachments")

namespace Tasklane {

namespace {

constexpr qsizetype StoredNameLength = 32;

[[noreturn]] void fail(const QString &what, const QString &path, int error)
{
    const bool full = error == ENOSPC || error == EDQUOT || error == EFBIG;
    throw AttachmentStoreError(
            full ? AttachmentStoreError::Kind::NoSpace : AttachmentStoreError::Kind::Storage,
            u"%1 %2: %3"_s.arg(what, path, QString::fromLocal8Bit(std::strerror(error))));
}

QString randomHex()
{
    return QString::fromLatin1(SecureRandom::bytes(StoredNameLength / 2).toHex());
}

// Opens `path` and syncs it (a file's data, or a folder's entries); false with errno set.
bool syncPath(const QByteArray &path, int flags)
{
    const int fd = ::open(path.constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    errno = error;
    return synced;
}

} // namespace

AttachmentStore::AttachmentStore(const QString &folder) : m_folder(QDir::cleanPath(folder)) { }

bool AttachmentStore::isValidStoredName(QStringView name)
{
    return name.size() == StoredNameLength && std::all_of(name.begin(), name.end(), [](QChar ch) {
               return (ch >= u'0' && ch <= u'9') || (ch >= u'a' && ch <= u'f');
           });
}

QString AttachmentStore::pathOf(const QString &storedName) const
{
    if (!isValidStoredName(storedName))
        throw AttachmentStoreError(
                AttachmentStoreError::Kind::InvalidName,
                u"not a stored attachment name (%1 characters)"_s.arg(storedName.size()));
    return m_folder + u'/' + storedName;
}

void AttachmentStore::ensureFolder() const
{
    const QByteArray path = QFile::encodeName(m_folder);
    if (::mkdir(path.constData(), 0700) == 0 || errno == EEXIST) {
        struct stat info = {};
        if (::stat(path.constData(), &info) != 0)
            fail(u"cannot inspect the attachment folder"_s, m_folder, errno);
        if (!S_ISDIR(info.st_mode))
            fail(u"the attachment folder is not a folder:"_s, m_folder, ENOTDIR);
        return;
    }
    if (errno != ENOENT)
        fail(u"cannot create the attachment folder"_s, m_folder, errno);
    // Its parent is missing too (a data folder made elsewhere): make the parents, then it.
    const QString parent = QFileInfo(m_folder).path();
    if (!QDir().mkpath(parent))
        fail(u"cannot create the parent of the attachment folder"_s, parent, ENOENT);
    if (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST)
        fail(u"cannot create the attachment folder"_s, m_folder, errno);
}

AttachmentStore::Stored AttachmentStore::store(QByteArrayView bytes) const
{
    ensureFolder();
    Stored stored;
    stored.storedName = randomHex();
    stored.size = bytes.size();
    stored.sha256 = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());

    const QString temporary = m_folder + u'/' + TemporaryPrefix.toString() + randomHex();
    const QByteArray temporaryPath = QFile::encodeName(temporary);
    const QByteArray finalPath = QFile::encodeName(pathOf(stored.storedName));
    // O_EXCL: never someone else's file; O_NOFOLLOW: never through a planted link.
    const int fd = ::open(temporaryPath.constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        fail(u"cannot create"_s, temporary, errno);
    const auto abandon = [&](const QString &what, int error) {
        ::close(fd);
        ::unlink(temporaryPath.constData());
        fail(what, temporary, error);
    };
    const char *data = bytes.data();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, size_t(left));
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            abandon(u"cannot write"_s, errno);
        data += written;
        left -= written;
    }
    // The data reaches the disk before the name does: a crash leaves a whole file or none.
    if (::fsync(fd) != 0)
        abandon(u"cannot sync"_s, errno);
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporaryPath.constData());
        fail(u"cannot close"_s, temporary, error);
    }
    if (::rename(temporaryPath.constData(), finalPath.constData()) != 0) {
        const int error = errno;
        ::unlink(temporaryPath.constData());
        fail(u"cannot rename"_s, temporary, error);
    }
    // The rename itself is durable once the folder is synced; without that, the caller must
    // not record the file.
    if (!syncPath(QFile::encodeName(m_folder), O_RDONLY | O_DIRECTORY)) {
        const int error = errno;
        ::unlink(finalPath.constData());
        fail(u"cannot sync the folder"_s, m_folder, error);
    }
    return stored;
}

std::unique_ptr<QFile> AttachmentStore::open(const QString &storedName) const
{
    auto file = std::make_unique<QFile>(pathOf(storedName));
    if (file->open(QIODevice::ReadOnly))
        return file;
    if (!file->exists())
        return nullptr;
    throw AttachmentStoreError(AttachmentStoreError::Kind::Storage,
                               u"cannot open %1: %2"_s.arg(file->fileName(), file->errorString()));
}

bool AttachmentStore::remove(const QString &storedName) const
{
    if (!isValidStoredName(storedName)) {
        qCWarning(lcAttachments,
                  "refused to remove a file not named as stored attachments are "
                  "(%lld characters)",
                  qlonglong(storedName.size()));
        return false;
    }
    const QByteArray path = QFile::encodeName(m_folder + u'/' + storedName);
    if (::unlink(path.constData()) == 0 || errno == ENOENT)
        return true;
    qCWarning(lcAttachments, "cannot remove %s: %s", path.constData(), std::strerror(errno));
    return false;
}

int AttachmentStore::removeStaleTemporaries(std::chrono::seconds olderThan) const
{
    const QDir folder(m_folder);
    if (!folder.exists())
        return 0;
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-olderThan.count());
    int removed = 0;
    const QFileInfoList entries = folder.entryInfoList({ TemporaryPrefix.toString() + u'*' },
                                                       QDir::Files | QDir::Hidden | QDir::System);
    for (const QFileInfo &entry : entries) {
        if (entry.isSymLink() || entry.lastModified() > before)
            continue;
        if (::unlink(QFile::encodeName(entry.filePath()).constData()) == 0) {
            ++removed;
        } else {
            qCWarning(lcAttachments, "cannot remove %s: %s", qUtf8Printable(entry.filePath()),
                      std::strerror(errno));
        }
    }
    if (removed > 0)
        qCInfo(lcAttachments, "removed %d temporary files left by an earlier run", removed);
    return removed;
}

QStringList AttachmentStore::storedNamesOlderThan(std::chrono::seconds olderThan) const
{
    const QDir folder(m_folder);
    if (!folder.exists())
        return {};
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-olderThan.count());
    QStringList names;
    const QFileInfoList entries = folder.entryInfoList(QDir::Files | QDir::Hidden | QDir::System);
    for (const QFileInfo &entry : entries) {
        if (!entry.isSymLink() && isValidStoredName(entry.fileName())
            && entry.lastModified() <= before)
            names.append(entry.fileName());
    }
    return names;
}

} // namespace Tasklane
