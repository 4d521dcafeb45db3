#include "attachmentrepository.h"

#include "database.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QString AttachmentColumns
        = u"id, task_id, uploader_id, file_name, content_type, size, sha256, created_at, "
          "stored_name"_s;

AttachmentRecord toRecord(const QSqlRecord &row)
{
    AttachmentRecord record;
    Attachment &attachment = record.attachment;
    attachment.id = row.value(0).toLongLong();
    attachment.taskId = row.value(1).toLongLong();
    attachment.uploaderId = row.value(2).toLongLong();
    attachment.fileName = row.value(3).toString();
    attachment.contentType = row.value(4).toString();
    attachment.size = row.value(5).toLongLong();
    attachment.sha256 = row.value(6).toString();
    attachment.createdAt = Database::readTime(row.value(7));
    record.storedName = row.value(8).toString();
    return record;
}
} // namespace

Attachment AttachmentRepository::insert(const AttachmentRecord &record) const
{
    const Attachment &attachment = record.attachment;
    const auto row = m_database.fetchOne(
            u"INSERT INTO attachments (task_id, uploader_id, file_name, content_type, size, "
            "sha256, stored_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
            { attachment.taskId, attachment.uploaderId, attachment.fileName, attachment.contentType,
              attachment.size, attachment.sha256, record.storedName,
              Database::bindTime(attachment.createdAt) });
    Attachment stored = attachment;
    stored.id = row->value(0).toLongLong();
    return stored;
}

QList<Attachment> AttachmentRepository::forTask(qint64 taskId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + AttachmentColumns + u" FROM attachments WHERE task_id = ? ORDER BY id"_s,
            { taskId }, Database::Retry::Safe);
    QList<Attachment> attachments;
    for (const QSqlRecord &row : rows)
        attachments.append(toRecord(row).attachment);
    return attachments;
}

QList<Attachment> AttachmentRepository::forOwner(qint64 ownerId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + AttachmentColumns
                    + u" FROM attachments WHERE task_id IN (SELECT id FROM tasks WHERE "
                      "owner_id = ?) ORDER BY task_id, id"_s,
            { ownerId }, Database::Retry::Safe);
    QList<Attachment> attachments;
    for (const QSqlRecord &row : rows)
        attachments.append(toRecord(row).attachment);
    return attachments;
}

std::optional<AttachmentRecord> AttachmentRepository::find(qint64 taskId, qint64 attachmentId) const
{
    const auto row = m_database.fetchOne(
            u"SELECT "_s + AttachmentColumns + u" FROM attachments WHERE id = ? AND task_id = ?"_s,
            { attachmentId, taskId }, Database::Retry::Safe);
    return row ? std::optional<AttachmentRecord>(toRecord(*row)) : std::nullopt;
}

bool AttachmentRepository::remove(qint64 taskId, qint64 attachmentId) const
{
    return m_database.execute(u"DELETE FROM attachments WHERE id = ? AND task_id = ?"_s,
                              { attachmentId, taskId })
            == 1;
}

QStringList AttachmentRepository::storedNamesOf(qint64 taskId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT stored_name FROM attachments WHERE task_id = ?"_s, { taskId });
    QStringList names;
    for (const QSqlRecord &row : rows)
        names.append(row.value(0).toString());
    return names;
}

qint64 AttachmentRepository::bytesUploadedBy(qint64 userId) const
{
    const auto row = m_database.fetchOne(
            u"SELECT COALESCE(SUM(size), 0) FROM attachments WHERE uploader_id = ?"_s, { userId });
    return row ? row->value(0).toLongLong() : 0;
}

QSet<QString> AttachmentRepository::knownStoredNames(const QStringList &names) const
{
    QSet<QString> known;
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT stored_name FROM attachments WHERE stored_name IN ("_s, {},
            QVariantList(names.cbegin(), names.cend()), u")"_s, 100, Database::Retry::Safe);
    for (const QSqlRecord &row : rows)
        known.insert(row.value(0).toString());
    return known;
}

} // namespace Tasklane
