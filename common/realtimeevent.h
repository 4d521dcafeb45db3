#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// One message of the real-time feed, as GET /api/v1/ws sends it as a text message and
// GET /api/v1/events as an event's data: {"id": 41, "type": "task.updated", "data": {...}}.
// Ids grow in the order the changes committed; a client resumes from the last one it saw.
struct RealtimeEvent
{
    qint64 id = 0; // 0 for the messages that are not events of the feed (resync, pong, ...)
    QString type;
    QJsonObject data;

    QJsonObject toJson() const;
    static std::optional<RealtimeEvent> fromJson(const QJsonObject &json);
    // The message's text for `data`, a JSON object's text: what the server sends, written once
    // for every recipient.
    static QByteArray wireText(qint64 id, QByteArrayView type, QByteArrayView data);
};

// The types of RealtimeEvent.
namespace EventType {
// A task's changes, to everyone who may see the task when it changes. Their data:
// {"task_id", "version", "actor_id", "action", "changes": [{"field", "old", "new"}]}, as the
// task's history records them ("action": updated, skipped, attachment_added, ...).
inline constexpr char TaskCreated[] = "task.created";
inline constexpr char TaskUpdated[] = "task.updated";
inline constexpr char TaskCompleted[] = "task.completed";
inline constexpr char TaskDeleted[] = "task.deleted"; // trashed, or purged ("purged": true)
inline constexpr char TaskRestored[] = "task.restored";
inline constexpr char TaskShared[] = "task.shared";
// Also to the user whose share ended: their last event of the task.
inline constexpr char TaskUnshared[] = "task.unshared";
// An in-app notification, to its recipient; data: the notification as GET /notifications
// shows it.
inline constexpr char NotificationCreated[] = "notification.created";
// Internal, never sent to a client: sessions of the user ended (a logout: data.jti; a password
// change or every session ended: data.issued_until_ms); their connections are closed (4003).
inline constexpr char SessionEnded[] = "session.ended";
// Not from the feed: the client's cursor is older than what the server keeps (or unknown to
// it); it must reload what it shows, then follow from the id in data.since.
inline constexpr char Resync[] = "resync";
} // namespace EventType

} // namespace Tasklane
