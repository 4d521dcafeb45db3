#include "jsonlogwriter.h"

#include <QDateTime>

#include <cerrno>
#include <pthread.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Tasklane::JsonLog {

namespace {
constexpr qsizetype KeptBufferBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds BatchGathering(2);

qsizetype costOf(const Record &record)
{
    return qsizetype(sizeof(Record)) + record.nameOrMethod.size()
            + 2 * (record.text.size() + record.requestId.size());
}

void writeAll(const QByteArray &bytes)
{
    const char *data = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, data, size_t(left));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return; // nowhere to log that the log cannot be written
        data += written;
        left -= written;
    }
}
} // namespace

void Writer::start()
{
    const std::lock_guard lock(m_queueMutex);
    if (m_running)
        return;
    m_running = true;
    m_thread = std::thread([this] { run(); });
    pthread_setname_np(m_thread.native_handle(), "tasklane-log");
}

void Writer::stop()
{
    {
        const std::lock_guard lock(m_queueMutex);
        if (!m_running || m_stopping)
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
    {
        const std::lock_guard lock(m_queueMutex);
        m_running = false;
        m_stopping = false;
    }
    flush(); // what was queued after the writer's last look
}

void Writer::push(Record &&record)
{
    const qsizetype cost = costOf(record);
    bool wake = false;
    {
        const std::lock_guard lock(m_queueMutex);
        if (m_running) {
            if (m_queuedBytes + cost > m_limit) {
                ++m_dropped;
                return;
            }
            m_queue.push_back(std::move(record));
            m_queuedBytes += cost;
            wake = std::exchange(m_writerWaiting, false);
            if (!wake)
                return;
        }
    }
    if (wake)
        m_wake.notify_one();
    else // no writer thread
        writeNow(std::move(record));
}

void Writer::writeNow(Record &&record)
{
    const std::lock_guard lock(m_writeMutex);
    drain(&record);
}

void Writer::flush()
{
    const std::lock_guard lock(m_writeMutex);
    drain(nullptr);
}

void Writer::setSink(Sink *sink)
{
    // drain() runs with this held: no take() is under way once it is ours.
    const std::lock_guard lock(m_writeMutex);
    m_sink = sink;
}

qsizetype Writer::setLimit(qsizetype bytes)
{
    const std::lock_guard lock(m_queueMutex);
    return std::exchange(m_limit, bytes);
}

void Writer::run()
{
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(m_queueMutex);
            while (m_queue.empty() && m_dropped == 0 && !m_stopping) {
                m_writerWaiting = true;
                m_wake.wait(lock);
            }
            m_writerWaiting = false;
            if (m_queue.empty() && m_dropped == 0 && m_stopping)
                return;
            stopping = m_stopping;
        }
        // Woken by the first line after a quiet spell: let a batch gather. The callers
        // wake this thread (a futex call each) only when it sleeps on an empty queue, so
        // under load that is at most once per batch instead of once per line.
        if (!stopping)
            std::this_thread::sleep_for(BatchGathering);
        flush();
    }
}

void Writer::drain(const Record *last)
{
    quint64 dropped = 0;
    {
        const std::lock_guard lock(m_queueMutex);
        m_batch.swap(m_queue);
        m_queuedBytes = 0;
        dropped = std::exchange(m_dropped, 0);
    }
    m_buffer.resize(0);
    const auto write = [this](const Record &record) {
        appendRecord(m_buffer, record);
        if (m_sink)
            m_sink->take(record);
    };
    for (const Record &record : m_batch)
        write(record);
    m_batch.clear();
    if (dropped > 0) {
        Record report;
        report.time = QDateTime::currentMSecsSinceEpoch();
        report.type = QtWarningMsg;
        report.nameOrMethod = "tasklane.log";
        report.text = u"%1 log lines dropped: the log writer could not keep up"_s.arg(dropped);
        write(report);
    }
    if (last)
        write(*last);
    writeAll(m_buffer);
    if (m_buffer.capacity() > KeptBufferBytes)
        m_buffer = QByteArray(); // a burst of long lines is not kept for the process's life
}

} // namespace Tasklane::JsonLog
