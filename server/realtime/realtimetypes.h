#pragma once

#include "eventrepository.h"
#include "principal.h"
#include "realtimegate.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Tasklane {

// The real-time layer's limits (server settings realtime_*).
struct RealtimeOptions
{
    int threads = 2;
    int maxConnections = 10'000;
    int maxPerUser = 16;
    qint64 maxQueuedBytes = 1024 * 1024; // written to a connection and not read by its client
    int pingSeconds = 30; // silence before a ping; twice this and the peer is dropped
    int sseHeartbeatSeconds = 20;
    int maxIncomingMessageBytes = 64 * 1024;
    int sseRetryMs = 5000; // what an EventSource waits before it reconnects
    int closeGraceMs = 2000; // a closing connection is cut off after this
};

// Events read by the feed, with what each connection is sent, made once for all recipients.
struct EventBatch
{
    struct Item
    {
        StoredEvent event;
        // The message (RealtimeEvent::wireText) as one unmasked WebSocket text frame (RFC 6455
        // section 5.2), made once for every recipient instead of by each QWebSocket.
        QByteArray webSocketFrame;
        QByteArray sseFrame; // "id: ...\nevent: ...\ndata: ...\n\n"
    };
    QList<Item> items;

    static Item itemOf(StoredEvent event);
    // A server's text frame of `message` (final, unmasked).
    static QByteArray webSocketTextFrame(QByteArrayView message);
    // An event stream's frame (no id when `id` is 0).
    static QByteArray sseFrame(qint64 id, QByteArrayView type, QByteArrayView message);
};

// Releases a connection's place in the caps when the last holder lets go of it.
class RealtimeReservation
{
public:
    virtual ~RealtimeReservation() = default;
};

// What the gate admitted a connection as: handed with its socket to a shard.
struct RealtimeGrant
{
    RealtimeRequest request;
    Principal principal;
    std::optional<qint64> since;
    std::shared_ptr<RealtimeReservation> reservation;
};

} // namespace Tasklane
