#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

namespace Tasklane {

class Database;
class EventListener;
struct EventBatch;
class RealtimeHub;
class WorkerPools;

// Reads the events committed since the last it handed on, in id order, on a database thread,
// and publishes them to the hub: woken by this process's commits (Database::Change::Event), by
// PostgreSQL's NOTIFY from other processes (EventListener), and by a backstop timer in case a
// notification was lost. One read at a time; wake-ups during a read make one more.
//
// Ids become visible out of order on PostgreSQL (EventRepository): a read that finds a gap
// below an id it got asks settledThrough() (which waits for the writers that drew ids) and hands
// on nothing above what it answers, so that no event is ever skipped. A gap that stays is a
// rolled-back transaction's.
class EventFeed : public QObject
{
    Q_OBJECT

public:
    EventFeed(const Database &database, WorkerPools &pools, RealtimeHub &hub, bool listen);
    ~EventFeed() override;

    // Starts from the events settled now.
    void start();
    // Asks for a read (any thread).
    void wake();
    // This process's commits also tell the other processes (PostgreSQL NOTIFY), coalesced.
    void committed();

private:
    void read();
    void readDone(qint64 through, std::shared_ptr<const EventBatch> batch, bool more, bool failed);
    void announce();

    const Database &m_database;
    WorkerPools &m_pools;
    RealtimeHub &m_hub;
    const bool m_listen;
    qint64 m_through = 0;
    bool m_reading = false;
    bool m_again = false;
    bool m_announcing = false;
    bool m_announceAgain = false;
    QTimer m_backstop;
    QTimer m_retry;
    std::unique_ptr<EventListener> m_listener;
};

} // namespace Tasklane
