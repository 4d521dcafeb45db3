#pragma once

#include "apierror.h"
#include "httpresponse.h"
#include "realtimegate.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QQueue>
#include <QTcpServer>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

class QTcpSocket;

namespace Tasklane {

class CorsPolicy;

// The listening socket in front of QHttpServer 6.4, which polices nothing itself (see
// ../shared/notes/qthttpserver-6.4.md). Its readyRead slot runs before QHttpServer's and frames
// each request: too many or too large header fields get 431 and a close before QHttpServer
// parses them (no smuggling), bodies over their route's cap 413, ambiguous framing 400, WebSocket
// upgrades 400 (in order, then a close); it answers Expect: 100-continue, times out slow headers
// (408) and idle keep-alive connections, caps the number of connections (503), honours
// Connection: close and HTTP/1.0 (nothing after such a request is read), and writes each
// connection's responses in request order, however the workers finish.
//
// Back-pressure: a connection with more than a few requests in flight, or more than a few
// hundred KiB of answers its client has not read, is not read any further (neither parsed by
// QHttpServer nor read from the kernel) until its client catches up, so that what one
// connection can make the server hold is bounded by a constant, whatever its client sends.
class ConnectionGuard final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionGuard)

public:
    struct Limits
    {
        int maxHeaderCount = 64;
        int maxHeaderBytes = 32 * 1024;
        qint64 maxBodyBytes = 10 * 1024 * 1024; // unless the body cap lookup says otherwise
        int headerTimeoutMs = 10'000;
        int idleTimeoutMs = 60'000;
        int maxConnections = 1024;
        // Back-pressure: reading pauses above either, and resumes once both are low again.
        int maxPipelined = 8; // requests dispatched whose answers are not written yet
        qint64 maxUnwrittenBytes = 256 * 1024; // answers waiting for the client to read them
    };

    // What the guard learnt of a request while framing it, handed to the router on dispatch.
    struct Ticket
    {
        quint64 sequence = 0;
        bool closeAfter = false;
        bool announceKeepAlive = false; // an HTTP/1.0 request that asked to stay open
        bool refused = false; // beyond a refused request: drop it, answer nothing
        // Set (on the server's thread) once the client has gone: read from any thread.
        std::shared_ptr<const std::atomic_bool> peerGone;
    };

    // The body cap of a request, from its method and its path (percent-decoded, as QHttpServer
    // decodes it): 0 leaves it at Limits::maxBodyBytes. Asked once per request with a body, as
    // soon as its head is complete, on the server's thread.
    using BodyCapLookup = std::function<qint64(QByteArrayView method, QStringView path)>;

    explicit ConnectionGuard(const Limits &limits, QObject *parent = nullptr);
    ~ConnectionGuard() override;

    // Caps bodies per request (the router's routes declare theirs); without it every request
    // has Limits::maxBodyBytes.
    void setBodyCapLookup(BodyCapLookup lookup) { m_bodyCap = std::move(lookup); }

    // The next request QHttpServer dispatches on `socket`, in the order they were framed.
    Ticket takeTicket(QTcpSocket *socket);
    // Writes a response once every earlier response on its connection has gone out; closes the
    // connection after it when the request asked to, or the server is shutting down.
    void submit(QTcpSocket *socket, const Ticket &ticket, const HttpResponse &response,
                bool headOnly);

    // Call once, right after QHttpServer::bind(this): from then on the guard also learns, after
    // each read, how much QHttpServer left unread in a socket's buffer.
    void followServer();

    int connectionCount() const { return int(m_connections.size()); }
    // Listens on `address`:`port` with SO_REUSEPORT, so that the guards of several event loops
    // (HttpShard) listen on one port and the kernel spreads connections over them. The first
    // claims the port: refused while anything else holds it, as QTcpServer::listen() would be
    // (port 0 picks a free one). The others join it, on serverPort(). False, with `*error`,
    // when the socket cannot be made, bound or listened on.
    enum class PortUse { Claim, Join };
    bool listenSharingPort(const QHostAddress &address, quint16 port, PortUse use, QString *error);
    // Makes maxConnections a cap on the connections of every guard sharing `open` (each one's
    // open connections are counted in it), instead of on this guard's alone. Before listening.
    void shareConnectionCount(std::shared_ptr<std::atomic<int>> open) { m_open = std::move(open); }
    // Refusals carry CORS headers for the origins this policy allows (it must outlive the guard).
    void setCorsPolicy(const CorsPolicy *cors) { m_cors = cors; }
    // Hands the requests `gate` claims to it (it must outlive the guard); without one every
    // WebSocket upgrade is refused (400).
    void setRealtimeGate(RealtimeGate *gate) { m_realtime = gate; }
    // Stops listening and closes connections as soon as they have nothing in flight.
    void beginShutdown();
    // True while a connection is part-way through sending a request (its head or body), or
    // holds one framed that QHttpServer has not dispatched yet: shutdown waits for those too.
    bool receiving() const;
    // Pushes buffered responses to the kernel; true when nothing is left unsent.
    bool flushAll();

protected:
    void incomingConnection(qintptr handle) override;

private:
    // AfterLast: the request framed last is the connection's last (Connection: close, HTTP/1.0,
    // or a chunked body followed by more bytes); nothing after it is framed, and once it is
    // dispatched nothing more is read. Draining: a request was refused while earlier ones were
    // still being answered, or the last request was dispatched; input is discarded and the last
    // answer waits its turn. Closing: answered for the last time, discarding input until the
    // peer goes or time runs out. Handover: a real-time request's head is complete, hidden from
    // QtHttpServer, and waits for the gate's decision and for the answers owed before it; then
    // the connection leaves the guard (or gets its refusal, Draining).
    enum class Phase {
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        AfterLast,
        Draining,
        Closing,
        Handover
    };

    // What a refusal needs of its request: method and path for the request log, and the
    // client's X-Request-Id and Origin for the answer's headers.
    struct RequestLabel
    {
        QByteArray method, path, requestId, origin;
    };

    // What the guard keeps of a request head while it arrives, line by line.
    struct RequestHead
    {
        int lines = 0; // the request line included
        qsizetype bytes = 0;
        bool http10 = false;
        int hosts = 0; // Host header fields
        int blankBytes = 0; // CR and LF before the request line
        bool upgradeToWebSocket = false; // an Upgrade field names websocket
        RequestLabel label;
        // Kept for a real-time request (RealtimeRequest): the first of each field.
        QByteArray authorization, lastEventId, webSocketKey, webSocketVersion;
        QByteArray target; // the request-target as sent (the header cap bounds it)
        QString malformed; // why the head is refused, once known
        QList<QByteArray> contentLengths, transferEncodings, connectionTokens, expectations;
    };

    // A request framed but not dispatched yet, and how its answer ends.
    struct Framed
    {
        bool closeAfter = false;
        bool announceKeepAlive = false;
        qint64 bodyBytes = 0; // its Content-Length, or its cap for a chunked body
    };

    struct Connection
    {
        Phase phase = Phase::Headers;
        RequestHead head;
        RequestLabel bodyOf; // the request whose body is arriving
        QByteArray partialLine; // a header line split across reads
        QByteArray line; // chunk-size, chunk end and trailer lines
        qint64 remaining = 0;
        qint64 bodyBytes = 0;
        qint64 bodyCap = 0; // the cap of the body arriving
        QQueue<Framed> framed; // framed, not dispatched yet, in order
        quint64 dispatched = 0;
        quint64 nextWrite = 0;
        QMap<quint64, std::pair<QByteArray, bool>> pending; // serialised, then close-after
        int inFlight = 0;
        // Back-pressure (see the class comment). While paused, the guard's readyRead slot hides
        // the buffered bytes from QHttpServer in a read transaction that its slot after
        // QHttpServer's rolls back ('hiding' in between), and Qt's read buffer is capped at what
        // it holds, so that nothing more is read from the kernel.
        bool paused = false;
        bool hiding = false;
        QElapsedTimer writeProgress; // since the client last read part of an answer
        QElapsedTimer lastActivity;
        QElapsedTimer headerStarted;
        QElapsedTimer bodyStarted;
        qint64 bodyReceived = 0; // bytes that arrived since the body began
        QElapsedTimer closingSince;
        // Bytes at the front of the socket's buffer that the guard has scanned but QHttpServer
        // has not read yet (it reads whole requests and may leave a partial one behind).
        qint64 scannedAhead = 0;
        bool followed = false; // the post-read slot is connected
        QByteArray deferredRefusal; // written after QHttpServer's read of this batch
        // Phase::Handover: the request handed to the gate, and its decision once made.
        struct Handover
        {
            quint64 serial = 0; // tells the decision on this request from a stale one
            RealtimeRequest request;
            RequestLabel label;
            QElapsedTimer started;
            bool admitted = false;
            std::shared_ptr<void> grant;
        };
        std::shared_ptr<Handover> handover;
        std::shared_ptr<std::atomic_bool> peerGone = std::make_shared<std::atomic_bool>(false);
    };

    void onReadyRead(QTcpSocket *socket);
    void scan(QTcpSocket *socket, Connection &connection, const QByteArray &data);
    // Takes one complete header line (without its line ending); false when it was refused.
    bool headerLine(QTcpSocket *socket, Connection &connection, QByteArrayView line);
    bool headersComplete(QTcpSocket *socket, Connection &connection);
    // The body cap of the request whose head is complete.
    qint64 bodyCapOf(const RequestHead &head) const;
    void requestComplete(Connection &connection);
    void writeReady(QTcpSocket *socket, Connection &connection);
    // Pauses or resumes reading as the connection's outstanding answers grow or shrink.
    void updateFlow(QTcpSocket *socket, Connection &connection);
    // Caps Qt's read buffer: at what it holds while paused, else at readBufferCap().
    void applyReadLimit(QTcpSocket *socket, const Connection &connection) const;
    // Room for the largest request not dispatched yet (QHttpServer keeps the one it parses in
    // the buffer until it is whole), a header section, and a little read-ahead; small while
    // only small requests are on their way, so that pipelined bytes wait in the kernel.
    qint64 readBufferCap(const Connection &connection) const;
    // The request being framed (the last one queued) is the connection's last: its answer
    // closes the connection.
    void markLast(Connection &connection);
    void refuse(QTcpSocket *socket, Connection &connection, ApiError::Kind kind,
                const QString &detail);
    void closeWhenFlushed(QTcpSocket *socket, Connection &connection);
    // Disconnects QHttpServer from the socket; from now on the guard discards its input.
    void stopReading(QTcpSocket *socket);
    // Stops reading and sends `answer` after every answer still owed, then closes.
    void answerLast(QTcpSocket *socket, Connection &connection, const QByteArray &answer);
    void sweep();
    // A problem response as bytes, with the client's request id if sane (else a new one) and
    // CORS headers for an allowed origin, and its line in the request log.
    QByteArray refusal(ApiError::Kind kind, const QString &detail, const RequestLabel &label,
                       qint64 elapsedNs,
                       const QList<std::pair<QByteArray, QByteArray>> &headers = {}) const;

    // Takes a claimed real-time request away from QtHttpServer and asks the gate about it.
    void startHandover(QTcpSocket *socket, Connection &connection, RealtimeRequest::Kind kind,
                       bool upgrade);
    // The gate's decision, on the guard's thread.
    void handoverDecided(QTcpSocket *socket, quint64 serial, RealtimeAdmission admission);
    // Gives an admitted connection to the gate once nothing is owed on it any more.
    void completeHandover(QTcpSocket *socket, Connection &connection);

    // Answers a connection beyond the cap (or during shutdown) with 503 and closes it, reading
    // and discarding its request first so that the close does not reset the answer.
    void turnAway(QTcpSocket *socket);

    Limits m_limits;
    BodyCapLookup m_bodyCap;
    const CorsPolicy *m_cors = nullptr;
    RealtimeGate *m_realtime = nullptr;
    quint64 m_handovers = 0;
    QHash<const QObject *, Connection> m_connections;
    // Open connections, this guard's and those of the guards sharing the count.
    std::shared_ptr<std::atomic<int>> m_open = std::make_shared<std::atomic<int>>(0);
    int m_turnedAway = 0; // connections answered 503 and lingering
    QTimer m_sweepTimer;
    bool m_shuttingDown = false;
    bool m_scanning = false; // inside onReadyRead's scan: QHttpServer reads after it returns
};

} // namespace Tasklane
