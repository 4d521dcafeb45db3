#include "principalcache.h"

#include <QDateTime>
#include <QJsonDocument>

namespace Tasklane {

PrincipalCache::PrincipalCache(int lifetimeMs, qsizetype capacity)
    : m_lifetimeMs(lifetimeMs), m_capacity(capacity)
{ }

std::optional<Principal> PrincipalCache::find(const QByteArray &token) const
{
    if (!isEnabled())
        return std::nullopt;
    const QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(token);
    if (it == m_entries.constEnd() || it->fresh.hasExpired()
        || it->principal.token.expiresAt <= QDateTime::currentDateTimeUtc())
        return std::nullopt;
    return it->principal;
}

void PrincipalCache::remember(const QByteArray &token, const Principal &principal)
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
    Principal stored = principal;
    if (stored.userJson.isEmpty())
        stored.userJson = QJsonDocument(stored.user.toJson()).toJson(QJsonDocument::Compact);
    m_entries.insert(token, { std::move(stored), QDeadlineTimer(m_lifetimeMs) });
}

void PrincipalCache::forgetToken(const QString &jti)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.removeIf(
            [&jti](const auto &entry) { return entry.value().principal.token.jti == jti; });
}

void PrincipalCache::forgetUser(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    m_entries.removeIf(
            [userId](const auto &entry) { return entry.value().principal.user.id == userId; });
}

} // namespace Tasklane
