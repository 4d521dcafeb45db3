#pragma once

#include "idempotencyrepository.h"

#include <QString>

#include <functional>

namespace Tasklane {

class CommitGroup;
class Database;

// Idempotency-Key for POST requests: the first request with a key runs, and its successful
// answer is stored in the same transaction as its write; a retry with the same key and the
// same request replays that answer (also after a restart, or from another process), and the
// same key with a different request is refused. Keys belong to one user. Failed requests are
// not stored: they wrote nothing, so a retry simply runs again. Keys are kept for
// `keyLifetimeSeconds` (a day by default; setting idempotency_key_hours).
class IdempotencyService
{
public:
    IdempotencyService(const Database &database, CommitGroup &writes,
                       qint64 keyLifetimeSeconds = DefaultKeyLifetimeSeconds);

    struct Result
    {
        StoredAnswer answer;
        bool replayed = false;
    };
    // `requestHash` identifies the request (method, path and body); `write` performs it inside
    // the transaction and returns its answer.
    Result run(qint64 userId, const QString &key, const QString &requestHash,
               const std::function<StoredAnswer()> &write) const;

    // How long a key is remembered by default: a retry later than its lifetime runs as a new
    // request.
    static constexpr qint64 DefaultKeyLifetimeSeconds = 24 * 3600;
    // Forgets keys older than their lifetime at `now`; returns how many.
    int purgeExpired(const QDateTime &now) const;

    // Accepts 1 to 255 visible ASCII characters (the header is opaque to the server).
    static bool isValidKey(const QByteArray &key);

private:
    const Database &m_database;
    CommitGroup &m_writes;
    const qint64 m_keyLifetimeSeconds;
};

} // namespace Tasklane
