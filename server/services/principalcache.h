#pragma once

#include "principal.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>

#include <optional>

namespace Tasklane {

// Recently authenticated principals by access-token id, kept for a short time (2 s by default)
// so that a client's burst of requests costs one database look-up instead of one each. This
// process forgets an entry at once when it revokes the token or changes the user; other
// processes sharing the database see such a change within the lifetime. Thread-safe.
class PrincipalCache
{
public:
    explicit PrincipalCache(int lifetimeMs, qsizetype capacity = 100'000);

    std::optional<Principal> find(const AccessClaims &claims) const;
    void remember(const Principal &principal);
    void forgetToken(const QString &jti);
    void forgetUser(qint64 userId);
    bool isEnabled() const { return m_lifetimeMs > 0; }

private:
    struct Entry
    {
        User user;
        QDeadlineTimer fresh;
    };

    int m_lifetimeMs;
    qsizetype m_capacity;
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
};

} // namespace Tasklane
