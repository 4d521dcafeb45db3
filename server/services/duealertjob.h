#pragma once

#include "jobrunner.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace Tasklane {

class Database;
class JobQueue;
struct Task;

// The due-soon and overdue alerts, as one recurring job (kind and key "due-alerts") that sweeps
// the tasks whose alerts fell due since its last run, rather than a job per task: creating and
// editing tasks queues nothing. Its payload keeps how far it swept ("swept_to"), so a sweep
// after downtime covers all of it (catch-up, marked late) and nothing twice; the deliveries'
// unique key holds when a sweep is repeated (a worker died) or two processes overlap.
//
// A task with a due time is due soon `leadSeconds` before it and overdue at it; an all-day
// task is due soon `leadSeconds` before its date starts and overdue once it has ended, on its
// owner's wall clock. Only open tasks (not done, not in the trash) alert, and only the current
// occurrence of a recurring one: completing it moves the alerts to the next.
//
// The next run is at the next alert of a task with a due time, and at most a minute away
// (all-day dates and tasks written since); a write that makes an alert due sooner than that
// brings the run forward (TaskService, through bringForward).
class DueAlertJob
{
public:
    static const QString Kind;
    static constexpr qint64 MaxSleepSeconds = 60;
    // An alert goes out marked late when it fell due before this process started or more than
    // this long ago.
    static constexpr qint64 LateAfterSeconds = 120;

    DueAlertJob(const Database &database, const JobQueue &queue, qint64 leadSeconds);

    JobResult run(const Job &job) const;
    // Queues the sweep unless it is pending (at start; with several processes, one job).
    void schedule() const;
    // In a task write's transaction: the sweep runs in time for `task`'s alerts.
    void taskWritten(const Task &task) const;

private:
    // The alerts of the tasks of one kind (`allDay` or timed) whose alert instants fall in
    // (from, to]; returns how many went out.
    int sweep(bool allDay, const QDateTime &from, const QDateTime &to, qint64 jobId) const;

    const Database &m_database;
    const JobQueue &m_queue;
    const qint64 m_leadSeconds;
    const QDateTime m_startedAt;
};

} // namespace Tasklane
