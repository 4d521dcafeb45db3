#include "realtimeshard.h"

#include "apierror.h"
#include "databaseerror.h"
#include "eventrepository.h"
#include "jsontext.h"
#include "realtimeevent.h"
#include "realtimehub.h"
#include "realtimeservice.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRealtime, "tasklane.realtime")

namespace Tasklane {

namespace {
constexpr int BacklogPage = 500;
// Live events that wait while a resuming connection reads what it missed; beyond, it reads
// once more from where it got to.
constexpr qsizetype MaxQueuedWhileResuming = 256;
constexpr qint64 MaxEventStreamInput = 64 * 1024; // what an event stream's client may send
constexpr int SendBufferBytes = 64 * 1024; // the kernel's part of what a client leaves unread

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + u'|' + QString::number(port);
}
} // namespace

struct RealtimeShard::Subscriber
{
    QTcpSocket *socket = nullptr;
    QWebSocket *webSocket = nullptr; // none for an event stream
    std::shared_ptr<const RealtimeGrant> grant; // until start()
    std::shared_ptr<RealtimeReservation> reservation; // its place in the caps
    qint64 userId = 0;
    QString jti;
    qint64 sessionId = 0; // of the access token (0: none)
    qint64 expiresAtMs = 0; // of the access token (ms since the epoch)
    qint64 issuedAtMs = 0;
    bool chunked = false; // an event stream over HTTP/1.1
    bool live = false; // false while reading what it missed
    bool closing = false;
    bool renewing = false;
    qint64 lastSent = 0;
    // Resuming: the next page starts after backlogFrom; nothing above backlogThrough is read
    // (the hub publishes those).
    qint64 backlogFrom = 0;
    qint64 backlogThrough = 0;
    bool checkHorizon = true;
    bool pagePending = false; // the next page waits for the client to read the last
    quint64 read = 0; // the backlog read under way (0: none)
    QList<std::pair<std::shared_ptr<const EventBatch>, qsizetype>> queued;
    bool overflowed = false;
    qint64 lastHeardMs = 0;
    bool pinged = false;
    qint64 lastWriteMs = 0;
    qint64 input = 0; // bytes an event stream's client sent
};

RealtimeShard::RealtimeShard(const RealtimeOptions &options, RealtimeHub &hub, int index)
    : m_options(options), m_hub(hub), m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(u"tasklane-rt%1"_s.arg(index));
    moveToThread(m_thread.get());
    m_thread->start();
    QMetaObject::invokeMethod(
            this,
            [this] {
                m_clock.start();
                // No server name: the 101 carries no banner.
                m_webSockets
                        = new QWebSocketServer(QString(), QWebSocketServer::NonSecureMode, this);
                m_webSockets->setMaxPendingConnections(1 << 20); // taken at once, below
                connect(m_webSockets, &QWebSocketServer::newConnection, this,
                        &RealtimeShard::onNewWebSocket);
                m_tick = new QTimer(this);
                m_tick->setInterval(1000);
                connect(m_tick, &QTimer::timeout, this, &RealtimeShard::tick);
                m_tick->start();
            },
            Qt::BlockingQueuedConnection);
}

RealtimeShard::~RealtimeShard()
{
    stopThread();
}

void RealtimeShard::stopThread()
{
    if (!m_thread || !m_thread->isRunning())
        return;
    QMetaObject::invokeMethod(
            this,
            [this] {
                // Sockets first: their destroyed() hooks use the records and the maps. What
                // shutdown() wrote (close frames, the streams' ends) goes out first.
                for (auto &[socket, subscriber] : m_subscribers) {
                    subscriber->socket->flush();
                    subscriber->socket->abort();
                }
                const auto upgrading = m_upgrading;
                for (const auto &[socket, grant] : upgrading)
                    socket->abort();
                QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
                for (auto &[socket, subscriber] : m_subscribers) {
                    disconnect(subscriber->socket, nullptr, this, nullptr);
                    delete subscriber->socket;
                }
                m_subscribers.clear();
                m_byUser.clear();
                delete m_webSockets;
                m_webSockets = nullptr;
                delete m_tick;
                m_tick = nullptr;
                moveToThread(QCoreApplication::instance()->thread());
            },
            Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void RealtimeShard::adopt(QTcpSocket *socket, std::shared_ptr<const RealtimeGrant> grant)
{
    connect(socket, &QObject::destroyed, this, [this](QObject *gone) { forget(gone); });
    if (m_shuttingDown) {
        socket->abort();
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, SendBufferBytes);
    if (grant->request.kind == RealtimeRequest::Kind::WebSocket) {
        m_upgrading.insert(peerKey(socket->peerAddress(), socket->peerPort()), { socket, grant });
        m_webSockets->handleConnection(socket);
        return;
    }
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->socket = socket;
    subscriber->grant = std::move(grant);
    Subscriber &added = *subscriber;
    m_subscribers.emplace(socket, std::move(subscriber));
    startEventStream(added);
}

void RealtimeShard::onNewWebSocket()
{
    while (m_webSockets->hasPendingConnections()) {
        QWebSocket *webSocket = m_webSockets->nextPendingConnection();
        const auto found
                = m_upgrading.find(peerKey(webSocket->peerAddress(), webSocket->peerPort()));
        if (found == m_upgrading.end()) {
            webSocket->abort(); // no grant (cannot happen): its socket goes, the object with us
            continue;
        }
        auto subscriber = std::make_unique<Subscriber>();
        subscriber->socket = found->first;
        subscriber->grant = found->second;
        subscriber->webSocket = webSocket;
        m_upgrading.erase(found);
        webSocket->setMaxAllowedIncomingMessageSize(quint64(m_options.maxIncomingMessageBytes));
        webSocket->setMaxAllowedIncomingFrameSize(quint64(m_options.maxIncomingMessageBytes));
        Subscriber &added = *subscriber;
        m_subscribers.emplace(added.socket, std::move(subscriber));
        connect(webSocket, &QWebSocket::textMessageReceived, this,
                [this, socket = added.socket](const QString &text) {
                    if (const auto it = m_subscribers.find(socket); it != m_subscribers.end())
                        onText(*it->second, text);
                });
        connect(webSocket, &QWebSocket::binaryMessageReceived, this,
                [this, socket = added.socket](const QByteArray &) {
                    if (const auto it = m_subscribers.find(socket); it != m_subscribers.end())
                        close(*it->second, CloseCode::UnsupportedData,
                              u"Messages are JSON text."_s);
                });
        connect(webSocket, &QWebSocket::pong, this, [this, socket = added.socket] {
            if (const auto it = m_subscribers.find(socket); it != m_subscribers.end()) {
                it->second->lastHeardMs = m_clock.elapsed();
                it->second->pinged = false;
            }
        });
        start(added);
    }
}

void RealtimeShard::start(Subscriber &s)
{
    const Principal &principal = s.grant->principal;
    s.userId = principal.user.id;
    s.jti = principal.token.jti;
    s.sessionId = principal.token.sessionId;
    s.expiresAtMs = principal.token.expiresAt.toMSecsSinceEpoch();
    s.issuedAtMs = principal.token.issuedAt.toMSecsSinceEpoch();
    s.lastHeardMs = m_clock.elapsed();
    s.lastWriteMs = s.lastHeardMs;
    m_byUser[s.userId].append(&s);
    m_count.fetch_add(1, std::memory_order_relaxed);
    const qint64 published = m_hub.publishedThrough();
    const std::optional<qint64> since = s.grant->since;
    // Only its place in the caps is kept: the request's head (its credential among it) and the
    // principal's copy of the user would cost every idle connection a kilobyte or two.
    s.reservation = s.grant->reservation;
    s.grant.reset();
    if (!since) {
        // From now on: what was published before this connection is not its business.
        s.lastSent = published;
        s.live = true;
        return;
    }
    s.lastSent = *since;
    s.backlogFrom = *since;
    s.backlogThrough = published;
    readBacklog(s);
}

void RealtimeShard::startEventStream(Subscriber &s)
{
    const RealtimeRequest &request = s.grant->request;
    // The request's head is still in the buffer: read and dropped, as anything sent after it.
    connect(s.socket, &QTcpSocket::readyRead, this, [this, socket = s.socket] {
        const auto it = m_subscribers.find(socket);
        if (it == m_subscribers.end())
            return;
        it->second->input += socket->readAll().size();
        if (it->second->input > MaxEventStreamInput)
            cutOff(*it->second, "sent too much on an event stream");
    });
    s.input = s.socket->readAll().size();
    s.chunked = !request.http10;
    QByteArray head = request.http10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
    for (const auto &[name, value] : m_hub.streamHeaders(request))
        head += name + ": " + value + "\r\n";
    head += s.chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Connection: close\r\n\r\n";
    s.socket->write(head);
    if (request.method == "HEAD") {
        s.closing = true;
        s.socket->disconnectFromHost();
        return;
    }
    const QByteArray retry = "retry: " + QByteArray::number(m_options.sseRetryMs) + "\n\n";
    write(s, {}, retry);
    start(s);
}

void RealtimeShard::onText(Subscriber &s, const QString &text)
{
    s.lastHeardMs = m_clock.elapsed();
    s.pinged = false;
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = message.value(u"type"_s).toString();
    if (type == u"ping") {
        sendControl(s, "pong", "{}");
    } else if (type == u"auth") {
        const QString token = message.value(u"access_token"_s).toString();
        if (token.isEmpty())
            sendControl(s, "error", R"({"detail":"An auth message needs access_token."})");
        else
            renew(s, token.toUtf8());
    } else {
        sendControl(s, "error",
                    R"({"detail":"Messages are {\"type\": \"ping\"} or {\"type\": \"auth\", )"
                    R"(\"access_token\": ...}."})");
    }
}

void RealtimeShard::renew(Subscriber &s, const QByteArray &token)
{
    if (s.renewing) {
        sendControl(s, "error", R"({"detail":"A renewal is already under way."})");
        return;
    }
    s.renewing = true;
    QTcpSocket *socket = s.socket;
    const qint64 userId = s.userId;
    const auto answer = [this, socket](std::optional<Principal> principal, QString problem) {
        QMetaObject::invokeMethod(
                this,
                [this, socket, principal = std::move(principal), problem] {
                    const auto it = m_subscribers.find(socket);
                    if (it == m_subscribers.end())
                        return;
                    Subscriber &subscriber = *it->second;
                    subscriber.renewing = false;
                    if (!principal) {
                        QByteArray data = R"({"detail":)";
                        JsonText::appendString(data, problem);
                        data += '}';
                        sendControl(subscriber, "auth_failed", data);
                        return;
                    }
                    subscriber.jti = principal->token.jti;
                    subscriber.sessionId = principal->token.sessionId;
                    subscriber.expiresAtMs = principal->token.expiresAt.toMSecsSinceEpoch();
                    subscriber.issuedAtMs = principal->token.issuedAt.toMSecsSinceEpoch();
                    QByteArray data = R"({"expires_at":)";
                    JsonText::appendTime(data, subscriber.expiresAtMs);
                    data += '}';
                    sendControl(subscriber, "auth_ok", data);
                },
                Qt::QueuedConnection);
    };
    const bool started = m_hub.runOnDatabase([this, token, userId, answer] {
        try {
            Principal principal = m_hub.service().authenticateBearer(token);
            if (principal.user.id != userId)
                answer(std::nullopt, u"The token is another user's."_s);
            else
                answer(principal, {});
        } catch (const ApiError &error) {
            answer(std::nullopt, error.detail());
        } catch (const DatabaseError &) {
            answer(std::nullopt, u"The server could not check the token; try again."_s);
        }
    });
    if (!started) {
        s.renewing = false;
        sendControl(s, "auth_failed", R"({"detail":"The server is busy; try again."})");
    }
}

void RealtimeShard::readBacklog(Subscriber &s)
{
    static std::atomic<quint64> reads{ 0 };
    const quint64 read = ++reads;
    s.read = read;
    s.pagePending = false;
    QTcpSocket *socket = s.socket;
    const qint64 userId = s.userId, from = s.backlogFrom, through = s.backlogThrough;
    const bool checkHorizon = std::exchange(s.checkHorizon, false);
    const bool started = m_hub.runOnDatabase(
            [this, socket, read, userId, from, through, checkHorizon] {
                QList<StoredEvent> events;
                bool resync = false;
                bool failed = false;
                try {
                    const EventRepository repository(m_hub.database());
                    // Older than what is kept, or newer than anything written: the client must
                    // reload.
                    if (checkHorizon)
                        resync = from < repository.prunedThrough() || from > repository.lastId();
                    if (!resync && from < through)
                        events = repository.forUser(userId, from, BacklogPage, through);
                } catch (const DatabaseError &error) {
                    qCWarning(lcRealtime, "reading missed events failed: %s", error.what());
                    failed = true;
                }
                QMetaObject::invokeMethod(
                        this,
                        [this, socket, read, events = std::move(events), resync, failed]() mutable {
                            const auto it = m_subscribers.find(socket);
                            if (it == m_subscribers.end() || it->second->read != read)
                                return;
                            if (failed) {
                                close(*it->second, CloseCode::TryAgainLater,
                                      u"The server could not read the missed events."_s);
                                return;
                            }
                            const bool full = events.size() == BacklogPage;
                            backlogRead(socket, std::move(events), resync, full);
                        },
                        Qt::QueuedConnection);
            });
    if (!started)
        close(s, CloseCode::TryAgainLater, u"The server is busy; reconnect shortly."_s);
}

void RealtimeShard::backlogRead(QTcpSocket *socket, QList<StoredEvent> events, bool resync,
                                bool full)
{
    Subscriber &s = *m_subscribers.at(socket);
    s.read = 0;
    if (s.closing)
        return;
    if (resync) {
        // From the newest published event on; its id is the client's cursor now.
        QByteArray data = R"({"since":)";
        JsonText::appendInteger(data, s.backlogThrough);
        data += '}';
        const QByteArray message = RealtimeEvent::wireText(0, EventType::Resync, data);
        write(s, QString::fromUtf8(message),
              EventBatch::sseFrame(s.backlogThrough, EventType::Resync, message));
        s.lastSent = std::max(s.lastSent, s.backlogThrough);
        goLive(s);
        return;
    }
    for (StoredEvent &event : events) {
        if (event.id <= s.lastSent || event.type == EventType::SessionEnded)
            continue;
        sendEvent(s, EventBatch::itemOf(std::move(event)));
        if (s.closing)
            return;
    }
    if (full) {
        s.backlogFrom = s.lastSent;
        if (s.socket->bytesToWrite() > m_options.maxQueuedBytes / 2)
            s.pagePending = true; // the tick reads on once the client has caught up
        else
            readBacklog(s);
        return;
    }
    goLive(s);
}

void RealtimeShard::goLive(Subscriber &s)
{
    if (s.overflowed) {
        // More arrived meanwhile than the queue holds: read again up to what is published now.
        s.overflowed = false;
        s.queued.clear();
        s.backlogFrom = s.lastSent;
        s.backlogThrough = m_hub.publishedThrough();
        readBacklog(s);
        return;
    }
    const auto queued = std::exchange(s.queued, {});
    for (const auto &[batch, index] : queued) {
        const EventBatch::Item &item = batch->items.at(index);
        if (item.event.id > s.lastSent)
            sendEvent(s, item);
        if (s.closing)
            return;
    }
    s.live = true;
    if (s.webSocket)
        s.webSocket->flush();
    else
        s.socket->flush();
}

void RealtimeShard::deliver(std::shared_ptr<const EventBatch> batch)
{
    QList<Subscriber *> written;
    for (qsizetype i = 0; i < batch->items.size(); ++i) {
        const EventBatch::Item &item = batch->items.at(i);
        if (item.event.type == EventType::SessionEnded) {
            endSessions(item.event);
            continue;
        }
        for (qint64 userId : item.event.audience) {
            const auto found = m_byUser.constFind(userId);
            if (found == m_byUser.cend())
                continue;
            for (Subscriber *s : *found) {
                if (s->closing)
                    continue;
                if (!s->live) {
                    if (s->queued.size() >= MaxQueuedWhileResuming)
                        s->overflowed = true;
                    else if (!s->overflowed)
                        s->queued.append({ batch, i });
                    continue;
                }
                if (item.event.id <= s->lastSent)
                    continue;
                sendEvent(*s, item);
                written.append(s);
            }
        }
    }
    // Out now, rather than on the loop's next turn (one write for each socket's events).
    for (Subscriber *s : std::as_const(written)) {
        if (s->closing)
            continue;
        s->socket->flush();
    }
}

void RealtimeShard::endSessions(const StoredEvent &event)
{
    const QJsonObject data = QJsonDocument::fromJson(event.data).object();
    const QString jti = data.value(u"jti"_s).toString();
    const qint64 issuedUntil = data.value(u"issued_until_ms"_s).toInteger(-1);
    QSet<qint64> sessions;
    for (const QJsonValue &id : data.value(u"session_ids"_s).toArray())
        sessions.insert(id.toInteger());
    for (qint64 userId : event.audience) {
        const auto found = m_byUser.constFind(userId);
        if (found == m_byUser.cend())
            continue;
        const QList<Subscriber *> subscribers = *found;
        for (Subscriber *s : subscribers) {
            if ((!jti.isEmpty() && s->jti == jti) || s->issuedAtMs <= issuedUntil
                || (s->sessionId > 0 && sessions.contains(s->sessionId)))
                close(*s, CloseCode::SessionEnded, u"The session has ended."_s);
        }
    }
}

void RealtimeShard::sendEvent(Subscriber &s, const EventBatch::Item &item)
{
    if (s.closing)
        return;
    if (s.webSocket) {
        // The frame made once for all: written whole, on the thread QWebSocket writes its own
        // frames from, so that they never interleave inside a frame.
        s.socket->write(item.webSocketFrame);
        s.lastWriteMs = m_clock.elapsed();
        withinQueueCap(s);
    } else {
        write(s, {}, item.sseFrame);
    }
    s.lastSent = item.event.id;
}

void RealtimeShard::sendControl(Subscriber &s, QByteArrayView type, const QByteArray &data)
{
    const QByteArray message = RealtimeEvent::wireText(0, type, data);
    write(s, QString::fromUtf8(message), EventBatch::sseFrame(0, type, message));
}

void RealtimeShard::write(Subscriber &s, const QString &text, const QByteArray &sseFrame)
{
    if (s.closing)
        return;
    if (s.webSocket) {
        s.webSocket->sendTextMessage(text);
    } else if (s.chunked) {
        s.socket->write(QByteArray::number(sseFrame.size(), 16) + "\r\n" + sseFrame + "\r\n");
    } else {
        s.socket->write(sseFrame);
    }
    s.lastWriteMs = m_clock.elapsed();
    withinQueueCap(s);
}

bool RealtimeShard::withinQueueCap(Subscriber &s)
{
    if (s.socket->bytesToWrite() <= m_options.maxQueuedBytes)
        return true;
    cutOff(s, "its client left too much unread");
    return false;
}

void RealtimeShard::close(Subscriber &s, CloseCode code, const QString &reason)
{
    if (s.closing)
        return;
    if (s.webSocket) {
        s.closing = true;
        s.webSocket->close(QWebSocketProtocol::CloseCode(int(code)), reason);
    } else {
        QByteArray data = R"({"code":)";
        JsonText::appendInteger(data, int(code));
        data += R"(,"reason":)";
        JsonText::appendString(data, reason);
        data += '}';
        sendControl(s, "close", data);
        if (s.chunked)
            s.socket->write("0\r\n\r\n");
        s.closing = true;
        s.socket->disconnectFromHost();
    }
    // A client that does not let go is cut off.
    QTimer::singleShot(m_options.closeGraceMs, s.socket, [socket = s.socket] { socket->abort(); });
}

void RealtimeShard::cutOff(Subscriber &s, const char *why)
{
    if (s.closing && s.socket->state() == QAbstractSocket::UnconnectedState)
        return;
    qCInfo(lcRealtime, "cut off a connection of user %lld: %s", s.userId, why);
    s.closing = true;
    s.socket->abort();
}

void RealtimeShard::forget(QObject *socket)
{
    const auto it = m_subscribers.find(socket);
    if (it == m_subscribers.end())
        return;
    std::unique_ptr<Subscriber> s = std::move(it->second);
    m_subscribers.erase(it);
    auto user = m_byUser.find(s->userId);
    if (user != m_byUser.end()) {
        user->removeOne(s.get());
        if (user->isEmpty())
            m_byUser.erase(user);
        m_count.fetch_sub(1, std::memory_order_relaxed);
    }
    // Its socket is gone: deleting the QWebSocket now disconnects nothing anybody needs.
    delete s->webSocket;
}

void RealtimeShard::closeUser(qint64 userId, const QString &jti, int code, const QString &reason)
{
    const auto found = m_byUser.constFind(userId);
    if (found == m_byUser.cend())
        return;
    const QList<Subscriber *> subscribers = *found;
    for (Subscriber *s : subscribers) {
        if (jti.isEmpty() || s->jti == jti)
            close(*s, CloseCode(code), reason);
    }
}

void RealtimeShard::shutdown()
{
    m_shuttingDown = true;
    for (auto &[socket, s] : m_subscribers)
        close(*s, CloseCode::GoingAway, u"The server is shutting down."_s);
}

void RealtimeShard::tick()
{
    const qint64 now = m_clock.elapsed();
    const qint64 wallNow = QDateTime::currentMSecsSinceEpoch();
    const qint64 pingMs = qint64(m_options.pingSeconds) * 1000;
    const qint64 heartbeatMs = qint64(m_options.sseHeartbeatSeconds) * 1000;
    for (auto &[socket, subscriber] : m_subscribers) {
        Subscriber &s = *subscriber;
        if (s.closing)
            continue;
        if (wallNow >= s.expiresAtMs) {
            close(s, CloseCode::TokenExpired,
                  u"The access token expired; connect again with a new one."_s);
            continue;
        }
        if (s.webSocket) {
            const qint64 silent = now - s.lastHeardMs;
            if (silent >= 2 * pingMs) {
                cutOff(s, "no answer to a ping");
                continue;
            }
            if (silent >= pingMs && !s.pinged) {
                s.pinged = true;
                s.webSocket->ping();
            }
        } else if (now - s.lastWriteMs >= heartbeatMs) {
            write(s, {}, ":\n\n");
        }
        if (s.pagePending && s.socket->bytesToWrite() <= m_options.maxQueuedBytes / 2)
            readBacklog(s);
    }
}

} // namespace Tasklane
