#pragma once

#include "jobrunner.h"
#include "mailcomposer.h"
#include "webpushcrypto.h"

#include <QString>

namespace Tasklane {

class Database;
class PushSender;

// Sends one push delivery (kind "push", payload {"delivery_id"}) to every browser its user
// subscribed: a JSON message ({"title", "body", "event", "task_id", "url", "late"}) encrypted
// for each (RFC 8291), signed for the push service with the server's VAPID key (RFC 8292), with
// the job's uid as its Topic (a retry replaces a message still pending, not doubles it). Every
// attempt is in the delivery log. A push service answering 404 or 410 ends that subscription;
// the delivery is sent once any browser took it, retried with backoff while only temporary
// failures (429, 5xx, no answer) stand in the way, and failed otherwise.
class PushJob
{
public:
    static const QString Kind;
    static constexpr int TtlSeconds = 24 * 3600;

    PushJob(const Database &database, const PushSender &sender, P256Key vapidKey,
            QString vapidSubject, QString publicUrl);
    JobResult run(const Job &job) const;

private:
    const Database &m_database;
    const PushSender &m_sender;
    const P256Key m_vapidKey;
    const QString m_vapidSubject;
    const QString m_publicUrl;
    const MailComposer m_texts;
};

} // namespace Tasklane
