#pragma once

#include "forgetlog.h"

#include <QByteArray>
#include <QCache>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

namespace Tasklane {

// Recently listed pages of tasks (their JSON), by user and query, so that a listing read again
// is answered without the database.
//
// Every write that changes a task notes each user who can see it (Database::noteChanged with
// Change::TaskReader: its owner and everyone it is shared with, before and after the change),
// and that user's pages are forgotten once the write has committed and before it is
// acknowledged: a page shows only tasks its user can see, so a change to any of them reaches
// the page's user. Forgetting and remembering are ordered as in TaskReadersCache (snapshot()
// before the database is read; remember() refuses a page whose user was forgotten since).
//
// Only this process's writes are heard: on PostgreSQL a page is trusted for `lifetimeMs` at
// most (-1: until forgotten, for SQLite). Listings whose result moves with the clock or with
// other users' tasks are not kept (TaskListService decides). Bounded by bytes, and by pages per
// user; the least recently used users go first. Thread-safe.
class TaskListCache
{
public:
    using Generation = ForgetLog<qint64>::Generation;

    TaskListCache(int lifetimeMs, qint64 budgetBytes);
    Q_DISABLE_COPY_MOVE(TaskListCache)

    // The JSON of the page `key` (the query, cursor and limit included) of `userId`'s tasks.
    std::optional<QByteArray> find(qint64 userId, const QString &key) const;
    Generation snapshot() const;
    bool remember(qint64 userId, const QString &key, const QByteArray &json, Generation readAt);
    // Call after a change to a task `userId` can see (or could, before it) has committed.
    void forgetUser(qint64 userId);
    bool isEnabled() const { return m_lifetimeMs != 0; }
    qint64 bytes() const;

    static constexpr qsizetype PagesPerUser = 16;
    static constexpr qsizetype MaxForgets = 65'536;

private:
    struct Page
    {
        QByteArray json;
        QDeadlineTimer trusted;
    };
    struct UserPages
    {
        QHash<QString, Page> pages;
        qint64 bytes = 0;
    };

    const int m_lifetimeMs;
    mutable QMutex m_mutex;
    mutable QCache<qint64, UserPages> m_users; // cost: the bytes of a user's pages
    ForgetLog<qint64> m_forgets{ MaxForgets }; // by user
};

} // namespace Tasklane
