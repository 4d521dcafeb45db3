#include "httpshard.h"

#include "router.h"

#include <QHttpServer>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Tasklane {

template<class F>
auto HttpShard::onShardThread(F work) const
{
    using Result = decltype(work());
    if (QThread::currentThread() == m_anchor->thread())
        return work();
    if constexpr (std::is_void_v<Result>) {
        QMetaObject::invokeMethod(m_anchor.get(), work, Qt::BlockingQueuedConnection);
    } else {
        Result result{};
        QMetaObject::invokeMethod(m_anchor.get(), work, Qt::BlockingQueuedConnection, &result);
        return result;
    }
}

HttpShard::HttpShard(const Parts &parts, bool ownThread) : m_anchor(std::make_unique<QObject>())
{
    if (ownThread) {
        m_thread = std::make_unique<QThread>();
        m_thread->setObjectName(u"tasklane-http"_s);
        m_anchor->moveToThread(m_thread.get());
        m_thread->start();
    }
    // Made on the shard's thread, so that their sockets and timers belong to its loop.
    onShardThread([this, &parts] {
        m_guard = new ConnectionGuard(parts.limits);
        if (parts.openConnections)
            m_guard->shareConnectionCount(parts.openConnections);
        m_guard->setCorsPolicy(parts.cors);
        m_guard->setRealtimeGate(parts.realtime);
        m_router = new Router(*m_guard, *parts.pools, *parts.auth, *parts.cors);
        m_router->setLimits(parts.requestLimits);
        parts.registerRoutes(m_router->routes());
        m_guard->setBodyCapLookup(
                [routes = &m_router->routes()](QByteArrayView method, QStringView path) {
                    return routes->bodyCap(method, path);
                });
    });
}

HttpShard::~HttpShard()
{
    onShardThread([this] {
        delete m_router;
        // QHttpServer::bind() adopted the guard: deleting the server deletes it.
        if (m_http)
            delete m_http;
        else
            delete m_guard;
        m_anchor->moveToThread(nullptr); // so that the calling thread may delete it
    });
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

bool HttpShard::listen(const QHostAddress &address, quint16 port, ConnectionGuard::PortUse use,
                       QString *error)
{
    return onShardThread([&] {
        if (!m_guard->listenSharingPort(address, port, use, error))
            return false;
        m_http = new QHttpServer;
        m_http->setMissingHandler([router = m_router](const QHttpServerRequest &request,
                                                      QHttpServerResponder &&responder) {
            router->handle(request, std::move(responder));
        });
        m_http->bind(m_guard);
        m_guard->followServer();
        m_port = m_guard->serverPort();
        return true;
    });
}

void HttpShard::beginShutdown()
{
    onShardThread([this] { m_guard->beginShutdown(); });
}

int HttpShard::inFlight() const
{
    return onShardThread([this] { return m_router->inFlight(); });
}

bool HttpShard::receiving() const
{
    return onShardThread([this] { return m_guard->receiving(); });
}

bool HttpShard::flushAll()
{
    return onShardThread([this] { return m_guard->flushAll(); });
}

} // namespace Tasklane
