#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <chrono>
#include <memory>
#include <stdexcept>

class QFile;

namespace Tasklane {

// A failure of the attachment store. The message is fit for the log (it names paths, never a
// client's file name) and is never sent to a client: map NoSpace to 507, the rest to 500.
class AttachmentStoreError : public std::runtime_error
{
public:
    enum class Kind {
        NoSpace, // the disk or a quota is full, or the file is larger than the system allows
        Storage, // any other I/O failure: permissions, a missing folder, a broken disk
        InvalidName, // a stored name that is not one the store makes: corrupt data or a bug
    };

    AttachmentStoreError(Kind kind, const QString &message)
        : std::runtime_error(message.toStdString()), m_kind(kind)
    { }
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

// Uploaded files, one per stored name, in one folder of their own (created 0700 on the first
// store, so that merely constructing the store touches nothing). A file appears under its name
// only once it is whole and on disk: it is written to a temporary name in the same folder, synced,
// renamed, and the folder synced. A stored name is 32 random lowercase hex digits, and every
// name given back to the store is checked to be exactly that, so that no stored value can reach
// outside the folder. Safe from any thread: it keeps no state beyond the folder's path.
class AttachmentStore
{
public:
    // What store() wrote.
    struct Stored
    {
        QString storedName; // 32 lowercase hex digits
        qint64 size = 0;
        QString sha256; // lowercase hex
    };

    explicit AttachmentStore(const QString &folder);

    // Writes `bytes` to a new file (mode 0600); throws AttachmentStoreError, leaving nothing
    // behind, when it cannot.
    Stored store(QByteArrayView bytes) const;
    // The path of a stored file (whether or not it exists); throws InvalidName.
    QString pathOf(const QString &storedName) const;
    // The stored file opened for reading, or nullptr when there is none of that name; throws
    // InvalidName, or Storage when it exists but cannot be opened.
    std::unique_ptr<QFile> open(const QString &storedName) const;
    // Deletes a stored file; true when it is gone (or was never there). Never throws: it runs
    // after a commit, as cleanup; an invalid name or a failure is logged and gives false.
    bool remove(const QString &storedName) const;
    // Deletes temporary files left behind by a crash, last modified at least `olderThan` ago
    // (another process sharing the folder may be writing a younger one); returns how many.
    int removeStaleTemporaries(std::chrono::seconds olderThan = std::chrono::hours(1)) const;

    // The stored files last modified at least `olderThan` ago, by name (cleanup looks for
    // those no attachment names: an upload writes its file before its row commits).
    QStringList storedNamesOlderThan(std::chrono::seconds olderThan) const;

    // True for a name store() can have made: exactly 32 lowercase hex digits.
    static bool isValidStoredName(QStringView name);
    // Temporary files are named this prefix and random hex digits.
    static constexpr QStringView TemporaryPrefix = u"partial-";

    QString folder() const { return m_folder; }

private:
    // Creates the folder (0700) if it is missing; throws Storage when it cannot.
    void ensureFolder() const;

    QString m_folder;
};

} // namespace Tasklane
