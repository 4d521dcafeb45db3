#include "logstore.h"

#include "apierror.h"
#include "commitgroup.h"
#include "cursorcodec.h"
#include "database.h"
#include "databaseerror.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLogStore, "tasklane.logstore")

namespace Tasklane {

namespace {
// A digest of what the listing selects: its cursors carry this, never the filter's text.
QString filterDigest(const LogRecordRepository::Filter &filter)
{
    const QJsonObject key{ { u"l"_s, QJsonArray::fromStringList(filter.levels) },
                           { u"c"_s, filter.category },
                           { u"r"_s, filter.requestId },
                           { u"u"_s, filter.userId },
                           { u"s"_s, filter.since.toMSecsSinceEpoch() },
                           { u"e"_s, filter.until.toMSecsSinceEpoch() },
                           { u"q"_s, filter.text } };
    return QString::fromLatin1(
            QCryptographicHash::hash(QJsonDocument(key).toJson(QJsonDocument::Compact),
                                     QCryptographicHash::Sha256)
                    .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}
// Text either database stores: NUL (PostgreSQL's text and jsonb refuse it) and unpaired
// surrogates (no UTF-8 for them) become U+FFFD; at most `maximum` characters.
QString storable(const QString &text, qsizetype maximum)
{
    QString clean = text.size() > maximum ? text.left(maximum) : text;
    for (qsizetype i = 0; i < clean.size(); ++i) {
        const QChar c = clean.at(i);
        if (c.isHighSurrogate() && i + 1 < clean.size() && clean.at(i + 1).isLowSurrogate()) {
            ++i;
            continue;
        }
        if (c.isNull() || c.isSurrogate())
            clean[i] = QChar::ReplacementCharacter;
    }
    return clean;
}

qsizetype costOf(const LogRecord &record)
{
    return 256 + 2 * (record.message.size() + record.category.size() + record.requestId.size());
}
} // namespace

std::optional<LogStore::RequestLines> LogStore::requestLinesFromString(const QString &text)
{
    if (text == u"all")
        return RequestLines::All;
    if (text == u"failed")
        return RequestLines::Failed;
    if (text == u"none")
        return RequestLines::None;
    return std::nullopt;
}

LogStore::LogStore(const Database &database, CommitGroup &writes, const CursorCodec &cursors,
                   Config config)
    : m_database(database), m_writes(writes), m_cursors(cursors), m_config(std::move(config))
{ }

LogStore::~LogStore()
{
    stop();
}

void LogStore::start()
{
    const std::lock_guard lock(m_mutex);
    if (m_thread)
        return;
    m_accepting = true;
    m_stopping = false;
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(u"log store"_s);
    m_thread->start();
}

void LogStore::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread) {
        m_thread->wait();
        m_thread.reset();
    }
    const std::lock_guard lock(m_mutex);
    m_accepting = false;
}

void LogStore::run()
{
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(m_config.flushIntervalMs),
                            [this] { return m_stopping; });
            stopping = m_stopping;
        }
        writeQueued();
        if (stopping)
            break;
    }
    // See runOnEachThread: this thread's connection closes here, not in its thread_local
    // destructors.
    m_database.closeThreadConnection();
}

void LogStore::flush()
{
    writeQueued();
}

void LogStore::offer(LogRecord &&record)
{
    const std::lock_guard lock(m_mutex);
    if (!m_accepting)
        return;
    const qsizetype cost = costOf(record);
    if (qsizetype(m_pending.size()) >= m_config.maxPending
        || m_pendingBytes + cost > m_config.maxPendingBytes) {
        ++m_dropped;
        return;
    }
    record.message = storable(record.message, MaxMessageLength);
    record.category = storable(record.category, 200);
    record.requestId = storable(record.requestId, 200);
    for (auto it = record.details.begin(); it != record.details.end(); ++it) {
        if (it.value().isString())
            it.value() = storable(it.value().toString(), MaxMessageLength);
    }
    record.source = m_config.source;
    m_pendingBytes += cost;
    m_pending.push_back(std::move(record));
}

bool LogStore::keepsRequest(int status, double durationMs) const
{
    switch (m_config.requests) {
    case RequestLines::All: return true;
    case RequestLines::None: return false;
    case RequestLines::Failed: break;
    }
    return status >= 400 || durationMs >= m_config.slowRequestMs;
}

void LogStore::writeQueued()
{
    const std::lock_guard writing(m_writeMutex);
    QList<LogRecord> batch;
    quint64 dropped = 0;
    {
        const std::lock_guard lock(m_mutex);
        batch.reserve(qsizetype(m_pending.size()) + 1);
        for (LogRecord &record : m_pending)
            batch.append(std::move(record));
        m_pending.clear();
        m_pendingBytes = 0;
        if (m_pending.capacity() > size_t(m_config.maxPending) / 4)
            m_pending.shrink_to_fit(); // a burst's room is not kept for the process's life
        dropped = std::exchange(m_dropped, 0);
    }
    if (dropped > 0) {
        LogRecord report;
        report.at = QDateTime::currentDateTimeUtc();
        report.level = u"warning"_s;
        report.category = u"tasklane.logstore"_s;
        report.message
                = u"%1 log records were not stored: the store could not keep up"_s.arg(dropped);
        report.source = m_config.source;
        batch.append(report);
    }
    if (batch.isEmpty())
        return;
    const qsizetype lost = write(std::move(batch));
    if (lost > 0) // logged, so back in the queue as one record a flush at most
        qCWarning(lcLogStore, "%lld log records were not stored: the database refused them",
                  static_cast<long long>(lost));
}

qsizetype LogStore::write(QList<LogRecord> records) const
{
    qsizetype lost = 0;
    while (!records.isEmpty()) {
        const qsizetype size = std::min<qsizetype>(records.size(), WriteChunk);
        QList<LogRecord> chunk = records.first(size);
        records.remove(0, size);
        try {
            m_writes.run([&] { LogRecordRepository(m_database).append(chunk); });
        } catch (const std::exception &error) {
            if (chunk.size() == 1) {
                qCDebug(lcLogStore, "a log record was not stored: %s", error.what());
                ++lost;
                continue;
            }
            // Each half again: the bad records are lost alone, the others stored.
            const qsizetype half = chunk.size() / 2;
            lost += write(chunk.first(half));
            lost += write(chunk.sliced(half));
        }
    }
    return lost;
}

Page<LogRecord> LogStore::list(const LogRecordRepository::Filter &filter, const QString &cursor,
                               int limit) const
{
    const QString key = filterDigest(filter);
    std::optional<LogRecordRepository::Position> after;
    if (!cursor.isEmpty()) {
        const auto payload = m_cursors.decode(cursor);
        if (!payload || payload->value(u"f"_s).toString() != key
            || !payload->value(u"a"_s).isDouble() || !payload->value(u"i"_s).isDouble())
            throw ApiError(ApiError::Kind::BadRequest,
                           u"A query parameter is not valid; see errors."_s,
                           { { u"cursor"_s, u"invalid_value"_s,
                               u"Use the next_cursor of this same listing."_s } });
        after = LogRecordRepository::Position{ QDateTime::fromMSecsSinceEpoch(
                                                       payload->value(u"a"_s).toInteger(), Qt::UTC),
                                               payload->value(u"i"_s).toInteger() };
    }
    Page<LogRecord> page;
    page.items = LogRecordRepository(m_database).list(filter, after, limit + 1);
    if (page.items.size() > limit) {
        page.items.resize(limit);
        const LogRecord &last = page.items.last();
        page.nextCursor = m_cursors.encode(
                { { u"f"_s, key }, { u"a"_s, last.at.toMSecsSinceEpoch() }, { u"i"_s, last.id } });
    }
    return page;
}

int LogStore::prune(const QDateTime &before, qint64 keep) const
{
    const LogRecordRepository records(m_database);
    int removed = 0;
    for (int batch = PruneBatch; batch == PruneBatch && removed < PruneLimit;) {
        batch = records.pruneOldest(before, keep, PruneBatch);
        removed += batch;
    }
    return removed;
}

} // namespace Tasklane
