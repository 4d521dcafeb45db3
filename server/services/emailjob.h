#pragma once

#include "jobrunner.h"

#include <QString>

namespace Tasklane {

class Database;
class NoticeMailer;

// Sends one email delivery (kind "email", payload {"delivery_id"}): a message about a task, or
// a daily digest (with the emails held for it), written by MailComposer; sends it through the
// NoticeMailer with the job's uid in its Message-ID (a retry sends the same Message-ID), and
// records the outcome on the delivery. A permanent refusal (5xx) is recorded as failed and ends the
// job dead, for an operator to retry; anything else is retried with backoff.
class EmailJob
{
public:
    static const QString Kind;

    EmailJob(const Database &database, const NoticeMailer &mail);
    JobResult run(const Job &job) const;

private:
    const Database &m_database;
    const NoticeMailer &m_mail;
};

} // namespace Tasklane
