#pragma once

#include "jobrunner.h"
#include "mailcomposer.h"

#include <QDate>
#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;
class JobQueue;
struct NotificationSettings;
struct User;

// The opt-in daily digest: one job per user who wants it (kind "digest", key "digest:<id>"),
// at their chosen hour on their wall clock, queueing the next day's run as it finishes. A run
// records the day's digest delivery (unique per user and day) and queues its email, unless
// there is nothing to tell: no task overdue or due that day, and no email held for it.
class DigestJob
{
public:
    static const QString Kind;
    static const QString Event; // the deliveries' event
    static constexpr int MaxTasks = 50; // per section of the message
    static constexpr int MaxHeld = 100;

    DigestJob(const Database &database, const JobQueue &queue);

    JobResult run(const Job &job) const;
    // In the transaction that changed `user`'s settings from `before` to `after`: their digest
    // job made to match, and the emails held for a digest that no longer replaces them queued.
    void settingsChanged(const User &user, const NotificationSettings &before,
                         const NotificationSettings &after) const;

    static QString keyFor(qint64 userId);
    // The first `hour`:00 on the wall clock of `zone` after `after`.
    static QDateTime nextRunAfter(const QDateTime &after, int hour, const QString &zone);
    // What `user`'s digest of `day` (on their wall clock), going out at `at`, tells: tasks due
    // before `at` are overdue, the others due by the end of `day` are due today.
    static DigestContent gather(const Database &database, const User &user, QDate day,
                                const QDateTime &at);

private:
    const Database &m_database;
    const JobQueue &m_queue;
    const QDateTime m_startedAt;
};

} // namespace Tasklane
