#include "clientaddress.h"

#include <QString>

namespace Tasklane {

namespace {
// An IPv4-mapped IPv6 peer (::ffff:10.0.0.1 on a dual-stack socket) as plain IPv4, so that
// 10.0.0.0/8 covers it.
QHostAddress plain(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}
} // namespace

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress candidate = plain(address);
    for (const auto &subnet : m_subnets) {
        if (candidate.isInSubnet(subnet))
            return true;
    }
    return false;
}

QHostAddress TrustedProxies::clientAddress(const QHostAddress &peer,
                                           const QByteArray &forwardedFor) const
{
    QHostAddress client = plain(peer);
    if (m_subnets.isEmpty() || forwardedFor.isEmpty() || !contains(client))
        return client;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto hop = hops.crbegin(); hop != hops.crend(); ++hop) {
        QHostAddress address;
        if (!address.setAddress(QString::fromLatin1(hop->trimmed())))
            return client; // unreadable: the last trusted hop is all that is known
        client = plain(address);
        if (!contains(client))
            return client;
    }
    return client; // every hop a proxy of ours
}

} // namespace Tasklane
