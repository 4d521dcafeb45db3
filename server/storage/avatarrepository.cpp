#include "avatarrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// The bytes only when the reader lacks them: a revalidation (304) reads the tag alone.
const QString AvatarSelect = u"SELECT a.etag, CASE WHEN a.etag = ? THEN NULL ELSE a.image END "
                             "FROM avatars a WHERE a.user_id = ?"_s;

std::optional<StoredAvatar> toAvatar(const std::optional<QSqlRecord> &row)
{
    if (!row)
        return std::nullopt;
    return StoredAvatar{ row->value(0).toString().toLatin1(), row->value(1).toByteArray() };
}
} // namespace

void AvatarRepository::put(qint64 userId, const QByteArray &png, const QByteArray &etag,
                           const QDateTime &now) const
{
    m_database.execute(
            u"INSERT INTO avatars (user_id, image, etag, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET image = excluded.image, "
            "etag = excluded.etag, updated_at = excluded.updated_at"_s,
            { userId, png, QString::fromLatin1(etag), Database::bindTime(now) });
}

bool AvatarRepository::remove(qint64 userId) const
{
    return m_database.execute(u"DELETE FROM avatars WHERE user_id = ?"_s, { userId }) > 0;
}

std::optional<StoredAvatar> AvatarRepository::find(qint64 userId, QByteArrayView knownEtag) const
{
    return toAvatar(m_database.fetchOne(AvatarSelect, { QString::fromLatin1(knownEtag), userId },
                                        Database::Retry::Safe));
}

std::optional<StoredAvatar> AvatarRepository::findIfSharing(qint64 userId, qint64 viewerId,
                                                            QByteArrayView knownEtag) const
{
    // Three indexed probes: tasks by owner, shares by user (task_shares_user) and by task.
    return toAvatar(m_database.fetchOne(
            AvatarSelect
                    + u" AND (EXISTS (SELECT 1 FROM tasks t JOIN task_shares s ON s.task_id = t.id "
                      "WHERE t.owner_id = ? AND s.user_id = ?) "
                      "OR EXISTS (SELECT 1 FROM tasks t JOIN task_shares s ON s.task_id = t.id "
                      "WHERE t.owner_id = ? AND s.user_id = ?) "
                      "OR EXISTS (SELECT 1 FROM task_shares v JOIN task_shares o "
                      "ON o.task_id = v.task_id WHERE v.user_id = ? AND o.user_id = ?))"_s,
            { QString::fromLatin1(knownEtag), userId, viewerId, userId, userId, viewerId, viewerId,
              userId },
            Database::Retry::Safe));
}

} // namespace Tasklane
