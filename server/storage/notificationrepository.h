#pragma once

#include "notification.h"

#include <QList>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of notifications. Every statement names the user: a notification is only ever read,
// changed or deleted by its own user's id.
class NotificationRepository
{
public:
    explicit NotificationRepository(const Database &database) : m_database(database) { }

    // Adds one in the caller's transaction (held back until its COMMIT when it holds writes
    // back: Database::pendingWrites).
    void add(qint64 userId, const Notification &notification) const;
    // Newest first, ids below `beforeId` (0: from the newest).
    QList<Notification> list(qint64 userId, bool unreadOnly, qint64 beforeId, int limit) const;
    std::optional<Notification> find(qint64 userId, qint64 id) const;
    // Marks one read (a read one keeps its first read time); false when it is not theirs.
    bool markRead(qint64 userId, qint64 id, const QDateTime &now) const;
    int markAllRead(qint64 userId, const QDateTime &now) const;
    bool remove(qint64 userId, qint64 id) const;
    // Deletes notifications read before `before` (cleanup).
    int purgeRead(const QDateTime &before) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
