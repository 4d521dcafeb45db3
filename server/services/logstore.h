#pragma once

#include "logrecord.h"
#include "logrecordrepository.h"
#include "page.h"

#include <QString>
#include <QThread>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace Tasklane {

class CommitGroup;
class CursorCodec;
class Database;

// The server's own log records, kept in the database for GET /admin/logs (issue 11, point 10).
//
// The log writer hands each record it writes to offer(), on its own thread: offer() only appends
// to a bounded queue (it never waits for the database and never logs, which would come back to
// it). A thread of the store's writes the queue every flushInterval in one statement, through
// the write group (on SQLite, the one writer every HTTP write goes through). When the database
// cannot keep up, records beyond maxPending (or maxPendingBytes of text) are dropped and counted,
// and a warning record says how many. Writes go in chunks of WriteChunk, each a short unit of the
// group; a chunk the database refuses is split until the bad record is alone. Retention (prune) is
// the cleanup job's: by age and by count.
class LogStore
{
public:
    // Which request lines are kept (messages always are, at the log's level).
    enum class RequestLines { All, Failed, None };
    struct Config
    {
        RequestLines requests = RequestLines::Failed;
        // Failed: a status from 400 on, or at least this long.
        double slowRequestMs = 1000;
        int flushIntervalMs = 1000;
        int maxPending = 10'000;
        qsizetype maxPendingBytes = 8 * 1024 * 1024; // of text, estimated
        QString source; // "host:pid"
    };
    static std::optional<RequestLines> requestLinesFromString(const QString &text);

    LogStore(const Database &database, CommitGroup &writes, const CursorCodec &cursors,
             Config config);
    ~LogStore();
    Q_DISABLE_COPY_MOVE(LogStore)

    // Starts the thread that writes the queue.
    void start();
    // Writes what is queued and ends that thread; later records are dropped.
    void stop();
    // Writes what is queued now, on the calling thread.
    void flush();

    // Thread-safe and quick: queues a record (its source is set here; its text is cut to
    // MaxMessageLength, and characters neither database stores, NUL and unpaired surrogates,
    // become U+FFFD).
    void offer(LogRecord &&record);
    static constexpr qsizetype MaxMessageLength = 2000;
    // Records a statement writes at most: each is a short unit of the write group.
    static constexpr int WriteChunk = 500;
    // Whether a request line of this status and duration is kept.
    bool keepsRequest(int status, double durationMs) const;

    // Records `filter` selects, newest first; `cursor` is a next_cursor of the same listing.
    // Throws ApiError (a cursor of another listing).
    Page<LogRecord> list(const LogRecordRepository::Filter &filter, const QString &cursor,
                         int limit) const;

    // Deletes records older than `before` and beyond the newest `keep`, in batches; how many.
    int prune(const QDateTime &before, qint64 keep) const;
    static constexpr int PruneBatch = 5000;
    static constexpr int PruneLimit = 500'000; // a run at most (the next goes on)

private:
    void run();
    // Takes the queue and writes it.
    void writeQueued();
    // Writes `records` a chunk at a time; a chunk the database refuses is written again in
    // halves, so that one bad record loses itself alone. How many were lost.
    qsizetype write(QList<LogRecord> records) const;

    const Database &m_database;
    CommitGroup &m_writes;
    const CursorCodec &m_cursors;
    const Config m_config;

    std::mutex m_mutex; // guards the members up to m_thread
    std::condition_variable m_wake;
    std::vector<LogRecord> m_pending;
    qsizetype m_pendingBytes = 0;
    quint64 m_dropped = 0;
    bool m_accepting = true;
    bool m_stopping = false;
    std::mutex m_writeMutex; // one write at a time, in order
    // A QThread rather than a std::thread: its database connection is a QObject of Qt's own
    // thread, not of one Qt adopts and cleans up behind our back at exit.
    std::unique_ptr<QThread> m_thread;
};

} // namespace Tasklane
