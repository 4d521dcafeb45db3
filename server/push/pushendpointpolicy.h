#pragma once

#include <QHostAddress>
#include <QString>
#include <QUrl>

#include <optional>

namespace Tasklane {

// Which push endpoints the server will post to, so that a subscription cannot turn it against
// internal services (SSRF): https:// URLs whose host is a public address, checked when a
// subscription is made (IP literals and names resolving to a non-public address) and again on
// every send, against the address actually connected to (PushSender), which DNS tricks cannot
// dodge. `allowLoopback` (setting push_allow_loopback, refused in production) also lets
// http:// and https:// endpoints on loopback through, for tests with a local receiver.
class PushEndpointPolicy
{
public:
    static constexpr qsizetype MaxLength = 2048;

    explicit PushEndpointPolicy(bool allowLoopback) : m_allowLoopback(allowLoopback) { }

    // Why `endpoint` is refused (one sentence), or nullopt when it may be used. Resolves its
    // host name (blocking): call it off the event loop.
    std::optional<QString> refusal(const QString &endpoint) const;
    // Whether a connection to `address` may carry a push message.
    bool mayConnectTo(const QHostAddress &address) const;
    bool allowsLoopback() const { return m_allowLoopback; }

    // True for addresses anyone on the internet could reach: not loopback, private (RFC 1918,
    // unique local), link-local, carrier-grade NAT, multicast, documentation, reserved or
    // unspecified, IPv4-mapped IPv6 judged as IPv4.
    static bool isPublic(const QHostAddress &address);

private:
    bool m_allowLoopback;
};

} // namespace Tasklane
