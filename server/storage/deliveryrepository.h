#pragma once

#include "delivery.h"

#include <QList>
#include <QSet>

#include <functional>
#include <optional>

namespace Tasklane {

class Database;

// All SQL of deliveries: the notifications sent or being sent, one row per (event, task,
// occurrence, reminder, user, channel), which the unique key keeps to one.
class DeliveryRepository
{
public:
    explicit DeliveryRepository(const Database &database) : m_database(database) { }

    // A delivery in the caller's transaction, pending (or already sent: an in-app notice
    // written with it, delivery.status); nullopt when that very delivery exists already
    // (nothing is added).
    std::optional<qint64> add(const Delivery &delivery, const QDateTime &now) const;
    // add(), then `then` with the new delivery's id, unless it existed already. When the
    // transaction holds writes back (Database::pendingWrites), both wait until just before
    // COMMIT, where every delivery held back goes in with one statement: `then` must not need
    // anything that is gone by then, and may hold writes of its own back.
    void addThen(const Delivery &delivery, const QDateTime &now,
                 std::function<void(qint64 id)> then) const;
    // Of the deliveries of `event` on `channel` about `taskIds` (any number), those that
    // exist, each as keyOf gives it.
    QSet<QString> existing(const QString &event, const QString &channel,
                           const QList<qint64> &taskIds) const;
    // A delivery's key within its event and channel: its task, occurrence, reminder and user.
    static QString keyOf(const Delivery &delivery);
    std::optional<Delivery> find(qint64 id) const;
    void markSent(qint64 id, const QString &recipient, const QDateTime &now) const;
    void markFailed(qint64 id, const QString &recipient, const QString &error,
                    const QDateTime &now) const;
    // A failed try that will be retried: the error kept, still pending.
    void noteError(qint64 id, const QString &error, const QDateTime &now) const;
    // A user's emails waiting for their digest (for_digest, pending), oldest first.
    QList<Delivery> heldForDigest(qint64 userId, int limit) const;
    // A user's emails held for a digest go out alone after all (the digest was turned off):
    // returns their ids, no longer held.
    QList<qint64> releaseHeld(qint64 userId) const;
    // A user's deliveries, newest first.
    QList<Delivery> forUser(qint64 userId, int limit) const;

    // The delivery log: one row per attempt (held back until COMMIT when the transaction holds
    // writes back: Database::pendingWrites).
    void recordAttempt(const DeliveryAttempt &attempt) const;
    struct AttemptFilter
    {
        QString channel; // empty: any
        QString outcome;
        qint64 userId = 0; // 0: anyone's
    };
    // Newest first, ids below `beforeId` (0: from the newest).
    QList<DeliveryAttempt> attempts(const AttemptFilter &filter, qint64 beforeId, int limit) const;
    // Deletes deliveries made before `before`, their attempts with them (cleanup).
    int purgeOlderThan(const QDateTime &before) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
