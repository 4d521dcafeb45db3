#pragma once

#include "apierror.h"

#include <QByteArray>
#include <QList>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QTcpSocket;

namespace Tasklane {

// What the ConnectionGuard learnt of a real-time request's head (GET /api/v1/ws, GET
// /api/v1/events) while framing it: enough for the gate to decide before any answer.
struct RealtimeRequest
{
    enum class Kind { WebSocket, EventStream };
    Kind kind = Kind::WebSocket;
    QByteArray method;
    QByteArray target; // as sent, query included (the ticket, the cursor)
    QByteArray origin;
    QByteArray requestId;
    QByteArray authorization;
    QByteArray lastEventId;
    QByteArray webSocketKey;
    QByteArray webSocketVersion;
    bool http10 = false;
    bool upgrade = false; // Upgrade: websocket with Connection: upgrade
    bool bodyAnnounced = false; // a Content-Length above 0, or a Transfer-Encoding
    int headerBytes = 0; // the head's size: the bytes to skip before what follows it
};

// The gate's decision on a real-time request: a refusal (a problem, with its extra header
// fields) or a grant, handed back with the socket to takeOver().
struct RealtimeAdmission
{
    std::optional<ApiError> refusal;
    QList<std::pair<QByteArray, QByteArray>> refusalHeaders;
    std::shared_ptr<void> grant;
};

// Where the ConnectionGuard hands real-time requests: QtHttpServer 6.4 cannot check an upgrade
// before its 101 (and without a route answers nothing at all), so the guard takes the head of
// every claimed request away from it, asks the gate, answers a refusal itself (in order, then
// closes), and gives an admitted connection away once every earlier answer on it was written.
// Implemented by the real-time layer (server/realtime); shared by every HTTP shard.
class RealtimeGate
{
public:
    virtual ~RealtimeGate() = default;
    // Whether the request is real-time, from its method, its path (without the query, as sent)
    // and whether it asks for a WebSocket upgrade; asked for every request head, so it is cheap.
    virtual std::optional<RealtimeRequest::Kind> claims(QByteArrayView method, QByteArrayView path,
                                                        bool upgrade) const = 0;
    // Decides on a claimed request, on whatever thread it likes; `decided` is called once, on
    // any thread.
    virtual void admit(const RealtimeRequest &request,
                       std::function<void(RealtimeAdmission)> decided)
            = 0;
    // Takes an admitted connection: `socket` has no parent, lives on the calling thread, and
    // still holds the request's head unread; QtHttpServer's disconnected and destroyed hooks
    // remain on it (it deletes itself once disconnected).
    virtual void takeOver(QTcpSocket *socket, const RealtimeRequest &request,
                          std::shared_ptr<void> grant)
            = 0;
};

} // namespace Tasklane
