#include "pushendpointpolicy.h"

#include <QHostInfo>

#include <utility>

using namespace Qt::StringLiterals;

namespace Tasklane {

bool PushEndpointPolicy::isPublic(const QHostAddress &input)
{
    QHostAddress address = input;
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        address = QHostAddress(v4); // ::ffff:a.b.c.d is a.b.c.d
    static const std::pair<const char *, int> reserved[] = {
        { "0.0.0.0", 8 },      { "10.0.0.0", 8 },     { "100.64.0.0", 10 },  { "127.0.0.0", 8 },
        { "169.254.0.0", 16 }, { "172.16.0.0", 12 },  { "192.0.0.0", 24 },   { "192.0.2.0", 24 },
        { "192.88.99.0", 24 }, { "192.168.0.0", 16 }, { "198.18.0.0", 15 },  { "198.51.100.0", 24 },
        { "203.0.113.0", 24 }, { "224.0.0.0", 4 },    { "240.0.0.0", 4 },    { "::", 128 },
        { "::1", 128 },        { "64:ff9b::", 96 },   { "64:ff9b:1::", 48 }, { "100::", 64 },
        { "2001::", 23 },      { "2001:db8::", 32 },  { "fc00::", 7 },       { "fe80::", 10 },
        { "fec0::", 10 },      { "ff00::", 8 },
    };
    if (address.isNull())
        return false;
    for (const auto &[network, length] : reserved) {
        if (address.isInSubnet(QHostAddress(QString::fromLatin1(network)), length))
            return false;
    }
    return true;
}

bool PushEndpointPolicy::mayConnectTo(const QHostAddress &address) const
{
    return isPublic(address) || (m_allowLoopback && address.isLoopback());
}

std::optional<QString> PushEndpointPolicy::refusal(const QString &endpoint) const
{
    if (endpoint.size() > MaxLength)
        return u"A push endpoint has at most %1 characters."_s.arg(MaxLength);
    const QUrl url(endpoint, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || url.hasFragment())
        return u"This must be the https:// URL the browser's push service gave."_s;
    const bool https = url.scheme() == u"https";
    if (!https && !(m_allowLoopback && url.scheme() == u"http"))
        return u"A push endpoint must be an https:// URL."_s;
    QList<QHostAddress> addresses;
    if (QHostAddress literal; literal.setAddress(url.host())) {
        addresses.append(literal);
    } else {
        const QHostInfo info = QHostInfo::fromName(url.host());
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
            return u"The push endpoint's host name does not resolve."_s;
        addresses = info.addresses();
    }
    for (const QHostAddress &address : std::as_const(addresses)) {
        if (!mayConnectTo(address))
            return u"A push endpoint must be on a public address."_s;
        if (!https && !address.isLoopback())
            return u"A push endpoint must be an https:// URL."_s;
    }
    return std::nullopt;
}

} // namespace Tasklane
