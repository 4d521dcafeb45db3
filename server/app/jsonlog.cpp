#include "jsonlog.h"

#include <QDateTime>
#include <QLocale>
#include <QLoggingCategory>

#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace Tasklane::JsonLog {

namespace {
thread_local QString t_requestId;
bool s_requestLogEnabled = true;

// What a caller hands to the writer: raw fields only. Formatting (JSON escaping, numbers, the
// time) is the writer thread's work.
struct Record
{
    qint64 time = 0; // ms since the epoch, UTC
    qint64 userId = 0;
    double durationMs = 0;
    int status = 0;
    QtMsgType type = QtInfoMsg;
    bool isRequest = false;
    QByteArray nameOrMethod; // a message's category, a request's method
    QString text; // a message's text, a request's path
    QString requestId;
};

constexpr qsizetype KeptBufferBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds BatchGathering(2);

qsizetype costOf(const Record &record)
{
    return qsizetype(sizeof(Record)) + record.nameOrMethod.size()
            + 2 * (record.text.size() + record.requestId.size());
}

// --- formatting: the same bytes QJsonDocument::toJson(Compact) wrote (keys sorted) -----------

char hexDigit(uint value)
{
    return char(value < 10 ? '0' + value : 'a' + value - 10);
}

// Room for `count` more bytes at the end of `out`; returns where they start.
char *grow(QByteArray &out, qsizetype count)
{
    const qsizetype at = out.size();
    out.resize(at + count);
    return out.data() + at;
}

char *escapeAscii(char *cursor, char16_t unit)
{
    *cursor++ = '\\';
    switch (unit) {
    case u'"': *cursor++ = '"'; break;
    case u'\\': *cursor++ = '\\'; break;
    case u'\b': *cursor++ = 'b'; break;
    case u'\f': *cursor++ = 'f'; break;
    case u'\n': *cursor++ = 'n'; break;
    case u'\r': *cursor++ = 'r'; break;
    case u'\t': *cursor++ = 't'; break;
    default:
        *cursor++ = 'u';
        *cursor++ = '0';
        *cursor++ = '0';
        *cursor++ = hexDigit(unit >> 4);
        *cursor++ = hexDigit(unit & 0xf);
    }
    return cursor;
}

// A JSON string in UTF-8, escaped as Qt's JSON writer does: ", \ and control characters, and
// any UTF-16 unit that is not part of a valid surrogate pair as \uXXXX.
void appendString(QByteArray &out, QStringView text)
{
    char *const start = grow(out, 2 + 6 * text.size());
    char *cursor = start;
    *cursor++ = '"';
    const char16_t *source = text.utf16();
    const char16_t *const end = source + text.size();
    while (source != end) {
        const char16_t unit = *source++;
        if (unit < 0x80) {
            if (unit >= 0x20 && unit != u'"' && unit != u'\\')
                *cursor++ = char(unit);
            else
                cursor = escapeAscii(cursor, unit);
        } else if (unit < 0x800) {
            *cursor++ = char(0xc0 | (unit >> 6));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (!QChar::isSurrogate(unit)) {
            *cursor++ = char(0xe0 | (unit >> 12));
            *cursor++ = char(0x80 | ((unit >> 6) & 0x3f));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (QChar::isHighSurrogate(unit) && source != end
                   && QChar::isLowSurrogate(*source)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *source++);
            *cursor++ = char(0xf0 | (point >> 18));
            *cursor++ = char(0x80 | ((point >> 12) & 0x3f));
            *cursor++ = char(0x80 | ((point >> 6) & 0x3f));
            *cursor++ = char(0x80 | (point & 0x3f));
        } else {
            *cursor++ = '\\';
            *cursor++ = 'u';
            *cursor++ = hexDigit(unit >> 12);
            *cursor++ = hexDigit((unit >> 8) & 0xf);
            *cursor++ = hexDigit((unit >> 4) & 0xf);
            *cursor++ = hexDigit(unit & 0xf);
        }
    }
    *cursor++ = '"';
    out.resize(out.size() - (2 + 6 * text.size()) + (cursor - start));
}

// The same for Latin-1 text (methods and category names), as QString::fromLatin1 would give.
void appendLatin1String(QByteArray &out, QByteArrayView text)
{
    char *const start = grow(out, 2 + 6 * text.size());
    char *cursor = start;
    *cursor++ = '"';
    for (const char byte : text) {
        const auto unit = char16_t(uchar(byte));
        if (unit >= 0x80) {
            *cursor++ = char(0xc0 | (unit >> 6));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (unit >= 0x20 && unit != u'"' && unit != u'\\') {
            *cursor++ = byte;
        } else {
            cursor = escapeAscii(cursor, unit);
        }
    }
    *cursor++ = '"';
    out.resize(out.size() - (2 + 6 * text.size()) + (cursor - start));
}

// As QJsonValue(double) then QJsonDocument: integral values as integers, others shortest.
void appendDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value))
        out += "null";
    else if (std::trunc(value) == value && std::abs(value) < 9007199254740992.0)
        out += QByteArray::number(qint64(value));
    else
        out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

void appendDigits(char *cursor, qint64 value, int digits)
{
    for (int i = digits - 1; i >= 0; --i) {
        cursor[i] = char('0' + value % 10);
        value /= 10;
    }
}

// QDateTime::toString(Qt::ISODateWithMs) of a UTC time, without QDateTime: 2026-11-30T15:32:22.123Z
// (days to a civil date by Howard Hinnant's algorithm).
void appendTime(QByteArray &out, qint64 msecs)
{
    constexpr qint64 MsPerDay = 86'400'000;
    qint64 days = msecs / MsPerDay;
    qint64 ms = msecs % MsPerDay;
    if (ms < 0) {
        ms += MsPerDay;
        --days;
    }
    days += 719'468;
    const qint64 era = (days >= 0 ? days : days - 146'096) / 146'097;
    const qint64 dayOfEra = days - era * 146'097;
    const qint64 yearOfEra
            = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 shiftedMonth = (5 * dayOfYear + 2) / 153;
    const qint64 day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    const qint64 month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

    char *cursor = grow(out, 26);
    *cursor++ = '"';
    appendDigits(cursor, year, 4);
    cursor[4] = '-';
    appendDigits(cursor + 5, month, 2);
    cursor[7] = '-';
    appendDigits(cursor + 8, day, 2);
    cursor[10] = 'T';
    appendDigits(cursor + 11, ms / 3'600'000, 2);
    cursor[13] = ':';
    appendDigits(cursor + 14, ms / 60'000 % 60, 2);
    cursor[16] = ':';
    appendDigits(cursor + 17, ms / 1000 % 60, 2);
    cursor[19] = '.';
    appendDigits(cursor + 20, ms % 1000, 3);
    cursor[23] = 'Z';
    cursor[24] = '"';
}

QByteArrayView levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void appendRequest(QByteArray &out, const Record &record)
{
    out += R"({"category":"tasklane.http.request","duration_ms":)";
    appendDouble(out, double(qRound64(record.durationMs * 1000)) / 1000.0);
    out += R"(,"level":"info","message":"request","method":)";
    appendLatin1String(out, record.nameOrMethod);
    out += R"(,"path":)";
    appendString(out, record.text);
    out += R"(,"request_id":)";
    appendString(out, record.requestId);
    out += R"(,"status":)";
    out += QByteArray::number(record.status);
    out += R"(,"time":)";
    appendTime(out, record.time);
    out += R"(,"user_id":)";
    if (record.userId > 0)
        out += QByteArray::number(record.userId);
    else
        out += "null";
    out += "}\n";
}

void appendMessage(QByteArray &out, const Record &record)
{
    out += R"({"category":)";
    appendLatin1String(out, record.nameOrMethod);
    out += R"(,"level":")";
    out += levelName(record.type);
    out += R"(","message":)";
    appendString(out, record.text);
    if (!record.requestId.isEmpty()) {
        out += R"(,"request_id":)";
        appendString(out, record.requestId);
    }
    out += R"(,"time":)";
    appendTime(out, record.time);
    out += "}\n";
}

void append(QByteArray &out, const Record &record)
{
    if (record.isRequest)
        appendRequest(out, record);
    else
        appendMessage(out, record);
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

// The queue between the threads that log and the one that writes.
//
// When it is full (the writer cannot keep up: stderr is a slow pipe, or nobody reads it), a new
// line is dropped and counted, and the writer reports the count in a line of its own as soon
// as it writes again. Blocking the caller instead would stall the event loop, every connection
// with it, on the log's reader; growing without bound would trade the log for the process.
// Errors and fatal messages are never dropped: they are written synchronously.
class Writer
{
public:
    void start()
    {
        const std::lock_guard lock(m_queueMutex);
        if (m_running)
            return;
        m_running = true;
        m_thread = std::thread([this] { run(); });
        pthread_setname_np(m_thread.native_handle(), "tasklane-log");
    }

    void stop()
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

    void push(Record &&record)
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

    // Writes what is queued, then `record`, on the calling thread.
    void writeNow(Record &&record)
    {
        const std::lock_guard lock(m_writeMutex);
        drain(&record);
    }

    void flush()
    {
        const std::lock_guard lock(m_writeMutex);
        drain(nullptr);
    }

    qsizetype setLimit(qsizetype bytes)
    {
        const std::lock_guard lock(m_queueMutex);
        return std::exchange(m_limit, bytes);
    }

private:
    void run()
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

    // With m_writeMutex held: formats the queue (and `last`) and writes it in one write().
    void drain(const Record *last)
    {
        quint64 dropped = 0;
        {
            const std::lock_guard lock(m_queueMutex);
            m_batch.swap(m_queue);
            m_queuedBytes = 0;
            dropped = std::exchange(m_dropped, 0);
        }
        m_buffer.resize(0);
        for (const Record &record : m_batch)
            append(m_buffer, record);
        m_batch.clear();
        if (dropped > 0) {
            Record report;
            report.time = QDateTime::currentMSecsSinceEpoch();
            report.type = QtWarningMsg;
            report.nameOrMethod = "tasklane.log";
            report.text = u"%1 log lines dropped: the log writer could not keep up"_s.arg(dropped);
            appendMessage(m_buffer, report);
        }
        if (last)
            append(m_buffer, *last);
        writeAll(m_buffer);
        if (m_buffer.capacity() > KeptBufferBytes)
            m_buffer = QByteArray(); // a burst of long lines is not kept for the process's life
    }

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
    QByteArray m_buffer;
    std::thread m_thread;
};

Writer &writer()
{
    // Never destroyed: lines may still be logged while other statics are destroyed.
    static Writer *const instance = new Writer;
    return *instance;
}

// Whichever way the process ends normally (a return from main, exit()), what is queued is
// written before it does.
struct ShutdownAtExit
{
    ~ShutdownAtExit() { shutdown(); }
} s_shutdownAtExit;

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Record record;
    record.time = QDateTime::currentMSecsSinceEpoch();
    record.type = type;
    record.nameOrMethod = context.category ? context.category : "default";
    record.text = message;
    record.requestId = t_requestId;
    // Errors and fatal messages are written before the caller goes on (a fatal one aborts).
    if (type == QtCriticalMsg || type == QtFatalMsg)
        writer().writeNow(std::move(record));
    else
        writer().push(std::move(record));
}
} // namespace

bool parseLevel(const QString &text, Level *level)
{
    if (text == u"debug")
        *level = Level::Debug;
    else if (text == u"info")
        *level = Level::Info;
    else if (text == u"warning")
        *level = Level::Warning;
    else if (text == u"error")
        *level = Level::Error;
    else
        return false;
    return true;
}

void install(Level minimum)
{
    QString rules = u"qt.*.debug=false\n"_s;
    if (minimum > Level::Debug)
        rules += u"*.debug=false\n"_s;
    if (minimum > Level::Info)
        rules += u"*.info=false\n"_s;
    if (minimum > Level::Warning)
        rules += u"*.warning=false\n"_s;
    QLoggingCategory::setFilterRules(rules);
    s_requestLogEnabled = minimum <= Level::Info;
    writer().start();
    qInstallMessageHandler(handleMessage);
}

void flush()
{
    writer().flush();
}

void shutdown()
{
    writer().stop();
}

void request(const RequestEntry &entry)
{
    if (!s_requestLogEnabled)
        return;
    Record record;
    record.time = QDateTime::currentMSecsSinceEpoch();
    record.isRequest = true;
    record.nameOrMethod = entry.method;
    record.text = entry.path;
    record.status = entry.status;
    record.durationMs = entry.durationMs;
    record.userId = entry.userId;
    record.requestId = entry.requestId;
    writer().push(std::move(record));
}

RequestScope::RequestScope(const QString &requestId) : m_previous(t_requestId)
{
    t_requestId = requestId;
}

RequestScope::~RequestScope()
{
    t_requestId = m_previous;
}

namespace Detail {

QByteArray formatRequest(const RequestEntry &entry, qint64 msecsSinceEpoch)
{
    Record record;
    record.time = msecsSinceEpoch;
    record.isRequest = true;
    record.nameOrMethod = entry.method;
    record.text = entry.path;
    record.status = entry.status;
    record.durationMs = entry.durationMs;
    record.userId = entry.userId;
    record.requestId = entry.requestId;
    QByteArray line;
    appendRequest(line, record);
    return line;
}

QByteArray formatMessage(QtMsgType type, const char *category, const QString &message,
                         const QString &requestId, qint64 msecsSinceEpoch)
{
    Record record;
    record.time = msecsSinceEpoch;
    record.type = type;
    record.nameOrMethod = category;
    record.text = message;
    record.requestId = requestId;
    QByteArray line;
    appendMessage(line, record);
    return line;
}

qsizetype setQueueLimit(qsizetype bytes)
{
    return writer().setLimit(bytes);
}

} // namespace Detail

} // namespace Tasklane::JsonLog
