#pragma once

#include <QHostAddress>
#include <QString>

namespace Tasklane::ListeningSocket {

// A TCP socket bound to address:port (SO_REUSEADDR, as QTcpServer sets it; SO_REUSEPORT when
// `sharing`), not listening yet, or -1 with `*error` set.
int bound(const QHostAddress &address, quint16 port, bool sharing, QString *error);

} // namespace Tasklane::ListeningSocket
