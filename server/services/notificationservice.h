#pragma once

#include "notification.h"
#include "page.h"
#include "principal.h"

#include <QList>
#include <QString>

namespace Tasklane {

class CommitGroup;
class CursorCodec;
class Database;

// A user's in-app notifications: only ever their own (another user's id is 404).
class NotificationService
{
public:
    NotificationService(const Database &database, CommitGroup &writes, const CursorCodec &cursors);

    // Newest first; `cursor` from the previous page of the same listing (BadRequest otherwise).
    Page<Notification> list(const Principal &principal, bool unreadOnly, const QString &cursor,
                            int limit) const;
    Notification markRead(const Principal &principal, qint64 id) const;
    int markAllRead(const Principal &principal) const;
    void remove(const Principal &principal, qint64 id) const;

private:
    const Database &m_database;
    CommitGroup &m_writes;
    const CursorCodec &m_cursors;
};

} // namespace Tasklane
