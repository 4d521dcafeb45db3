#pragma once

#include "jobrunner.h"

#include <QDateTime>

namespace Tasklane {

class Database;
class JobQueue;

// Runs a reminder job (ReminderScheduler): when the reminder still holds (the task is there,
// open, at the same occurrence, with that reminder), it records one delivery per user who can
// see the task and channel, and queues the job that sends each (kind "email"), all in one
// transaction. A delivery that exists already is not queued again: each (task, occurrence,
// reminder, user, channel) goes out once, whichever process or retry gets here.
class ReminderJob
{
public:
    // A reminder goes out marked late when it fell due before this process started (while no
    // server ran: a catch-up) or more than this long ago (a backlog).
    static constexpr qint64 LateAfterSeconds = 120;

    ReminderJob(const Database &database, const JobQueue &queue);
    JobResult run(const Job &job) const;

private:
    const Database &m_database;
    const JobQueue &m_queue;
    const QDateTime m_startedAt;
};

} // namespace Tasklane
