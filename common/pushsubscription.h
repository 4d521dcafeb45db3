#pragma once

#include "fielderror.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// A browser's Web Push subscription, as POST /api/v1/notifications/subscribe takes it (the
// PushSubscription.toJSON() of the Push API): where to post, and the keys to encrypt for.
struct PushSubscriptionRequest
{
    QString endpoint;
    QByteArray p256dh; // 65 bytes, an uncompressed P-256 point
    QByteArray auth; // 16 bytes

    QJsonObject toJson() const;
    // Checks shapes and sizes (the server also checks the point is on the curve and the
    // endpoint's address); each problem appended to `errors`.
    static std::optional<PushSubscriptionRequest> fromJson(const QJsonObject &json,
                                                           FieldErrors *errors);
};

// A subscription as stored and shown to its owner.
struct PushSubscription
{
    qint64 id = 0;
    qint64 userId = 0;
    QString endpoint;
    QByteArray p256dh;
    QByteArray auth;
    QDateTime createdAt;
    QDateTime lastSuccessAt;

    QJsonObject toJson() const; // id, endpoint, created_at, last_success_at: never the keys
};

} // namespace Tasklane
