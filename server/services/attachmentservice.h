#pragma once

#include "attachmentrepository.h"
#include "principal.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Tasklane {

class AttachmentStore;
class Database;
class TaskService;

// Files attached to tasks: reachable only through a task the caller can see; added and
// removed by its owner and editors. Each user's uploads count against their quota. The file is
// written (and synced) under a generated name before its row is committed, and deleted again
// if that commit fails; a removed attachment's file is deleted after its row's removal commits.
class AttachmentService
{
public:
    AttachmentService(const Database &database, const TaskService &tasks,
                      const AttachmentStore &files, qint64 quotaBytes);

    // The upload as received: the client's file name (sanitized here) and the bytes.
    Attachment add(const Principal &principal, qint64 taskId, const QString &fileName,
                   QByteArrayView bytes) const;
    QList<Attachment> list(const Principal &principal, qint64 taskId) const;
    // The attachment and its bytes.
    struct Download
    {
        Attachment attachment;
        QByteArray bytes;
    };
    Download download(const Principal &principal, qint64 taskId, qint64 attachmentId) const;
    void remove(const Principal &principal, qint64 taskId, qint64 attachmentId) const;

    qint64 quotaBytes() const { return m_quotaBytes; }

private:
    const Database &m_database;
    const TaskService &m_tasks;
    const AttachmentStore &m_files;
    qint64 m_quotaBytes;
};

} // namespace Tasklane
