#pragma once

#include "principal.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>

#include <optional>

namespace Tasklane {

// Recently authenticated principals by access token, kept for a short time (2 s by default) so
// that a client's burst of requests costs one signature check and one database look-up instead
// of one each. This process forgets an entry at once when it revokes the token or changes the
// user; other processes sharing the database see such a change within the lifetime. An entry
// never outlives its token's expiry. Thread-safe.
class PrincipalCache
{
public:
    explicit PrincipalCache(int lifetimeMs, qsizetype capacity = 100'000);

    // The principal behind this exact token, if it was authenticated recently.
    std::optional<Principal> find(const QByteArray &token) const;
    void remember(const QByteArray &token, const Principal &principal);
    void forgetToken(const QString &jti);
    void forgetUser(qint64 userId);
    bool isEnabled() const { return m_lifetimeMs > 0; }

private:
    struct Entry
    {
        Principal principal;
        QDeadlineTimer fresh;
    };

    int m_lifetimeMs;
    qsizetype m_capacity;
    mutable QMutex m_mutex;
    QHash<QByteArray, Entry> m_entries;
};

} // namespace Tasklane
