#pragma once

#include "pushsubscription.h"

#include <QList>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of push_subscriptions.
class PushSubscriptionRepository
{
public:
    // A user keeps at most this many (browsers, devices); a new one beyond replaces the oldest.
    static constexpr int MaxPerUser = 20;

    explicit PushSubscriptionRepository(const Database &database) : m_database(database) { }

    // The subscription of `request.endpoint`, now `userId`'s with these keys (a browser that
    // subscribes again, or signs in as someone else, keeps one row); `created` says whether it
    // is new.
    PushSubscription save(qint64 userId, const PushSubscriptionRequest &request,
                          const QDateTime &now, bool *created) const;
    // False when `userId` has no subscription with that endpoint.
    bool remove(qint64 userId, const QString &endpoint) const;
    void removeById(qint64 id) const;
    QList<PushSubscription> forUser(qint64 userId) const;
    bool userHasAny(qint64 userId) const;
    void markSuccess(qint64 id, const QDateTime &now) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
