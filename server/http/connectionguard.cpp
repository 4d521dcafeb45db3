#include "connectionguard.h"

#include "corspolicy.h"
#include "httpsyntax.h"
#include "jsonlog.h"
#include "listeningsocket.h"
#include "problemmapping.h"
#include "requestid.h"
#include "responsecompletion.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QUrl>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGuard, "tasklane.http.guard")

namespace Tasklane {

namespace {
constexpr qsizetype MaxChunkLineBytes = 1024;
constexpr int LingerMs = 2000; // how long a closing connection may keep sending before abort
// A body may take the header timeout plus one second per this many bytes: enough for any real
// upload, not for a client that trickles a byte at a time to hold a connection for ever.
constexpr qint64 MinBodyBytesPerSecond = 1024;
// CR and LF allowed before a request line (RFC 9112, section 2.2, asks for at least one CRLF);
// more is refused, and they run the header timer, so that they cannot hold a connection open.
constexpr int MaxLeadingBlankBytes = 8;
// Qt's read buffer holds the largest request on its way, plus this much of what follows it.
constexpr qint64 ReadAheadBytes = 64 * 1024;

bool containsCaseInsensitive(const QList<QByteArray> &values, QByteArrayView needle)
{
    return std::any_of(values.begin(), values.end(), [needle](const QByteArray &value) {
        return QByteArrayView(value).toByteArray().toLower().contains(needle);
    });
}

bool hasToken(const QList<QByteArray> &values, QByteArrayView token)
{
    for (const QByteArray &value : values) {
        const QList<QByteArray> parts = value.split(',');
        for (const QByteArray &part : parts) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}
} // namespace

ConnectionGuard::ConnectionGuard(const Limits &limits, QObject *parent)
    : QTcpServer(parent), m_limits(limits)
{
    const int shortest = std::min(m_limits.headerTimeoutMs, m_limits.idleTimeoutMs);
    m_sweepTimer.setInterval(std::clamp(shortest / 4, 20, 1000));
    connect(&m_sweepTimer, &QTimer::timeout, this, &ConnectionGuard::sweep);
    m_sweepTimer.start();
    // Room for the reconnections of every real-time client after a restart (the kernel caps it
    // at net.core.somaxconn).
    setListenBacklogSize(1024);
    // Out of file descriptors, QTcpServer 6.4 pauses accepting and never resumes by itself.
    connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError error) {
        qCWarning(lcGuard, "accepting a connection failed (%d: %s); accepting again in 250 ms",
                  int(error), qUtf8Printable(errorString()));
        QTimer::singleShot(250, this, [this] {
            if (!m_shuttingDown)
                resumeAccepting();
        });
    });
}

ConnectionGuard::~ConnectionGuard()
{
    // Sockets QHttpServer has not taken yet are children, which ~QTcpServer deletes after this
    // class's members are gone: their destroyed() handlers (which use the members) must not run
    // then. Their places in a shared connection count are given back here.
    m_open->fetch_sub(int(m_connections.size()));
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        disconnect(it.key(), nullptr, this, nullptr);
    const auto children = findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    for (QTcpSocket *socket : children)
        disconnect(socket, nullptr, this, nullptr);
    m_connections.clear();
}

QByteArray ConnectionGuard::refusal(ApiError::Kind kind, const QString &detail,
                                    const RequestLabel &label, qint64 elapsedNs,
                                    const QList<std::pair<QByteArray, QByteArray>> &headers) const
{
    const QByteArray requestId = RequestIds::acceptOrCreate(label.requestId);
    HttpResponse response
            = problemResponse(ApiError(kind, detail), QString::fromLatin1(requestId), QString());
    for (const auto &[name, value] : headers)
        response.setHeader(name, value);
    {
        const JsonLog::RequestScope scope(QString::fromLatin1(requestId));
        qCInfo(lcGuard, "refused: %s", qUtf8Printable(detail));
    }
    AnsweredRequest request;
    request.method = label.method.isEmpty() ? QByteArray("-") : label.method;
    request.path = label.path.isEmpty() ? u"-"_s : QString::fromUtf8(label.path);
    request.requestId = QString::fromLatin1(requestId);
    request.origin = label.origin;
    request.durationMs = double(elapsedNs) / 1e6;
    completeResponse(response, request, m_cors);
    return response.serialize(request.method == "HEAD", true);
}

void ConnectionGuard::turnAway(QTcpSocket *socket)
{
    // Bounded: beyond as many lingering as the cap itself, close at once.
    if (m_turnedAway >= m_limits.maxConnections) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    ++m_turnedAway;
    socket->write(refusal(ApiError::Kind::ServerBusy,
                          u"The server has too many connections; try again shortly."_s, {}, 0));
    const int descriptor = int(socket->socketDescriptor());
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    connect(socket, &QTcpSocket::bytesWritten, socket, [socket, descriptor] {
        if (socket->bytesToWrite() == 0)
            ::shutdown(descriptor, SHUT_WR);
    });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QObject::destroyed, this, [this] { --m_turnedAway; });
    QTimer::singleShot(LingerMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
}

bool ConnectionGuard::listenSharingPort(const QHostAddress &address, quint16 port, PortUse use,
                                        QString *error)
{
    if (use == PortUse::Claim && port != 0) {
        // SO_REUSEPORT would let this socket join any other of this user's on the port (another
        // tasklaned started by mistake), and the two would share connections silently. A bind
        // without it fails while anything holds the port; released at once, the port is then
        // taken with it (a few microseconds in which another program could take it first).
        const int probe = ListeningSocket::bound(address, port, false, error);
        if (probe < 0)
            return false;
        ::close(probe);
    }
    // QTcpServer::listen() cannot set SO_REUSEPORT before it binds: the socket is made here and
    // handed over, listening, with setSocketDescriptor().
    const int descriptor = ListeningSocket::bound(address, port, true, error);
    if (descriptor < 0)
        return false;
    if (::listen(descriptor, listenBacklogSize()) != 0) {
        *error = u"listen: "_s + QString::fromLocal8Bit(std::strerror(errno));
        ::close(descriptor);
        return false;
    }
    if (!setSocketDescriptor(descriptor)) {
        ::close(descriptor);
        *error = errorString();
        return false;
    }
    return true;
}

void ConnectionGuard::incomingConnection(qintptr handle)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    if (m_shuttingDown || m_open->fetch_add(1) >= m_limits.maxConnections) {
        if (!m_shuttingDown)
            m_open->fetch_sub(1);
        turnAway(socket);
        return;
    }
    Connection &connection = m_connections[socket];
    connection.lastActivity.start();
    connection.writeProgress.start();
    socket->setReadBufferSize(readBufferCap(connection));
    connect(socket, &QTcpSocket::disconnected, this,
            [gone = connection.peerGone] { gone->store(true); });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] {
        const auto it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
        it->lastActivity.restart();
        it->writeProgress.restart();
        if (it->phase == Phase::Closing && socket->bytesToWrite() == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
        else
            updateFlow(socket, *it);
    });
    connect(socket, &QObject::destroyed, this, [this](QObject *object) {
        if (const auto it = m_connections.constFind(object); it != m_connections.cend())
            it->peerGone->store(true);
        if (m_connections.remove(object))
            m_open->fetch_sub(1);
    });
    addPendingConnection(socket);
}

void ConnectionGuard::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection &c = *it;
    if (!c.deferredRefusal.isEmpty())
        return; // QHttpServer still reads the requests framed before the refused one
    if (c.phase == Phase::Handover)
        return; // left unread for whoever takes the connection (Qt's read buffer caps it)
    if (c.phase == Phase::Closing || c.phase == Phase::Draining) {
        socket->readAll(); // discarded: nothing more is answered on this connection
        return;
    }
    // Peek: QHttpServer's own slot runs next and reads what it can parse. It may leave the
    // start of a pipelined request behind, already scanned here: skip that part (see
    // followServer()), so that the guard's framing never drifts from QHttpServer's. After the
    // connection's last request nothing is framed (QHttpServer still reads up to its end).
    const qint64 available = socket->bytesAvailable();
    const qint64 seen = std::min(c.scannedAhead, available);
    c.scannedAhead = available;
    if (c.phase != Phase::Headers && c.phase != Phase::AfterLast)
        c.bodyReceived += available - seen;
    if (available > seen && c.phase != Phase::AfterLast) {
        m_scanning = true;
        scan(socket, c, socket->peek(available).sliced(seen));
        m_scanning = false;
    }
    // Paused: QHttpServer must parse nothing more. Unless it is part-way through a request (its
    // own transaction is open: it may finish that one), the bytes are hidden from it until its
    // slot returns (see followServer()).
    if (c.paused && c.phase != Phase::Closing && c.phase != Phase::Draining
        && !socket->isTransactionStarted() && socket->bytesAvailable() > 0) {
        socket->startTransaction();
        socket->read(socket->bytesAvailable()); // within the transaction: kept, only passed
        c.hiding = true;
    }
}

void ConnectionGuard::followServer()
{
    // Connected after QHttpServer's own handler of this signal, so each socket's second slot
    // is connected after QHttpServer's readyRead slot and runs after it.
    connect(this, &QTcpServer::pendingConnectionAvailable, this, [this] {
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
            if (it->followed)
                continue;
            it->followed = true;
            auto *socket = static_cast<QTcpSocket *>(const_cast<QObject *>(it.key()));
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                const auto connection = m_connections.find(socket);
                if (connection == m_connections.end())
                    return;
                if (connection->hiding) {
                    // Paused: what was hidden from QHttpServer is visible again (and was all
                    // scanned); with no read pending nobody parses it until reading resumes.
                    socket->rollbackTransaction();
                    connection->hiding = false;
                }
                connection->scannedAhead = socket->bytesAvailable();
                // QHttpServer dispatches one request per read: the refusal waits until every
                // request framed before it has been.
                if (!connection->deferredRefusal.isEmpty() && connection->framed.isEmpty())
                    answerLast(socket, *connection, std::exchange(connection->deferredRefusal, {}));
                else if (connection->paused)
                    applyReadLimit(socket, *connection);
            });
        }
    });
}

void ConnectionGuard::scan(QTcpSocket *socket, Connection &c, const QByteArray &data)
{
    qsizetype pos = 0;
    bool advanced = false; // a byte that takes a request further (blank lines do not)
    while (pos < data.size()) {
        switch (c.phase) {
        case Phase::AfterLast:
        case Phase::Closing:
        case Phase::Draining:
        case Phase::Handover: pos = data.size(); break;
        case Phase::Headers: {
            if (!c.headerStarted.isValid())
                c.headerStarted.start();
            // A few blank lines before a request line are ignored (RFC 9112, section 2.2); they
            // run the header timer, so a client cannot hold the connection open with them.
            if (c.head.lines == 0 && c.partialLine.isEmpty()
                && (data.at(pos) == '\r' || data.at(pos) == '\n')) {
                if (++c.head.blankBytes > MaxLeadingBlankBytes) {
                    refuse(socket, c, ApiError::Kind::BadRequest,
                           u"Too many blank lines before the request line."_s);
                    return;
                }
                ++pos;
                continue;
            }
            advanced = true;
            const qsizetype newline = data.indexOf('\n', pos);
            const qsizetype end = newline < 0 ? data.size() : newline + 1;
            c.head.bytes += end - pos;
            if (c.head.bytes > m_limits.maxHeaderBytes) {
                refuse(socket, c, ApiError::Kind::HeaderFieldsTooLarge,
                       u"The request's header section exceeds %1 bytes."_s.arg(
                               m_limits.maxHeaderBytes));
                return;
            }
            if (newline < 0) {
                c.partialLine.append(data.constData() + pos, end - pos);
                pos = end;
                break;
            }
            QByteArrayView line(data.constData() + pos, newline - pos);
            if (!c.partialLine.isEmpty()) {
                c.partialLine.append(line);
                line = c.partialLine;
            }
            pos = end;
            if (!line.endsWith('\r')) {
                // A bare LF ends no line for QtHttpServer's header parser.
                refuse(socket, c, ApiError::Kind::BadRequest, u"Lines must end with CRLF."_s);
                return;
            }
            line.chop(1);
            const bool accepted
                    = line.isEmpty() ? headersComplete(socket, c) : headerLine(socket, c, line);
            c.partialLine.clear();
            if (!accepted)
                return;
            break;
        }
        case Phase::Body:
        case Phase::ChunkData: {
            advanced = true;
            const qint64 take = std::min<qint64>(c.remaining, data.size() - pos);
            pos += take;
            c.remaining -= take;
            if (c.remaining == 0) {
                if (c.phase == Phase::Body)
                    requestComplete(c);
                else
                    c.phase = Phase::ChunkDataEnd;
            }
            break;
        }
        case Phase::ChunkSize:
        case Phase::ChunkDataEnd:
        case Phase::Trailers: {
            advanced = true;
            const bool continued = !c.line.isEmpty(); // the line began in an earlier read
            const qsizetype newline = data.indexOf('\n', pos);
            const qsizetype end = newline < 0 ? data.size() : newline + 1;
            c.line.append(data.constData() + pos, end - pos);
            // The framing counts toward the body's cap, so that a request's bytes on the wire
            // (tiny chunks included) stay within one request's worth of Qt's read buffer.
            c.bodyBytes += end - pos;
            pos = end;
            const qsizetype limit
                    = c.phase == Phase::Trailers ? m_limits.maxHeaderBytes : MaxChunkLineBytes;
            if (c.line.size() > limit) {
                refuse(socket, c, ApiError::Kind::BadRequest, u"Malformed chunked body."_s);
                return;
            }
            if (newline < 0)
                break;
            // QtHttpServer 6.4 ends these lines only at CRLF and reads exactly CRLF after the
            // last chunk (it knows no trailers): anything looser would frame the stream
            // differently from it, so it is refused.
            if (!c.line.endsWith("\r\n")) {
                refuse(socket, c, ApiError::Kind::BadRequest, u"Malformed chunked body."_s);
                return;
            }
            c.line.chop(2);
            const QByteArray line = std::exchange(c.line, {});
            if (c.phase == Phase::ChunkDataEnd || c.phase == Phase::Trailers) {
                if (!line.isEmpty()) {
                    refuse(socket, c, ApiError::Kind::BadRequest,
                           c.phase == Phase::Trailers ? u"Chunked trailers are not accepted."_s
                                                      : u"Malformed chunked body."_s);
                    return;
                }
                if (c.phase == Phase::Trailers) {
                    // QtHttpServer 6.4 reads the CRLF after the last chunk as one read of two
                    // bytes: when it arrives split, it takes a byte of what follows for the LF
                    // and parses the next request one byte off from the guard's framing. So a
                    // chunked request whose end arrived split, or with more bytes behind it, is
                    // the connection's last (answered, then closed; what followed is not read).
                    if (continued || pos < data.size())
                        markLast(c);
                    requestComplete(c);
                } else {
                    c.phase = Phase::ChunkSize;
                }
            } else {
                bool ok = false;
                const qsizetype extension = line.indexOf(';');
                const QByteArray sizeText = extension < 0 ? line : line.left(extension);
                const qint64 size = sizeText.size() <= 15 ? sizeText.toLongLong(&ok, 16) : -1;
                if (!ok || size < 0) {
                    refuse(socket, c, ApiError::Kind::BadRequest, u"Malformed chunked body."_s);
                    return;
                }
                c.bodyBytes += size;
                if (c.bodyBytes > c.bodyCap) {
                    refuse(socket, c, ApiError::Kind::PayloadTooLarge,
                           u"The request body exceeds %1 bytes."_s.arg(c.bodyCap));
                    return;
                }
                c.remaining = size;
                c.phase = size == 0 ? Phase::Trailers : Phase::ChunkData;
            }
            break;
        }
        }
    }
    // Only bytes that take a request further keep a connection from being idle.
    if (advanced)
        c.lastActivity.restart();
}

bool ConnectionGuard::headerLine(QTcpSocket *socket, Connection &c, QByteArrayView line)
{
    RequestHead &head = c.head;
    if (++head.lines == 1) {
        // METHOD SP TARGET SP VERSION
        const qsizetype first = line.indexOf(' ');
        const qsizetype last = line.lastIndexOf(' ');
        const QByteArrayView version = line.sliced(last + 1);
        if (first <= 0 || last <= first + 1
            || line.sliced(first + 1, last - first - 1).contains(' '))
            head.malformed = u"Malformed request line."_s;
        else if (version == "HTTP/1.0")
            head.http10 = true;
        else if (version != "HTTP/1.1")
            head.malformed = u"Only HTTP/1.0 and HTTP/1.1 are served."_s;
        if (head.malformed.isEmpty()) {
            // For the request log of a refusal: the path only, as for served requests (a query
            // may carry something secret).
            head.label.method = line.first(first).toByteArray();
            const QByteArrayView target = line.sliced(first + 1, last - first - 1);
            head.target = target.toByteArray();
            const qsizetype query = target.indexOf('?');
            head.label.path = (query < 0 ? target : target.first(query)).toByteArray().left(256);
        }
        return true;
    }
    // The request line does not count as a header field.
    if (head.lines - 1 > m_limits.maxHeaderCount) {
        refuse(socket, c, ApiError::Kind::HeaderFieldsTooLarge,
               u"The request has more than %1 header fields."_s.arg(m_limits.maxHeaderCount));
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    // Folded lines and white space before the colon are classic smuggling vectors.
    if (line.startsWith(' ') || line.startsWith('\t') || colon <= 0
        || line.first(colon).contains(' ') || line.first(colon).contains('\t')) {
        head.malformed = u"Malformed header field."_s;
        return true;
    }
    const QByteArrayView name = line.first(colon);
    // QtHttpServer 6.4 drops every header of a request with one ill-formed name (and then
    // frames its body differently): refuse it instead.
    if (!HttpSyntax::isToken(name)) {
        head.malformed = u"Malformed header field name."_s;
        return true;
    }
    const auto value = [&] { return line.sliced(colon + 1).trimmed().toByteArray(); };
    if (name.compare("content-length", Qt::CaseInsensitive) == 0)
        head.contentLengths.append(value());
    else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
        head.transferEncodings.append(value());
    else if (name.compare("connection", Qt::CaseInsensitive) == 0)
        head.connectionTokens.append(value());
    else if (name.compare("upgrade", Qt::CaseInsensitive) == 0
             && value().toLower().contains("websocket"))
        head.upgradeToWebSocket = true;
    else if (name.compare("expect", Qt::CaseInsensitive) == 0)
        head.expectations.append(value());
    else if (name.compare("host", Qt::CaseInsensitive) == 0)
        ++head.hosts;
    else if (name.compare("x-request-id", Qt::CaseInsensitive) == 0
             && head.label.requestId.isNull())
        head.label.requestId = value().left(256);
    else if (name.compare("origin", Qt::CaseInsensitive) == 0 && head.label.origin.isNull())
        head.label.origin = value().left(256);
    else if (name.compare("authorization", Qt::CaseInsensitive) == 0 && head.authorization.isNull())
        head.authorization = value();
    else if (name.compare("last-event-id", Qt::CaseInsensitive) == 0 && head.lastEventId.isNull())
        head.lastEventId = value().left(64);
    else if (name.compare("sec-websocket-key", Qt::CaseInsensitive) == 0
             && head.webSocketKey.isNull())
        head.webSocketKey = value().left(64);
    else if (name.compare("sec-websocket-version", Qt::CaseInsensitive) == 0
             && head.webSocketVersion.isNull())
        head.webSocketVersion = value().left(16);
    return true;
}

bool ConnectionGuard::headersComplete(QTcpSocket *socket, Connection &c)
{
    const RequestHead &head = c.head;
    if (!head.malformed.isEmpty()) {
        refuse(socket, c, ApiError::Kind::BadRequest, head.malformed);
        return false;
    }
    // RFC 9112, section 3.2: an HTTP/1.1 request has exactly one Host field (1.0 may have none).
    if (head.hosts > 1 || (head.hosts == 0 && !head.http10)) {
        refuse(socket, c, ApiError::Kind::BadRequest,
               u"An HTTP/1.1 request needs exactly one Host header field."_s);
        return false;
    }
    // QtHttpServer 6.4 takes a request for a WebSocket upgrade past the guard (its upgrade
    // branch then closes the connection, losing the answers still owed on it). So every upgrade
    // stops here: the real-time gate's go to it, the others are refused, in order, like any
    // other refusal. The test is wider than QtHttpServer's own (Connection containing "upgrade",
    // Upgrade equal to "websocket"), so nothing it would upgrade gets through.
    const bool upgrade
            = head.upgradeToWebSocket && containsCaseInsensitive(head.connectionTokens, "upgrade");
    if (const auto kind = m_realtime
                ? m_realtime->claims(head.label.method, head.label.path, upgrade)
                : std::nullopt) {
        // QtHttpServer reads the requests framed before this one after this slot returns: it
        // cannot be kept from this one's head then. Browsers and proxies never pipeline these.
        if (!c.framed.isEmpty()) {
            refuse(socket, c, ApiError::Kind::BadRequest,
                   u"A real-time request must not be pipelined behind other requests."_s);
            return false;
        }
        startHandover(socket, c, *kind, upgrade);
        return false;
    }
    if (upgrade) {
        refuse(socket, c, ApiError::Kind::UpgradeNotSupported,
               u"WebSocket upgrades are not served on this path."_s);
        return false;
    }
    qint64 contentLength = 0;
    if (!head.contentLengths.isEmpty()) {
        const QByteArray &first = head.contentLengths.first();
        bool ok = !first.isEmpty() && first.size() <= 18
                && std::all_of(first.begin(), first.end(),
                               [](char ch) { return ch >= '0' && ch <= '9'; })
                && std::all_of(head.contentLengths.begin(), head.contentLengths.end(),
                               [&first](const QByteArray &value) { return value == first; });
        contentLength = ok ? first.toLongLong(&ok) : -1;
        if (!ok || contentLength < 0) {
            refuse(socket, c, ApiError::Kind::BadRequest, u"Invalid Content-Length."_s);
            return false;
        }
    }
    const bool chunked = !head.transferEncodings.isEmpty();
    if (chunked
        && (!head.contentLengths.isEmpty() || head.http10 || head.transferEncodings.size() != 1
            || head.transferEncodings.first().compare("chunked", Qt::CaseInsensitive) != 0)) {
        refuse(socket, c, ApiError::Kind::BadRequest,
               u"Only a single chunked transfer coding without Content-Length is accepted."_s);
        return false;
    }
    // Asked only of requests with a body: most have none.
    const qint64 cap = chunked || contentLength > 0 ? bodyCapOf(head) : m_limits.maxBodyBytes;
    if (contentLength > cap) {
        refuse(socket, c, ApiError::Kind::PayloadTooLarge,
               u"The request body exceeds %1 bytes."_s.arg(cap));
        return false;
    }
    const bool closeAfter = hasToken(head.connectionTokens, "close")
            || (head.http10 && !hasToken(head.connectionTokens, "keep-alive"));
    // An interim 100 goes out only when it cannot overtake an earlier answer on this connection
    // (responses keep request order), and never to HTTP/1.0 clients (RFC 9110, 10.1.1); a
    // client that gets none sends its body after a short wait.
    const bool nothingOutstanding = c.framed.isEmpty() && c.inFlight == 0 && c.pending.isEmpty();
    // Each request keeps how its own answer ends (a later request must not change it).
    c.framed.enqueue({ closeAfter, head.http10 && !closeAfter, chunked ? cap : contentLength });
    if (chunked || contentLength > 0)
        applyReadLimit(socket, c); // room for this request's body
    if ((chunked || contentLength > 0) && hasToken(head.expectations, "100-continue")
        && !head.http10 && nothingOutstanding)
        socket->write("HTTP/1.1 100 Continue\r\n\r\n");

    c.headerStarted.invalidate();
    c.bodyBytes = 0;
    c.bodyCap = cap;
    c.bodyReceived = 0;
    c.bodyStarted.start();
    c.bodyOf = head.label;
    c.head = RequestHead();
    if (chunked) {
        c.phase = Phase::ChunkSize;
    } else if (contentLength > 0) {
        c.phase = Phase::Body;
        c.remaining = contentLength;
    } else {
        requestComplete(c);
    }
    return true;
}

qint64 ConnectionGuard::bodyCapOf(const RequestHead &head) const
{
    if (!m_bodyCap)
        return m_limits.maxBodyBytes;
    // The path the router will see: QHttpServer 6.4 takes the target with QUrl::fromEncoded and
    // routes on its decoded path (an absolute-form target included).
    const QString path = QUrl::fromEncoded(head.target).path();
    const qint64 cap = m_bodyCap(head.label.method, path);
    return cap > 0 ? cap : m_limits.maxBodyBytes;
}

void ConnectionGuard::markLast(Connection &c)
{
    if (!c.framed.isEmpty())
        c.framed.last().closeAfter = true;
}

void ConnectionGuard::requestComplete(Connection &c)
{
    // The request just framed is the last in the queue (QHttpServer dispatches none before the
    // guard has framed it whole). RFC 9112, section 9.6: nothing after a request that closes
    // the connection is processed.
    const bool last = !c.framed.isEmpty() && c.framed.last().closeAfter;
    c.phase = last ? Phase::AfterLast : Phase::Headers;
    c.head = RequestHead();
    c.partialLine.clear();
    c.remaining = 0;
    c.headerStarted.invalidate();
}

ConnectionGuard::Ticket ConnectionGuard::takeTicket(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return {};
    Ticket ticket;
    // Once a request is refused, or the last one dispatched, QHttpServer may still parse what
    // followed it: never served.
    if ((it->phase == Phase::Draining || it->phase == Phase::Closing) && it->framed.isEmpty()) {
        ticket.refused = true;
        return ticket;
    }
    ticket.peerGone = it->peerGone;
    ticket.sequence = it->dispatched++;
    const Framed framed = it->framed.isEmpty() ? Framed() : it->framed.dequeue();
    ticket.closeAfter = framed.closeAfter;
    ticket.announceKeepAlive = framed.announceKeepAlive;
    ++it->inFlight;
    if (framed.closeAfter && it->phase == Phase::AfterLast && it->framed.isEmpty()) {
        // The connection's last request: QHttpServer reads nothing after it (this runs inside
        // its read, after it took this request off the buffer).
        it->phase = Phase::Draining;
        stopReading(socket);
    }
    // QHttpServer has taken this request off the buffer: its room is no longer needed.
    if (framed.bodyBytes > 0)
        applyReadLimit(socket, *it);
    updateFlow(socket, *it);
    return ticket;
}

void ConnectionGuard::submit(QTcpSocket *socket, const Ticket &ticket, const HttpResponse &response,
                             bool headOnly)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    --it->inFlight;
    const bool close = ticket.closeAfter || (m_shuttingDown && it->inFlight == 0);
    QByteArray bytes = response.serialize(headOnly, close, ticket.announceKeepAlive);
    it->pending.insert(ticket.sequence, { std::move(bytes), close });
    writeReady(socket, *it);
    if (it->phase == Phase::Handover) {
        if (it->handover->admitted)
            completeHandover(socket, *it);
        return;
    }
    updateFlow(socket, *it);
}

void ConnectionGuard::writeReady(QTcpSocket *socket, Connection &c)
{
    while (c.phase != Phase::Closing && !c.pending.isEmpty()
           && c.pending.firstKey() == c.nextWrite) {
        const auto [bytes, close] = c.pending.take(c.nextWrite);
        ++c.nextWrite;
        if (socket->state() != QAbstractSocket::ConnectedState)
            continue;
        socket->write(bytes);
        c.lastActivity.restart();
        if (close)
            closeWhenFlushed(socket, c);
    }
}

qint64 ConnectionGuard::readBufferCap(const Connection &c) const
{
    qint64 largestBody = 0;
    for (const Framed &framed : c.framed)
        largestBody = std::max(largestBody, framed.bodyBytes);
    return m_limits.maxHeaderBytes + largestBody + ReadAheadBytes;
}

void ConnectionGuard::applyReadLimit(QTcpSocket *socket, const Connection &c) const
{
    // Capped at what it holds, Qt reads no more from the kernel (TCP then holds the client
    // back). Not while QHttpServer is part-way through a request (its transaction would keep
    // Qt from seeing the buffer as full): it finishes that one first. Set again even when
    // unchanged, since a read that found Qt's buffer empty turned kernel reads back on.
    const bool hold = c.paused && c.phase != Phase::Closing && c.phase != Phase::Draining
            && !socket->isTransactionStarted();
    if (hold) {
        socket->setReadBufferSize(0);
        socket->setReadBufferSize(std::max<qint64>(socket->bytesAvailable(), 1));
    } else if (const qint64 cap = readBufferCap(c); socket->readBufferSize() != cap) {
        socket->setReadBufferSize(cap);
    }
}

void ConnectionGuard::updateFlow(QTcpSocket *socket, Connection &c)
{
    if (c.phase == Phase::Closing)
        return;
    const int outstanding = c.inFlight + int(c.pending.size());
    qint64 unwritten = socket->bytesToWrite(); // and answers waiting for an earlier one:
    for (const auto &[bytes, close] : std::as_const(c.pending))
        unwritten += bytes.size();
    if (!c.paused) {
        if (outstanding < m_limits.maxPipelined && unwritten < m_limits.maxUnwrittenBytes)
            return;
        c.paused = true;
        c.writeProgress.restart();
        applyReadLimit(socket, c);
        return;
    }
    // Resume only well below the limits, so that a connection does not flap at the edge.
    if (outstanding >= m_limits.maxPipelined / 2 + 1 || unwritten > m_limits.maxUnwrittenBytes / 2)
        return;
    c.paused = false;
    // The time spent paused was the server's (or the unread answers'), not this request's.
    if (c.headerStarted.isValid())
        c.headerStarted.restart();
    if (c.phase == Phase::Body || c.phase == Phase::ChunkSize || c.phase == Phase::ChunkData
        || c.phase == Phase::ChunkDataEnd || c.phase == Phase::Trailers) {
        c.bodyStarted.restart();
        c.bodyReceived = 0;
    }
    applyReadLimit(socket, c);
    // What waited in the buffer is parsed now, as QHttpServer does after each request.
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
}

void ConnectionGuard::refuse(QTcpSocket *socket, Connection &c, ApiError::Kind kind,
                             const QString &detail)
{
    const bool inHead = c.phase == Phase::Headers;
    const QByteArray answer
            = refusal(kind, detail, inHead ? c.head.label : c.bodyOf,
                      c.headerStarted.isValid() ? c.headerStarted.nsecsElapsed() : 0);
    // A request refused in its body was framed at the end of its head: it is never served.
    if (c.phase != Phase::Headers && !c.framed.isEmpty())
        c.framed.removeLast();
    c.phase = Phase::Draining;
    if (m_scanning && c.followed && !c.framed.isEmpty()) {
        // Requests framed before this one arrived in the same read: QHttpServer reads and
        // dispatches them when this slot returns; the refusal follows them (see followServer()).
        c.deferredRefusal = answer;
        return;
    }
    answerLast(socket, c, answer);
}

void ConnectionGuard::answerLast(QTcpSocket *socket, Connection &c, const QByteArray &answer)
{
    c.framed.clear(); // framed but never dispatched: not served
    if (c.inFlight == 0) {
        socket->write(answer);
        closeWhenFlushed(socket, c); // stops reading too
        return;
    }
    stopReading(socket);
    // Earlier requests are still being answered: the last answer takes its turn after them, so
    // a pipelining client reads every answer in order before the connection closes.
    c.pending.insert(c.dispatched++, { answer, true });
}

void ConnectionGuard::stopReading(QTcpSocket *socket)
{
    // QHttpServer must not see another byte of this connection; ours discards them.
    QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    // Inside QHttpServer's read transaction every byte read would stay buffered.
    if (socket->isTransactionStarted())
        socket->rollbackTransaction();
    socket->readAll();
}

void ConnectionGuard::closeWhenFlushed(QTcpSocket *socket, Connection &c)
{
    c.phase = Phase::Closing;
    c.closingSince.start();
    c.pending.clear();
    stopReading(socket);
    // Half-close once the answer is out, then linger: closing outright while the client is still
    // sending would reset the connection and could destroy the answer before it is read.
    if (socket->bytesToWrite() == 0)
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
}

void ConnectionGuard::sweep()
{
    QList<QTcpSocket *> timedOutHeaders, stalledBodies, idle, lingering, deferredTooLong,
            handoversTooLong;
    for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
        auto *socket = static_cast<QTcpSocket *>(const_cast<QObject *>(it.key()));
        const Connection &c = it.value();
        if (c.paused && c.phase != Phase::Closing && c.phase != Phase::Draining) {
            // Not read while paused, so no header or body timer applies (they restart on
            // resume); a client that reads none of its answers for the idle time is dropped.
            if (socket->bytesToWrite() > 0 && c.writeProgress.elapsed() > m_limits.idleTimeoutMs)
                lingering.append(socket);
            continue;
        }
        switch (c.phase) {
        case Phase::AfterLast: break; // its last request is framed: the answer closes it
        case Phase::Closing:
            if (c.closingSince.elapsed() > LingerMs)
                lingering.append(socket);
            break;
        case Phase::Handover:
            // The gate answers within the header time, or the client is told it timed out.
            if (!c.handover->admitted && c.handover->started.elapsed() > m_limits.headerTimeoutMs)
                handoversTooLong.append(socket);
            break;
        case Phase::Draining:
            // The answers still owed come from the workers; a refusal deferred for requests
            // that QHttpServer has not read after all goes out without them.
            if (!c.deferredRefusal.isEmpty() && c.lastActivity.elapsed() > LingerMs)
                deferredTooLong.append(socket);
            break;
        case Phase::Headers:
            if (c.headerStarted.isValid() && c.headerStarted.elapsed() > m_limits.headerTimeoutMs)
                timedOutHeaders.append(socket);
            else if (!c.headerStarted.isValid() && c.inFlight == 0 && c.pending.isEmpty()
                     && (m_shuttingDown || c.lastActivity.elapsed() > m_limits.idleTimeoutMs))
                idle.append(socket);
            break;
        default: // a body is arriving
            if (c.lastActivity.elapsed() > m_limits.idleTimeoutMs
                || c.bodyStarted.elapsed()
                        > m_limits.headerTimeoutMs + c.bodyReceived * 1000 / MinBodyBytesPerSecond)
                stalledBodies.append(socket);
            break;
        }
    }
    for (QTcpSocket *socket : std::as_const(timedOutHeaders))
        refuse(socket, m_connections[socket], ApiError::Kind::RequestTimeout,
               u"The request's headers did not arrive in time."_s);
    for (QTcpSocket *socket : std::as_const(stalledBodies))
        refuse(socket, m_connections[socket], ApiError::Kind::RequestTimeout,
               u"The request's body stalled or arrived too slowly."_s);
    for (QTcpSocket *socket : std::as_const(idle))
        closeWhenFlushed(socket, m_connections[socket]);
    for (QTcpSocket *socket : std::as_const(lingering))
        socket->abort();
    for (QTcpSocket *socket : std::as_const(handoversTooLong)) {
        Connection &c = m_connections[socket];
        const auto handover = std::exchange(c.handover, {});
        c.phase = Phase::Draining;
        answerLast(socket, c,
                   refusal(ApiError::Kind::ServerBusy,
                           u"The server could not check the request in time; try again."_s,
                           handover->label, handover->started.nsecsElapsed()));
    }
    for (QTcpSocket *socket : std::as_const(deferredTooLong)) {
        Connection &c = m_connections[socket];
        answerLast(socket, c, std::exchange(c.deferredRefusal, {}));
    }
}

bool ConnectionGuard::flushAll()
{
    bool done = true;
    for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
        auto *socket = static_cast<QTcpSocket *>(const_cast<QObject *>(it.key()));
        socket->flush();
        done = done && socket->bytesToWrite() == 0;
    }
    return done;
}

bool ConnectionGuard::receiving() const
{
    return std::any_of(m_connections.cbegin(), m_connections.cend(), [](const Connection &c) {
        switch (c.phase) {
        case Phase::Headers: return c.headerStarted.isValid() || !c.framed.isEmpty();
        case Phase::AfterLast: return !c.framed.isEmpty();
        case Phase::Draining:
        case Phase::Closing: return false;
        case Phase::Handover: return !c.handover->admitted;
        default: return true; // a body is arriving
        }
    });
}

void ConnectionGuard::beginShutdown()
{
    m_shuttingDown = true;
    close();
    sweep(); // closes the idle ones now; busy ones close after their last response
}

} // namespace Tasklane
