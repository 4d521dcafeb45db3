#include "notificationrepository.h"

#include "database.h"
#include "eventrepository.h"
#include "realtimeevent.h"
#include "rowinsertbatch.h"

#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

const QString Columns = u"id, type, task_id, title, data, created_at, read_at"_s;

Notification readNotification(const QSqlRecord &row)
{
    Notification notification;
    notification.id = row.value(0).toLongLong();
    notification.type = row.value(1).toString();
    notification.taskId = row.value(2).toLongLong();
    notification.title = row.value(3).toString();
    notification.data = QJsonDocument::fromJson(row.value(4).toString().toUtf8()).object();
    notification.createdAt = Database::readTime(row.value(5));
    notification.readAt = Database::readTime(row.value(6));
    return notification;
}

// Each new notification is also an event of the real-time feed, to its user alone, written in
// the same transaction with the notification as GET /notifications shows it.
void appendEvent(const Database &database, qint64 userId, const Notification &notification)
{
    EventRepository(database).append(
            EventType::NotificationCreated, notification.taskId,
            QJsonDocument(notification.toJson()).toJson(QJsonDocument::Compact), { 0, { userId } },
            notification.createdAt);
}

// New notifications of a transaction that holds writes back (CommitGroup, a batch of jobs).
class NotificationInsertBatch final : public RowInsertBatch
{
public:
    NotificationInsertBatch()
        : RowInsertBatch(u"notifications"_s,
                         { { u"user_id"_s, u"bigint"_s },
                           { u"type"_s, u"text"_s },
                           { u"task_id"_s, u"bigint"_s },
                           { u"title"_s, u"text"_s },
                           { u"data"_s, u"text"_s },
                           { u"created_at"_s, u"timestamptz"_s } },
                         u"RETURNING "_s + Columns + u", user_id"_s)
    { }

protected:
    // Their events, in the order of their ids (RETURNING promises none).
    void inserted(const Database &database, const QList<QSqlRecord> &rows) override
    {
        QList<std::pair<Notification, qint64>> added;
        for (const QSqlRecord &row : rows)
            added.append({ readNotification(row), row.value(7).toLongLong() });
        std::sort(added.begin(), added.end(),
                  [](const auto &a, const auto &b) { return a.first.id < b.first.id; });
        // Held back in turn, and written after this batch (Database::flushPendingWrites).
        for (const auto &[notification, userId] : std::as_const(added))
            appendEvent(database, userId, notification);
    }
};

} // namespace

void NotificationRepository::add(qint64 userId, const Notification &notification) const
{
    const QVariantList values{
        userId,
        notification.type,
        notification.taskId,
        notification.title,
        QString::fromUtf8(QJsonDocument(notification.data).toJson(QJsonDocument::Compact)),
        Database::bindTime(notification.createdAt)
    };
    if (auto *held = m_database.pendingWrites<NotificationInsertBatch>()) {
        held->add(values);
        return;
    }
    Notification added = notification;
    added.id = m_database
                       .fetchOne(u"INSERT INTO notifications (user_id, type, task_id, title, "
                                 "data, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                 values)
                       ->value(0)
                       .toLongLong();
    appendEvent(m_database, userId, added);
}

QList<Notification> NotificationRepository::list(qint64 userId, bool unreadOnly, qint64 beforeId,
                                                 int limit) const
{
    const QString unread = unreadOnly ? u" AND read_at IS NULL"_s : QString();
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + Columns
                    + u" FROM notifications WHERE user_id = ? AND (? = 0 OR id < ?)"_s + unread
                    + u" ORDER BY id DESC LIMIT ?"_s,
            { userId, beforeId, beforeId, limit }, Database::Retry::Safe);
    QList<Notification> notifications;
    for (const QSqlRecord &row : rows)
        notifications.append(readNotification(row));
    return notifications;
}

std::optional<Notification> NotificationRepository::find(qint64 userId, qint64 id) const
{
    const auto row = m_database.fetchOne(u"SELECT "_s + Columns
                                                 + u" FROM notifications WHERE user_id = ? AND "
                                                   "id = ?"_s,
                                         { userId, id }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    return readNotification(*row);
}

bool NotificationRepository::markRead(qint64 userId, qint64 id, const QDateTime &now) const
{
    return m_database.execute(u"UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE "
                              "user_id = ? AND id = ?"_s,
                              { Database::bindTime(now), userId, id })
            == 1;
}

int NotificationRepository::markAllRead(qint64 userId, const QDateTime &now) const
{
    return m_database.execute(u"UPDATE notifications SET read_at = ? WHERE user_id = ? AND "
                              "read_at IS NULL"_s,
                              { Database::bindTime(now), userId });
}

bool NotificationRepository::remove(qint64 userId, qint64 id) const
{
    return m_database.execute(u"DELETE FROM notifications WHERE user_id = ? AND id = ?"_s,
                              { userId, id })
            == 1;
}

int NotificationRepository::purgeRead(const QDateTime &before) const
{
    return m_database.execute(u"DELETE FROM notifications WHERE read_at < ?"_s,
                              { Database::bindTime(before) });
}

} // namespace Tasklane
