#include "attachmentservice.h"

#include "apierror.h"
#include "attachmentstore.h"
#include "contentsniffer.h"
#include "database.h"
#include "filenames.h"
#include "taskservice.h"

#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAttachmentService, "tasklane.attachments")

namespace Tasklane {

namespace {
ApiError attachmentNotFound()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such attachment."_s);
}

ApiError overQuota(qint64 used, qint64 size, qint64 quota)
{
    return ApiError(ApiError::Kind::QuotaExceeded,
                    u"This file (%1 bytes) would take your attachments to %2 bytes, over your "
                    "quota of %3 bytes; delete some first."_s.arg(size)
                            .arg(used + size)
                            .arg(quota));
}

// Writes the upload's file; a full disk is the server's 507, anything else its 500.
AttachmentStore::Stored storeFile(const AttachmentStore &files, QByteArrayView bytes)
{
    try {
        return files.store(bytes);
    } catch (const AttachmentStoreError &error) {
        qCCritical(lcAttachmentService, "cannot store an upload: %s", error.what());
        if (error.kind() == AttachmentStoreError::Kind::NoSpace)
            throw ApiError(ApiError::Kind::InsufficientStorage,
                           u"The server has no room for this file now; try again later."_s);
        throw ApiError(ApiError::Kind::Internal, u"The server could not store the file."_s);
    }
}

QJsonObject summary(const Attachment &attachment)
{
    return { { u"id"_s, attachment.id },
             { u"file_name"_s, attachment.fileName },
             { u"size"_s, attachment.size } };
}
} // namespace

AttachmentService::AttachmentService(const Database &database, const TaskService &tasks,
                                     const AttachmentStore &files, qint64 quotaBytes)
    : m_database(database), m_tasks(tasks), m_files(files), m_quotaBytes(quotaBytes)
{ }

Attachment AttachmentService::add(const Principal &principal, qint64 taskId,
                                  const QString &fileName, QByteArrayView bytes) const
{
    // Cheap refusals before the file is written: the task and the quota as they are now.
    const AttachmentRepository attachments(m_database);
    const TaskRecord visible = m_tasks.get(principal, taskId);
    if (int(visible.access) < int(TaskAccess::Edit))
        throw ApiError(ApiError::Kind::Forbidden, u"This task is shared with you to view only."_s);
    if (const qint64 used = attachments.bytesUploadedBy(principal.user.id);
        used + bytes.size() > m_quotaBytes)
        throw overQuota(used, bytes.size(), m_quotaBytes);

    const AttachmentStore::Stored file = storeFile(m_files, bytes);
    Attachment stored;
    try {
        m_tasks.write(taskId, [&] {
            const TaskRecord task
                    = m_tasks.loadForWrite(principal, taskId, TaskAccess::Edit, std::nullopt);
            if (task.task.trashedAt.isValid())
                throw ApiError(ApiError::Kind::Conflict,
                               u"This task is in the trash; restore it first."_s);
            // Again inside the write: two uploads at once must not both fit a quota for one.
            if (const qint64 used = attachments.bytesUploadedBy(principal.user.id);
                used + file.size > m_quotaBytes)
                throw overQuota(used, file.size, m_quotaBytes);
            AttachmentRecord record;
            record.attachment.taskId = taskId;
            record.attachment.uploaderId = principal.user.id;
            record.attachment.fileName = sanitizeFileName(fileName);
            record.attachment.contentType = ContentSniffer::mimeType(bytes);
            record.attachment.size = file.size;
            record.attachment.sha256 = file.sha256;
            record.attachment.createdAt = QDateTime::currentDateTimeUtc();
            record.storedName = file.storedName;
            stored = attachments.insert(record);
            m_tasks.touch(principal, task, u"attachment_added"_s,
                          { { u"attachments"_s, QJsonValue(QJsonValue::Null), summary(stored) } });
        });
    } catch (...) {
        m_files.remove(file.storedName); // no row names it
        throw;
    }
    return stored;
}

QList<Attachment> AttachmentService::list(const Principal &principal, qint64 taskId) const
{
    m_tasks.get(principal, taskId);
    return AttachmentRepository(m_database).forTask(taskId);
}

AttachmentService::Download AttachmentService::download(const Principal &principal, qint64 taskId,
                                                        qint64 attachmentId) const
{
    m_tasks.get(principal, taskId);
    const auto record = AttachmentRepository(m_database).find(taskId, attachmentId);
    if (!record)
        throw attachmentNotFound();
    const std::unique_ptr<QFile> handle = m_files.open(record->storedName);
    std::optional<QByteArray> bytes;
    if (handle)
        bytes = handle->readAll();
    if (!bytes || bytes->size() != record->attachment.size) {
        qCCritical(lcAttachmentService, "the file of attachment %lld (%s) is missing or unreadable",
                   attachmentId, qUtf8Printable(record->storedName));
        throw ApiError(ApiError::Kind::Internal, u"The attachment's file cannot be read."_s);
    }
    return { record->attachment, std::move(*bytes) };
}

void AttachmentService::remove(const Principal &principal, qint64 taskId, qint64 attachmentId) const
{
    QString storedName;
    m_tasks.write(taskId, [&] {
        const TaskRecord task
                = m_tasks.loadForWrite(principal, taskId, TaskAccess::Edit, std::nullopt);
        const AttachmentRepository attachments(m_database);
        const auto record = attachments.find(taskId, attachmentId);
        if (!record)
            throw attachmentNotFound();
        attachments.remove(taskId, attachmentId);
        m_tasks.touch(principal, task, u"attachment_removed"_s,
                      { { u"attachments"_s, summary(record->attachment),
                          QJsonValue(QJsonValue::Null) } });
        storedName = record->storedName;
    });
    m_files.remove(storedName); // only once no row names it any more
}

} // namespace Tasklane
