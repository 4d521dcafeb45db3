#pragma once

#include "jobrunner.h"
#include "mailcomposer.h"

namespace Tasklane {

class Database;
class SmsSender;

// Sends one SMS delivery (kind "sms", payload {"delivery_id"}) to its user's verified number:
// the event's one-line subject and a link, in the user's language. A refusal the provider
// calls permanent (a number it cannot reach) is recorded as failed and the job is dead, for an
// operator to retry; anything else is retried with backoff. Every attempt is logged.
class SmsJob
{
public:
    static const QString Kind;

    SmsJob(const Database &database, const SmsSender &sms, QString publicUrl);
    JobResult run(const Job &job) const;

private:
    const Database &m_database;
    const SmsSender &m_sms;
    const QString m_publicUrl;
    const MailComposer m_texts;
};

} // namespace Tasklane
