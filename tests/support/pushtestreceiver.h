#pragma once

#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QTemporaryDir>

namespace Tasklane::Test {

// A local push service for a test (tests/support/pushreceiver.py, python3-cryptography) on a
// free loopback port: it hands out browser-like subscriptions, checks the VAPID token of each
// message, decrypts it, and keeps what arrived. The first `gone` subscriptions answer 410.
class PushTestReceiver
{
public:
    PushTestReceiver() = default;
    ~PushTestReceiver();
    Q_DISABLE_COPY_MOVE(PushTestReceiver)

    bool start(int subscriptions, int gone = 0);
    // The subscriptions, as a browser's PushSubscription.toJSON(): {endpoint, keys}.
    QList<QJsonObject> subscriptions() const;
    // What arrived, oldest first: {subscription, status, ttl, topic, urgency, encoding,
    // vapid_ok, vapid_error, message (the decrypted JSON, or null), decrypt_error}.
    QList<QJsonObject> messages() const;

private:
    QTemporaryDir m_folder;
    QProcess m_process;
};

} // namespace Tasklane::Test
