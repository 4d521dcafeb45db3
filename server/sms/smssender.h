#pragma once

#include <QString>

#include <stdexcept>

namespace Tasklane {

// A message the SMS provider did not take: `permanent` when trying again cannot help (a number
// it refuses, our credentials); otherwise worth a retry (429, 5xx, no answer).
class SmsError : public std::runtime_error
{
public:
    SmsError(const QString &message, bool permanent)
        : std::runtime_error(message.toStdString()), m_permanent(permanent)
    { }
    bool isPermanent() const { return m_permanent; }

private:
    bool m_permanent;
};

// Where text messages go: an SMS (or WhatsApp) provider, or the outbox folder. Thread-safe;
// send() blocks until the provider answered (its time bounded).
class SmsSender
{
public:
    virtual ~SmsSender() = default;
    // Sends `text` to the E.164 number `to`; returns the provider's id of the message (may be
    // empty). Throws SmsError.
    virtual QString send(const QString &to, const QString &text) const = 0;
    // For the start-up log: where messages go (no secrets).
    virtual QString destination() const = 0;
};

} // namespace Tasklane
