#include "principalcache.h"

namespace Tasklane {

PrincipalCache::PrincipalCache(int lifetimeMs, qsizetype capacity)
    : m_lifetimeMs(lifetimeMs), m_capacity(capacity)
{ }

std::optional<Principal> PrincipalCache::find(const AccessClaims &claims) const
{
    if (!isEnabled())
        return std::nullopt;
    const QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(claims.jti);
    if (it == m_entries.constEnd() || it->fresh.hasExpired() || it->user.id != claims.userId)
        return std::nullopt;
    return Principal{ it->user, claims };
}

void PrincipalCache::remember(const Principal &principal)
{
    if (!isEnabled())
        return;
    const QMutexLocker lock(&m_mutex);
    if (m_entries.size() >= m_capacity) {
        // Drop what has gone stale; if everything is fresh, start over rather than grow.
        m_entries.removeIf([](const auto &entry) { return entry.value().fresh.hasExpired(); });
        if (m_entries.size() >= m_capacity)
            m_entries.clear();
    }
    m_entries.insert(principal.token.jti, { principal.user, QDeadlineTimer(m_lifetimeMs) });
}

void PrincipalCache::forgetToken(const QString &jti)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.remove(jti);
}

void PrincipalCache::forgetUser(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.removeIf([userId](const auto &entry) { return entry.value().user.id == userId; });
}

} // namespace Tasklane
