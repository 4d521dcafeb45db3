#pragma once

#include "databaseconfig.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;
class QTimer;

namespace Tasklane {

// PostgreSQL's LISTEN for the real-time feed, on a thread and a connection of its own (QPSQL
// delivers notifications on the thread that owns the connection, from its event loop). A
// notification only says "new events": the feed reads the rows, so a lost one costs a delay,
// not an event. A connection that drops emits nothing in Qt 6.4: the listener checks it every
// second (and round-trips every 30 s), opens a new one with a growing back-off (0.5 s to 30 s),
// listens again, and then wakes the feed, which reads whatever committed meanwhile.
class EventListener : public QObject
{
    Q_OBJECT

public:
    static constexpr char Channel[] = "tasklane_events";

    // `heard` runs on the listener's thread, for each notification and after each (re)connect.
    EventListener(const DatabaseConfig &config, std::function<void()> heard);
    ~EventListener() override;

    // How many times it connected (the first included): tests and the log.
    int connections() const;

private:
    void connectNow();
    void check();
    void dropConnection();

    const DatabaseConfig m_config;
    const std::function<void()> m_heard;
    std::unique_ptr<QThread> m_thread;
    QTimer *m_check = nullptr;
    QTimer *m_reconnect = nullptr;
    QString m_connectionName;
    int m_attempt = 0; // connections made, for unique names
    int m_backoffMs = 500;
    qint64 m_lastRoundTrip = 0;
    std::atomic<int> m_connections{ 0 };
};

} // namespace Tasklane
