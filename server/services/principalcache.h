#pragma once

#include "cachelifetime.h"
#include "principal.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QSet>

#include <deque>
#include <optional>

namespace Tasklane {

// Recently authenticated principals by access token, kept for a short time (2 s by default) so
// that a client's burst of requests costs one signature check and one database look-up instead
// of one each. This process forgets an entry at once when it revokes the token or changes the
// user; other processes sharing the database see such a change within the lifetime. Each entry
// is kept for a random share of the lifetime, half or more (spreadCacheLifetime), so that the
// entries read together do not expire together. An entry never outlives its token's expiry.
// Thread-safe.
//
// Forgetting and remembering are ordered: a caller takes a snapshot() before it reads the
// database, and remember() refuses the answer if its user or token was forgotten since, so a
// read made before a logout or a user change committed cannot put back what they cleared.
class PrincipalCache
{
public:
    // A point in the sequence of forgets (a counter that only grows).
    using Generation = quint64;

    explicit PrincipalCache(int lifetimeMs, qsizetype capacity = 100'000);

    // The principal behind this exact token, if it was authenticated recently. With
    // `refreshDue`, set when the entry is near the end of its trusted time and nobody was told
    // so yet: the caller reads it again (CacheRefresher) and remembers what it read.
    std::optional<Principal> find(const QByteArray &token, bool *refreshDue = nullptr) const;
    // To be taken before reading what remember() will be given.
    Generation snapshot() const;
    // Keeps the principal unless its user or token was forgotten after `readAt` (or the
    // records that would tell were pruned since); true when it was kept.
    bool remember(const QByteArray &token, const Principal &principal, Generation readAt);
    // Call after the change that makes the entries wrong has committed.
    void forgetToken(const QString &jti);
    void forgetUser(qint64 userId);
    bool isEnabled() const { return m_lifetimeMs > 0; }
    // How many principals are kept now (fresh or not yet dropped).
    qsizetype size() const;

private:
    struct Entry
    {
        Principal principal;
        mutable CacheDeadlines deadlines;
    };
    // One forget, kept for a lifetime so that authentications in flight at the time can be
    // refused; after that only m_prunedThrough remembers it.
    struct Forgotten
    {
        Generation generation;
        bool user;
        qint64 userId;
        QString jti;
        QDeadlineTimer keep;
    };

    // Removes an entry and its index entries; the next entry.
    QHash<QByteArray, Entry>::iterator removeEntry(QHash<QByteArray, Entry>::iterator entry);
    void recordForget(bool user, qint64 userId, const QString &jti);
    void pruneForgets();

    int m_lifetimeMs;
    qsizetype m_capacity;
    mutable QMutex m_mutex;
    QHash<QByteArray, Entry> m_entries;
    // Indexes of m_entries, so forgetting does not scan every entry.
    QHash<QString, QByteArray> m_tokenByJti;
    QHash<qint64, QSet<QByteArray>> m_tokensByUser;
    // Forget generations: the latest per user and per token, in order in m_forgets.
    Generation m_generation = 0;
    Generation m_prunedThrough = 0;
    QHash<qint64, Generation> m_userForgottenAt;
    QHash<QString, Generation> m_tokenForgottenAt;
    std::deque<Forgotten> m_forgets;
};

} // namespace Tasklane
