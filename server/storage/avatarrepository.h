#pragma once

#include <QByteArray>
#include <QDateTime>

#include <optional>

namespace Tasklane {

class Database;

// An avatar as read: its ETag, and its PNG unless the reader already holds that ETag.
struct StoredAvatar
{
    QByteArray etag; // the opaque part, without quotes
    QByteArray png; // empty when the reader's If-None-Match named etag
};

// All SQL of the avatars table.
class AvatarRepository
{
public:
    explicit AvatarRepository(const Database &database) : m_database(database) { }

    // Sets the user's avatar (replacing any), in the caller's transaction.
    void put(qint64 userId, const QByteArray &png, const QByteArray &etag,
             const QDateTime &now) const;
    // Deletes it; false when there was none.
    bool remove(qint64 userId) const;
    // The user's avatar, its bytes left out when `knownEtag` is its ETag.
    std::optional<StoredAvatar> find(qint64 userId, QByteArrayView knownEtag) const;
    // The same, but only when `viewerId` and the user share a task: one owns a task the other
    // has a share in, or both have shares in one task. Nothing otherwise, as if there were no
    // avatar.
    std::optional<StoredAvatar> findIfSharing(qint64 userId, qint64 viewerId,
                                              QByteArrayView knownEtag) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
