#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace Tasklane {

// Who the client of a request is. Without trusted proxies, the peer of the connection. When
// the peer is a configured proxy, X-Forwarded-For is read from its right end (the entry that
// proxy added) leftwards, past further trusted proxies, to the first address that is not one:
// entries to its left were written by the client and prove nothing. A malformed entry stops
// the walk at the last trusted hop.
class TrustedProxies
{
public:
    TrustedProxies() = default;
    explicit TrustedProxies(QList<QPair<QHostAddress, int>> subnets) : m_subnets(std::move(subnets))
    { }

    bool isEmpty() const { return m_subnets.isEmpty(); }
    bool contains(const QHostAddress &address) const;
    QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor) const;

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

} // namespace Tasklane
