#include "listeningsocket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Tasklane {

int ListeningSocket::bound(const QHostAddress &address, quint16 port, bool sharing, QString *error)
{
    const bool ipv6 = address.protocol() != QAbstractSocket::IPv4Protocol;
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (ipv6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address == QHostAddress::Any
                ? QHostAddress(QHostAddress::AnyIPv6).toIPv6Address()
                : address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int descriptor
            = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const auto fail = [error, descriptor](const char *step) {
        const int code = errno;
        if (descriptor >= 0)
            ::close(descriptor);
        *error = QString::fromLatin1(step) + u": "_s + QString::fromLocal8Bit(std::strerror(code));
        return -1;
    };
    if (descriptor < 0)
        return fail("socket");
    const int on = 1;
    // Any: both IPv4 and IPv6 (as QTcpServer listens); an IPv6 address: IPv6 alone.
    const int v6only = address == QHostAddress::Any ? 0 : 1;
    if (::setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || (sharing && ::setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        || (ipv6
            && ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0))
        return fail("setsockopt");
    if (::bind(descriptor, reinterpret_cast<const sockaddr *>(&storage), length) != 0)
        return fail("bind");
    return descriptor;
}

} // namespace Tasklane
