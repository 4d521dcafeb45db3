#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Tasklane {

// One notification to one user on one channel (an email, an in-app notice...), and what became
// of it. Unique per (event, task, occurrence, reminder, user, channel): never delivered twice.
struct Delivery
{
    qint64 id = 0;
    QString event; // reminder, due_soon, overdue, ...
    qint64 taskId = 0; // 0: about no task
    QString occurrence; // the task's due time it was about ("" for none)
    QString reminder; // which reminder ("at:<instant>", "before:<minutes>"; "" for none)
    qint64 userId = 0;
    QString channel; // email, in_app, push, sms
    QString recipient; // where it went: an address, a number
    QString status = QStringLiteral("pending"); // pending, sent, failed
    bool late = false; // went out after its time (the server was down)
    QDateTime dueAt; // when it was meant to go out
    // What the message says beyond its task: {"actor_name", "changes": [field...]} for a
    // change, {"permission"} for a share, {"blocker_title"} for a finished blocker.
    QJsonObject details;
    bool forDigest = false; // an email that waits for the user's daily digest
    QString error;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime sentAt;

    QJsonObject toJson() const;
};

// One attempt to deliver (the delivery log): which job tried, where to, and how it ended.
struct DeliveryAttempt
{
    qint64 id = 0;
    qint64 deliveryId = 0;
    qint64 jobId = 0;
    QString channel;
    QString recipient;
    QString outcome; // sent, temporary_failure, permanent_failure
    QString error;
    QDateTime at;
    // Of its delivery: what it was about, and for whom.
    QString event;
    qint64 taskId = 0;
    qint64 userId = 0;

    QJsonObject toJson() const;
};

} // namespace Tasklane
