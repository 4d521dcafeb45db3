#pragma once

#include "task.h"

#include <QList>
#include <QSet>
#include <QStringList>

#include <optional>

namespace Tasklane {

class Database;

// An attachment row with the name of its file in the attachment folder.
struct AttachmentRecord
{
    Attachment attachment;
    QString storedName;
};

// All SQL of the attachments table. Access to the task is the service's check; these queries
// only ever look inside one task.
class AttachmentRepository
{
public:
    explicit AttachmentRepository(const Database &database) : m_database(database) { }

    Attachment insert(const AttachmentRecord &record) const;
    QList<Attachment> forTask(qint64 taskId) const;
    // The attachments of every task `ownerId` owns, by task and id (a data export).
    QList<Attachment> forOwner(qint64 ownerId) const;
    std::optional<AttachmentRecord> find(qint64 taskId, qint64 attachmentId) const;
    bool remove(qint64 taskId, qint64 attachmentId) const;
    // The stored file names of a task's attachments (to delete after a purge commits).
    QStringList storedNamesOf(qint64 taskId) const;
    // Which of `names` an attachment names.
    QSet<QString> knownStoredNames(const QStringList &names) const;
    // The bytes of every attachment a user has uploaded (their quota's use).
    qint64 bytesUploadedBy(qint64 userId) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
