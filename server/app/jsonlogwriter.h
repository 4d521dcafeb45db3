#pragma once

#include "jsonlogformat.h"

#include <QByteArray>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace Tasklane::JsonLog {

// The queue between the threads that log and the one that writes: callers push raw records, a
// writer thread formats them and writes each batch with one write().
//
// When it is full (the writer cannot keep up: stderr is a slow pipe, or nobody reads it), a new
// line is dropped and counted, and the writer reports the count in a line of its own as soon
// as it writes again. Blocking the caller instead would stall the event loop, every connection
// with it, on the log's reader; growing without bound would trade the log for the process.
// Errors and fatal messages are never dropped: they are written synchronously (writeNow()).
class Writer
{
public:
    void start();
    // Writes everything queued and ends the writer thread; later records are written by their
    // callers.
    void stop();
    // Queues a record (written at once by the caller while no writer thread runs).
    void push(Record &&record);
    // Writes what is queued, then `record`, on the calling thread.
    void writeNow(Record &&record);
    // Writes what is queued, on the calling thread.
    void flush();
    // The queue's limit in (estimated) bytes; returns the previous one.
    qsizetype setLimit(qsizetype bytes);
    // Who else receives each record written (nullptr: nobody). Once this returns, the previous
    // sink receives nothing more.
    void setSink(Sink *sink);

private:
    void run();
    // With m_writeMutex held: formats the queue (and `last`) and writes it in one write().
    void drain(const Record *last);

    std::mutex m_queueMutex; // guards the members up to m_limit
    std::condition_variable m_wake;
    std::vector<Record> m_queue;
    qsizetype m_queuedBytes = 0;
    quint64 m_dropped = 0;
    bool m_running = false;
    bool m_stopping = false;
    bool m_writerWaiting = false;
    qsizetype m_limit = 8 * 1024 * 1024;

    std::mutex m_writeMutex; // held while a batch is formatted and written, so batches keep order
    std::vector<Record> m_batch;
    Sink *m_sink = nullptr;
    QByteArray m_buffer;
    std::thread m_thread;
};

} // namespace Tasklane::JsonLog
