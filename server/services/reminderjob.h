#pragma once

#include "jobrunner.h"
#include "mailmessage.h"
#include "notifier.h"

#include <QDateTime>
#include <QList>
#include <QSet>

#include <optional>

namespace Tasklane {

class Database;
class JobQueue;
class NoticeMailer;

// Runs a reminder job (ReminderScheduler): when the reminder still holds (the task is there,
// open, at the same occurrence, with that reminder), it records one delivery per user who can
// see the task and channel they chose, and queues the job that sends each (kind "email",
// "push", "sms"). A delivery that exists already is not made again: each (task, occurrence,
// reminder, user, channel) goes out once, whichever process or retry gets here.
//
// A batch's reminder jobs run together (JobBatchHandler): what they read (their tasks, their
// users' settings and accounts, which emails went out already) takes a few statements for all
// of them, in their run, outside any transaction; what they write, they write in the
// transaction that marks them done: the decision is the reminder's firing, and
// a change to the task that commits meanwhile comes after it (writes cancel only queued reminder
// jobs). With a local mailer (the outbox folder) it writes each email itself, before that
// transaction, instead of queueing an email job: a job sent again writes the same file
// (Message-ID <job uid>-<user id>), and the delivery is recorded as sent with the job done.
class ReminderJob
{
public:
    // A reminder goes out marked late when it fell due before this process started (while no
    // server ran: a catch-up) or more than this long ago (a backlog).
    static constexpr qint64 LateAfterSeconds = 120;
    // How far apart the clocks of two servers on one database may be: a job queued longer than
    // this before its reminder's time cannot follow one that sent it already (the outbox's
    // check for an email sent is skipped).
    static constexpr qint64 ClockSkewSeconds = 30;

    ReminderJob(const Database &database, const JobQueue &queue, const NoticeMailer &mail);

    QList<JobOutcome> runBatch(const QList<Job> &jobs) const;

private:
    // The email to `recipient`, unless it went out already (its key in `told`: an earlier job
    // of the same reminder) or cannot go from here (no valid address: the email job it gets
    // instead records why).
    std::optional<MailMessage> emailOf(const Job &job, const Task &task,
                                       const Notifier::Occasion &occasion,
                                       const Notifier::Recipient &recipient,
                                       const QSet<QString> &told, const QDateTime &now) const;
    // Writes `messages` to the outbox, durably, all at once; the places of those written (the
    // others get an email job instead, which tries again and records why not).
    QList<qsizetype> sendNow(const QList<MailMessage> &messages) const;

    const Database &m_database;
    const JobQueue &m_queue;
    const NoticeMailer &m_mail;
    const QDateTime m_startedAt;
};

} // namespace Tasklane
