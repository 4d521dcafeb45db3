#pragma once

#include "connectionguard.h"
#include "router.h"

#include <QHostAddress>
#include <QString>

#include <functional>
#include <memory>

class QHttpServer;
class QThread;

namespace Tasklane {

class AuthService;
class CorsPolicy;
class RealtimeGate;
class RouteTable;
class Router;
class WorkerPools;

// One event loop serving HTTP: a ConnectionGuard listening on the server's port (shared with the
// other shards through SO_REUSEPORT: the kernel spreads connections over them), its Router and
// its QHttpServer. Parsing, routing, answers from memory and writing happen on the loop, which
// one core runs at a time; with a shard per core every core can. Everything a shard shares
// (worker pools, services, caches, the route handlers) is safe to use from any thread.
//
// The first shard runs on the thread that makes it; the others each on a thread of their own.
// The methods are called from the thread that made the shard, and run on the shard's own.
class HttpShard
{
public:
    struct Parts
    {
        ConnectionGuard::Limits limits;
        // Shared by every shard: maxConnections caps them together.
        std::shared_ptr<std::atomic<int>> openConnections;
        WorkerPools *pools = nullptr;
        const AuthService *auth = nullptr;
        const CorsPolicy *cors = nullptr;
        std::function<void(RouteTable &)> registerRoutes;
        RealtimeGate *realtime = nullptr; // where real-time requests go (none: refused)
        Router::Limits requestLimits; // shared by every shard's router
    };

    HttpShard(const Parts &parts, bool ownThread);
    ~HttpShard();
    Q_DISABLE_COPY_MOVE(HttpShard)

    // Listens on address:port: the first shard claims it (port 0: a free one), the next ones
    // join it (see ConnectionGuard::listenSharingPort).
    bool listen(const QHostAddress &address, quint16 port, ConnectionGuard::PortUse use,
                QString *error);
    quint16 port() const { return m_port; }

    // ConnectionGuard's and Router's, on the shard's thread.
    void beginShutdown();
    int inFlight() const;
    bool receiving() const;
    bool flushAll();

private:
    // Runs `work` on the shard's thread and returns its result (at once on the calling thread
    // when it is the shard's).
    template<class F>
    auto onShardThread(F work) const;

    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<QObject> m_anchor; // lives on the shard's thread: the context of calls
    ConnectionGuard *m_guard = nullptr; // owned by m_http (QHttpServer::bind adopts it)
    Router *m_router = nullptr;
    QHttpServer *m_http = nullptr;
    quint16 m_port = 0;
};

} // namespace Tasklane
