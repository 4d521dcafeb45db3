#pragma once

#include "pushendpointpolicy.h"

#include <QByteArray>
#include <QString>

#include <stdexcept>

namespace Tasklane {

// A push request that did not get an answer (no connection, a refused address, a timeout).
class PushTransportError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// One push message on its way to a push service (RFC 8030 §5).
struct PushRequest
{
    QString endpoint;
    QByteArray body; // encrypted (WebPushCrypto::encrypt)
    QByteArray authorization; // WebPushCrypto::vapidAuthorization
    int ttlSeconds = 24 * 3600; // how long the push service keeps it for an offline device
    QByteArray topic; // replaces a message of the same topic not yet delivered (<= 32 chars)
    QByteArray urgency = "normal";
};

// What the push service answered.
struct PushResponse
{
    int status = 0;
    qint64 retryAfterSeconds = -1; // from Retry-After (429, 503), -1 when absent
};

// Posts push messages through libcurl (HTTP/2 where the service offers it), synchronously, on
// the calling thread: a worker's. Connects only to addresses `policy` allows (checked against
// the address actually connected to, before the request is sent), follows no redirect, and
// bounds its time. Thread-safe.
class PushSender
{
public:
    explicit PushSender(PushEndpointPolicy policy, int timeoutSeconds = 30);
    // Throws PushTransportError when no answer came.
    PushResponse send(const PushRequest &request) const;
    const PushEndpointPolicy &policy() const { return m_policy; }

private:
    PushEndpointPolicy m_policy;
    int m_timeoutSeconds;
};

} // namespace Tasklane
