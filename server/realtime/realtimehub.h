#pragma once

#include "realtimegate.h"
#include "realtimetypes.h"

#include <QHash>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace Tasklane {

class CorsPolicy;
class Database;
class EventFeed;
class RealtimeService;
class RealtimeShard;
class WorkerPools;

// The real-time layer of one process: the gate the HTTP guards hand WebSocket and event-stream
// requests to (RealtimeGate: checked, authenticated on a database thread, counted against the
// caps), the shards that hold the connections, and the feed that reads new events and hands
// them to every shard. Lives on the main thread; claims() and admit() are called from the HTTP
// threads.
class RealtimeHub final : public QObject, public RealtimeGate
{
    Q_OBJECT

public:
    struct Parts
    {
        RealtimeOptions options;
        const Database *database = nullptr;
        WorkerPools *pools = nullptr;
        const RealtimeService *service = nullptr;
        const CorsPolicy *cors = nullptr;
        // Another process's events are only heard of through PostgreSQL's LISTEN (EventFeed).
        bool listen = false;
    };

    // The real-time endpoints, for `tasklaned routes` (they never reach the router).
    static constexpr char WebSocketPath[] = "/api/v1/ws";
    static constexpr char EventStreamPath[] = "/api/v1/events";

    explicit RealtimeHub(const Parts &parts, QObject *parent = nullptr);
    ~RealtimeHub() override;

    // Starts the feed from the events written so far (clients resume older ones by id).
    void start();
    // Closes every connection (1001) and takes no new ones.
    void beginShutdown();
    // Ends the shards' threads (after beginShutdown, once the pools are idle).
    void stop();

    std::optional<RealtimeRequest::Kind> claims(QByteArrayView method, QByteArrayView path,
                                                bool upgrade) const override;
    void admit(const RealtimeRequest &request,
               std::function<void(RealtimeAdmission)> decided) override;
    void takeOver(QTcpSocket *socket, const RealtimeRequest &request,
                  std::shared_ptr<void> grant) override;

    // The feed's events, through `through`, on the hub's thread: to every shard.
    void publish(std::shared_ptr<const EventBatch> batch, qint64 through);
    // The id through which events were handed to the shards (any thread).
    qint64 publishedThrough() const { return m_published.load(); }
    // Wakes the feed: events were committed (any thread).
    void eventsCommitted();
    // Open real-time connections (any thread), and the cap in force.
    int connectionCount() const;
    int connectionCap() const { return m_options.maxConnections; }
    // Closes the connections of a user (of one access token when `jti` is not empty).
    void closeUser(qint64 userId, const QString &jti, int code, const QString &reason);

    // For the shards.
    bool runOnDatabase(std::function<void()> work) const;
    const Database &database() const { return *m_database; }
    const RealtimeService &service() const { return *m_service; }
    // The header fields of an event stream's 200 (standard ones, CORS, request id); also
    // writes the request's line in the request log.
    QList<std::pair<QByteArray, QByteArray>> streamHeaders(const RealtimeRequest &request) const;

private:
    class Reservation;
    // A place in the caps for a connection of `userId`, or why there is none.
    std::shared_ptr<RealtimeReservation> reserve(qint64 userId, std::optional<ApiError> *refusal);
    void release(qint64 userId);

    const RealtimeOptions m_options;
    const Database *m_database;
    WorkerPools *m_pools;
    const RealtimeService *m_service;
    const CorsPolicy *m_cors;
    std::vector<std::unique_ptr<RealtimeShard>> m_shards;
    std::unique_ptr<EventFeed> m_feed;
    std::atomic<qint64> m_published{ 0 };
    std::atomic<bool> m_shuttingDown{ false };
    mutable QMutex m_mutex; // guards the counts
    QHash<qint64, int> m_perUser;
    int m_total = 0;
};

} // namespace Tasklane
