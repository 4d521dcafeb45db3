#pragma once

#include "principal.h"

#include <QDateTime>
#include <QJsonObject>

namespace Tasklane {

class CommitGroup;
class Database;
class MailTexts;
class SmsSender;

// A user's phone number for SMS notifications (POST /users/me/phone, .../verify): a new number
// gets a 6-digit code by SMS, stored only as a salted hash, valid `CodeLifetimeSeconds`, with at
// most `MaxAttempts` tries; codes go out at most once a minute and `MaxSendsPerHour` an hour
// per user. The number takes effect once its code is confirmed.
class PhoneService
{
public:
    static constexpr qint64 CodeLifetimeSeconds = 10 * 60;
    static constexpr int MaxAttempts = 5;
    static constexpr qint64 ResendAfterSeconds = 60;
    static constexpr int MaxSendsPerHour = 5;

    PhoneService(const Database &database, CommitGroup &writes, const SmsSender &sms);

    // {"phone": verified number or null, "pending": {"phone", "expires_at"} or null}
    QJsonObject status(const Principal &principal) const;
    // Sends a code to the number in `body`; the pending verification as status() shows it.
    // TooManyRequests (with a Retry-After) when codes went out too recently or too often;
    // UpstreamFailed when the SMS provider did not take it.
    QJsonObject requestCode(const Principal &principal, const QJsonObject &body) const;
    // The code in `body` confirmed: the number is the user's. ValidationFailed when it is
    // wrong (counted), expired, or tried too often (then a new code is needed).
    QJsonObject verify(const Principal &principal, const QJsonObject &body) const;
    // The user's number removed: no more SMS. NotFound when there was none.
    void remove(const Principal &principal) const;

private:
    // The number SMS notifications go to was set or removed: a profile change in the activity
    // log, in the caller's transaction.
    void recordSmsNumberChange(const Principal &principal) const;
    static QString codeHash(const QString &salt, const QString &code);

    const Database &m_database;
    CommitGroup &m_writes;
    const SmsSender &m_sms;
    const std::unique_ptr<MailTexts> m_texts;
};

} // namespace Tasklane
