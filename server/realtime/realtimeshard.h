#pragma once

#include "realtimetypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <unordered_map>

class QTcpSocket;
class QThread;
class QWebSocket;
class QWebSocketServer;

namespace Tasklane {

class RealtimeHub;

// One event loop of real-time connections, WebSocket and event stream, on a thread of its own:
// thousands of open sockets make every iteration of a loop slower, so they are kept apart from
// the HTTP loops and spread over a few of these (the hub gives each new one to the emptiest).
//
// Per connection: events go out in id order, each once (a resume first reads what was missed,
// while live events wait in a bounded queue); what the client leaves unread is capped
// (RealtimeOptions::maxQueuedBytes: beyond it the connection is cut, and the client resumes from
// its last id); a WebSocket silent for pingSeconds is pinged and dropped after twice that; an
// event stream gets a comment line every sseHeartbeatSeconds; at the access token's expiry the
// connection is closed (4001) unless a WebSocket renewed it in band.
//
// Lifetime: a connection's record (and its QWebSocket) goes when its QTcpSocket is destroyed,
// never before (~QWebSocket disconnects every slot of the socket, QtHttpServer's hooks too).
// Cut-offs abort() the socket, which then deletes itself.
class RealtimeShard : public QObject
{
    Q_OBJECT

public:
    RealtimeShard(const RealtimeOptions &options, RealtimeHub &hub, int index);
    ~RealtimeShard() override;

    QThread *loopThread() const { return m_thread.get(); }
    // Connections on this shard (any thread).
    int connectionCount() const { return m_count.load(std::memory_order_relaxed); }

    // On the shard's thread. `socket` was moved to it and has no parent.
    void adopt(QTcpSocket *socket, std::shared_ptr<const RealtimeGrant> grant);
    void deliver(std::shared_ptr<const EventBatch> batch);
    // Closes the connections of `userId` (of its access token `jti` alone when not empty).
    void closeUser(qint64 userId, const QString &jti, int code, const QString &reason);
    // Closes every connection (1001) and stops taking new ones.
    void shutdown();
    // Cuts the connections still open and ends the loop's thread.
    void stopThread();

private:
    struct Subscriber;
    enum class CloseCode {
        GoingAway = 1001,
        UnsupportedData = 1003,
        TryAgainLater = 1013,
        TokenExpired = 4001,
        SessionEnded = 4003,
        SlowReader = 4008,
    };

    void onNewWebSocket();
    void start(Subscriber &subscriber);
    void startEventStream(Subscriber &subscriber);
    void onText(Subscriber &subscriber, const QString &text);
    void renew(Subscriber &subscriber, const QByteArray &token);
    // Reads the next page of what a resuming connection missed, on a database thread.
    void readBacklog(Subscriber &subscriber);
    void backlogRead(QTcpSocket *socket, QList<StoredEvent> events, bool resync, bool full);
    void goLive(Subscriber &subscriber);
    void sendEvent(Subscriber &subscriber, const EventBatch::Item &item);
    // A session.ended event: closes the connections of the sessions it names (never sent on).
    void endSessions(const StoredEvent &event);
    // Sends a message that is not an event of the feed (no id).
    void sendControl(Subscriber &subscriber, QByteArrayView type, const QByteArray &data);
    void write(Subscriber &subscriber, const QString &text, const QByteArray &sseFrame);
    // False (and the connection cut) when its client has left too much unread.
    bool withinQueueCap(Subscriber &subscriber);
    void close(Subscriber &subscriber, CloseCode code, const QString &reason);
    void cutOff(Subscriber &subscriber, const char *why);
    void forget(QObject *socket);
    void tick();

    const RealtimeOptions m_options;
    RealtimeHub &m_hub;
    std::unique_ptr<QThread> m_thread;
    QWebSocketServer *m_webSockets = nullptr; // made on the shard's thread
    QTimer *m_tick = nullptr;
    // Sockets handed to m_webSockets, until their handshake completes: by peer address and port.
    QHash<QString, std::pair<QTcpSocket *, std::shared_ptr<const RealtimeGrant>>> m_upgrading;
    std::unordered_map<const QObject *, std::unique_ptr<Subscriber>> m_subscribers;
    QHash<qint64, QList<Subscriber *>> m_byUser;
    std::atomic<int> m_count{ 0 };
    QElapsedTimer m_clock;
    bool m_shuttingDown = false;
};

} // namespace Tasklane
