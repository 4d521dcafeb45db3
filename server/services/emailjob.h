#pragma once

#include "jobrunner.h"
#include "mailcomposer.h"
#include "mailmessage.h"

#include <QString>

namespace Tasklane {

class Database;
class Mailer;

// Who notification email comes from and where its links point (settings mail_from,
// public_url).
struct MailSettings
{
    MailAddress from;
    QString publicUrl; // links start with it, never with a request's Host
};

// Sends one email delivery (kind "email", payload {"delivery_id"}): a message about a task, or
// a daily digest (with the emails held for it), written by MailComposer; sends it through the
// Mailer with the job's uid in its Message-ID (a retry sends the same Message-ID), and records the
// outcome on the delivery. A permanent refusal (5xx) is recorded as failed and ends the job dead,
// for an operator to retry; anything else is retried with backoff.
class EmailJob
{
public:
    static const QString Kind;

    EmailJob(const Database &database, const Mailer &mailer, MailSettings settings);
    JobResult run(const Job &job) const;

private:
    const Database &m_database;
    const Mailer &m_mailer;
    const MailSettings m_settings;
    const MailComposer m_composer;
};

} // namespace Tasklane
