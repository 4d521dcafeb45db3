#pragma once

#include "principal.h"
#include "pushsubscription.h"

#include <QJsonObject>

namespace Tasklane {

class CommitGroup;
class Database;
class PushEndpointPolicy;

// A user's Web Push subscriptions (POST/DELETE /api/v1/notifications/subscribe) and the
// server's VAPID public key that browsers subscribe with.
class PushService
{
public:
    PushService(const Database &database, CommitGroup &writes, const PushEndpointPolicy &policy,
                QByteArray vapidPublicKey)
        : m_database(database), m_writes(writes), m_policy(policy),
          m_vapidPublicKey(std::move(vapidPublicKey))
    { }

    // The subscription in `body`, checked (shape, a P-256 key, an endpoint the server may post
    // to), saved as the caller's; `created` says whether it is new to them.
    PushSubscription subscribe(const Principal &principal, const QJsonObject &body,
                               bool *created) const;
    // The caller's subscription of `body.endpoint` removed (NotFound when there is none).
    void unsubscribe(const Principal &principal, const QJsonObject &body) const;
    // The 65-byte VAPID public key, base64url: the browser's applicationServerKey.
    QString vapidPublicKey() const;

private:
    const Database &m_database;
    CommitGroup &m_writes;
    const PushEndpointPolicy &m_policy;
    const QByteArray m_vapidPublicKey;
};

} // namespace Tasklane
