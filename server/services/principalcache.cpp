#include "principalcache.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

namespace Tasklane {

PrincipalCache::PrincipalCache(int lifetimeMs, qsizetype capacity)
    : m_lifetimeMs(lifetimeMs), m_capacity(std::max<qsizetype>(capacity, 1))
{ }

std::optional<Principal> PrincipalCache::find(const QByteArray &token, bool *refreshDue) const
{
    if (!isEnabled())
        return std::nullopt;
    const QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(token);
    if (it == m_entries.constEnd() || it->deadlines.expired()
        || it->principal.token.expiresAt <= QDateTime::currentDateTimeUtc())
        return std::nullopt;
    if (refreshDue && it->deadlines.takeRefresh())
        *refreshDue = true;
    return it->principal;
}

PrincipalCache::Generation PrincipalCache::snapshot() const
{
    const QMutexLocker lock(&m_mutex);
    return m_generation;
}

bool PrincipalCache::remember(const QByteArray &token, const Principal &principal,
                              Generation readAt)
{
    if (!isEnabled())
        return false;
    // Serialised outside the lock: it is the only real work here.
    Principal stored = principal;
    if (stored.userJson.isEmpty())
        stored.userJson = QJsonDocument(stored.user.toJson()).toJson(QJsonDocument::Compact);

    const QMutexLocker lock(&m_mutex);
    // A forget after the snapshot means the database read may predate the change it made.
    if (readAt < m_prunedThrough || m_userForgottenAt.value(principal.user.id, 0) > readAt
        || m_tokenForgottenAt.value(principal.token.jti, 0) > readAt)
        return false;
    if (auto existing = m_entries.find(token); existing != m_entries.end())
        removeEntry(existing);
    if (m_entries.size() >= m_capacity) {
        // Drop what has gone stale; if everything is fresh, start over rather than grow.
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = it->deadlines.expired() ? removeEntry(it) : std::next(it);
        if (m_entries.size() >= m_capacity) {
            m_entries.clear();
            m_tokenByJti.clear();
            m_tokensByUser.clear();
        }
    }
    if (const auto other = m_tokenByJti.constFind(principal.token.jti);
        other != m_tokenByJti.constEnd()) // another token string with this jti: keep one
        removeEntry(m_entries.find(*other));
    m_tokenByJti.insert(principal.token.jti, token);
    m_tokensByUser[principal.user.id].insert(token);
    m_entries.insert(token, { std::move(stored), spreadCacheDeadlines(m_lifetimeMs) });
    return true;
}

void PrincipalCache::forgetToken(const QString &jti)
{
    if (!isEnabled())
        return;
    const QMutexLocker lock(&m_mutex);
    recordForget(false, 0, jti);
    if (const auto token = m_tokenByJti.constFind(jti); token != m_tokenByJti.constEnd())
        removeEntry(m_entries.find(*token));
}

void PrincipalCache::forgetUser(qint64 userId)
{
    if (!isEnabled())
        return;
    const QMutexLocker lock(&m_mutex);
    recordForget(true, userId, {});
    const QSet<QByteArray> tokens = m_tokensByUser.value(userId);
    for (const QByteArray &token : tokens)
        removeEntry(m_entries.find(token));
}

qsizetype PrincipalCache::size() const
{
    const QMutexLocker lock(&m_mutex);
    return m_entries.size();
}

QHash<QByteArray, PrincipalCache::Entry>::iterator
PrincipalCache::removeEntry(QHash<QByteArray, Entry>::iterator entry)
{
    if (entry == m_entries.end())
        return entry;
    const Principal &principal = entry->principal;
    if (const auto jti = m_tokenByJti.find(principal.token.jti);
        jti != m_tokenByJti.end() && *jti == entry.key())
        m_tokenByJti.erase(jti);
    if (const auto user = m_tokensByUser.find(principal.user.id); user != m_tokensByUser.end()) {
        user->remove(entry.key());
        if (user->isEmpty())
            m_tokensByUser.erase(user);
    }
    return m_entries.erase(entry);
}

void PrincipalCache::recordForget(bool user, qint64 userId, const QString &jti)
{
    pruneForgets();
    const Generation generation = ++m_generation;
    if (user)
        m_userForgottenAt.insert(userId, generation);
    else
        m_tokenForgottenAt.insert(jti, generation);
    m_forgets.push_back({ generation, user, userId, jti, QDeadlineTimer(m_lifetimeMs) });
}

void PrincipalCache::pruneForgets()
{
    // A forget only matters to authentications that were in flight when it happened. Once it
    // is older than a lifetime (or too many are kept) it goes, and m_prunedThrough makes any
    // snapshot older than it refused: at worst a slow authentication is not cached.
    while (!m_forgets.empty()
           && (m_forgets.front().keep.hasExpired() || qsizetype(m_forgets.size()) >= m_capacity)) {
        const Forgotten &oldest = m_forgets.front();
        if (oldest.user) {
            if (const auto it = m_userForgottenAt.constFind(oldest.userId);
                it != m_userForgottenAt.constEnd() && *it == oldest.generation)
                m_userForgottenAt.erase(it);
        } else if (const auto it = m_tokenForgottenAt.constFind(oldest.jti);
                   it != m_tokenForgottenAt.constEnd() && *it == oldest.generation) {
            m_tokenForgottenAt.erase(it);
        }
        m_prunedThrough = oldest.generation;
        m_forgets.pop_front();
    }
}

} // namespace Tasklane
