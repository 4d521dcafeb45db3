#pragma once

#include "jobrunner.h"

#include <QString>

#include <optional>

namespace Tasklane {

class AttachmentStore;
class AuthService;
class Database;
class IdempotencyService;
class JobQueue;
class LogStore;
class TaskListService;
class TaskService;

// The periodic cleanup, run as a job (kind "cleanup", one pending at a time: key "cleanup"):
// each run deletes what has expired, logs what it removed, and queues the next run. Every step
// runs on its own: one that fails is logged and left to the next run, the others go on.
class CleanupJob
{
public:
    static const QString Kind;

    struct Periods
    {
        qint64 intervalSeconds = 600;
        qint64 jobRetentionDays = 30; // finished jobs
        qint64 readNotificationRetentionDays = 90;
        qint64 trashRetentionDays = 30;
        qint64 eventRetentionDays = 7; // the real-time feed's
        qint64 rateWindowSeconds = 60; // of the sign-in limits' counters
        qint64 lockSeconds = 900; // of the login throttle's failures
        qint64 logRetentionDays = 14; // the log store's records
        qint64 logMaxRecords = 1'000'000;
        qint64 activityRetentionDays = 365;
    };
    // Real-time events pruned per run at most, in batches of EventPruneBatch.
    static constexpr int EventPruneBatch = 5000;
    static constexpr int EventPruneLimit = 200'000;

    CleanupJob(const Database &database, const AuthService &auth,
               const IdempotencyService &idempotency, const TaskListService &listing,
               const TaskService &tasks, const AttachmentStore &files, const LogStore &logs,
               Periods periods);
    // Tasks purged from the trash per run at most (the next run goes on).
    static constexpr int TrashPurgeBatch = 500;

    JobResult run(const Job &job) const;
    // Queues a run now unless one is pending (at start: with several processes, one job).
    void schedule(const JobQueue &queue) const;

private:
    const Database &m_database;
    const AuthService &m_auth;
    const IdempotencyService &m_idempotency;
    const TaskListService &m_listing;
    const TaskService &m_tasks;
    const AttachmentStore &m_files;
    const LogStore &m_logs;
    const Periods m_periods;
};

} // namespace Tasklane
