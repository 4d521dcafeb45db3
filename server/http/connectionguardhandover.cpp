// ConnectionGuard's hand-over of real-time requests to the RealtimeGate (see realtimegate.h):
// the head is kept from QtHttpServer, the gate decides, and an admitted connection leaves the
// guard once every answer owed before it was written.
#include "connectionguard.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace Tasklane {

void ConnectionGuard::startHandover(QTcpSocket *socket, Connection &c, RealtimeRequest::Kind kind,
                                    bool upgrade)
{
    const RequestHead &head = c.head;
    auto handover = std::make_shared<Connection::Handover>();
    handover->serial = ++m_handovers;
    handover->label = head.label;
    handover->started.start();
    RealtimeRequest &request = handover->request;
    request.kind = kind;
    request.method = head.label.method;
    request.target = head.target;
    request.origin = head.label.origin;
    request.requestId = head.label.requestId;
    request.authorization = head.authorization;
    request.lastEventId = head.lastEventId;
    request.webSocketKey = head.webSocketKey;
    request.webSocketVersion = head.webSocketVersion;
    request.http10 = head.http10;
    request.upgrade = upgrade;
    request.bodyAnnounced = !head.transferEncodings.isEmpty()
            || std::any_of(head.contentLengths.begin(), head.contentLengths.end(),
                           [](const QByteArray &length) { return length != "0"; });
    c.handover = handover;
    c.phase = Phase::Handover;
    c.head = RequestHead();
    c.headerStarted.invalidate();
    // QtHttpServer must never parse this head: its readyRead slot goes (its disconnected and
    // destroyed hooks stay), and so does the guard's post-read slot. The bytes stay unread: a
    // WebSocket handshake is read again by QWebSocketServer. A read transaction QtHttpServer
    // opened on the head's first part gives those bytes back.
    QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    if (socket->isTransactionStarted())
        socket->rollbackTransaction();
    const quint64 serial = handover->serial;
    m_realtime->admit(request, [this, socket, serial](RealtimeAdmission admission) {
        // From any thread; dropped with the guard if it is gone by then.
        QMetaObject::invokeMethod(
                this,
                [this, socket, serial, admission = std::move(admission)]() mutable {
                    handoverDecided(socket, serial, std::move(admission));
                },
                Qt::QueuedConnection);
    });
}

void ConnectionGuard::handoverDecided(QTcpSocket *socket, quint64 serial,
                                      RealtimeAdmission admission)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->phase != Phase::Handover || !it->handover
        || it->handover->serial != serial)
        return; // the client left (or the wait timed out) meanwhile
    Connection &c = *it;
    if (admission.refusal) {
        const auto handover = std::exchange(c.handover, {});
        if (const qint64 retryAfter = admission.refusal->retryAfterSeconds(); retryAfter >= 0)
            admission.refusalHeaders.append({ "Retry-After", QByteArray::number(retryAfter) });
        c.phase = Phase::Draining;
        answerLast(socket, c,
                   refusal(admission.refusal->kind(), admission.refusal->detail(), handover->label,
                           handover->started.nsecsElapsed(), admission.refusalHeaders));
        return;
    }
    c.handover->admitted = true;
    c.handover->grant = std::move(admission.grant);
    completeHandover(socket, c);
}

void ConnectionGuard::completeHandover(QTcpSocket *socket, Connection &c)
{
    // The answers owed before it go first (they are in the socket's buffer once written).
    if (c.inFlight > 0 || !c.pending.isEmpty())
        return;
    const auto handover = std::exchange(c.handover, {});
    m_connections.remove(socket);
    m_open->fetch_sub(1);
    disconnect(socket, nullptr, this, nullptr); // every slot of the guard's, on any signal
    socket->setReadBufferSize(0);
    socket->setParent(nullptr);
    m_realtime->takeOver(socket, handover->request, std::move(handover->grant));
}

} // namespace Tasklane
