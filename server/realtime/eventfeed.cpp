#include "eventfeed.h"

#include "database.h"
#include "databaseerror.h"
#include "eventlistener.h"
#include "eventrepository.h"
#include "realtimehub.h"
#include "realtimetypes.h"
#include "workerpools.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFeed, "tasklane.realtime.feed")

namespace Tasklane {

namespace {
constexpr int PageSize = 1000;
// How often the feed reads anyway: a lost notification (or, on SQLite, nothing) delays an
// event this long at most.
constexpr int BackstopListeningMs = 5000;
constexpr int BackstopMs = 30'000;
constexpr int RetryMs = 1000; // after a failed read
} // namespace

EventFeed::EventFeed(const Database &database, WorkerPools &pools, RealtimeHub &hub, bool listen)
    : m_database(database), m_pools(pools), m_hub(hub), m_listen(listen)
{
    m_backstop.setInterval(listen ? BackstopListeningMs : BackstopMs);
    connect(&m_backstop, &QTimer::timeout, this, &EventFeed::read);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &EventFeed::read);
}

EventFeed::~EventFeed() = default;

void EventFeed::start()
{
    m_through = EventRepository(m_database).settledThrough();
    m_hub.publish(nullptr, m_through);
    if (m_listen)
        m_listener = std::make_unique<EventListener>(m_database.config(), [this] { wake(); });
    m_backstop.start();
}

void EventFeed::wake()
{
    QMetaObject::invokeMethod(this, &EventFeed::read, Qt::QueuedConnection);
}

void EventFeed::committed()
{
    wake();
    if (!m_listen)
        return;
    QMetaObject::invokeMethod(this, &EventFeed::announce, Qt::QueuedConnection);
}

void EventFeed::announce()
{
    // One NOTIFY at a time: commits during one are told by the next.
    if (m_announcing) {
        m_announceAgain = true;
        return;
    }
    m_announcing = true;
    m_announceAgain = false;
    const bool started = m_pools.start(Executor::Database, [this] {
        try {
            EventRepository(m_database).announce();
        } catch (const DatabaseError &error) {
            // The others read anyway within their backstop's time.
            qCWarning(lcFeed, "telling other processes of new events failed: %s", error.what());
        }
        QMetaObject::invokeMethod(
                this,
                [this] {
                    m_announcing = false;
                    if (m_announceAgain)
                        announce();
                },
                Qt::QueuedConnection);
    });
    if (!started)
        m_announcing = false; // busy: their backstop reads it
}

void EventFeed::read()
{
    if (m_reading) {
        m_again = true;
        return;
    }
    m_reading = true;
    m_again = false;
    const qint64 from = m_through;
    const bool ordered = m_database.dialect() != SqlDialect::Postgres;
    const bool started = m_pools.start(Executor::Database, [this, from, ordered] {
        auto batch = std::make_shared<EventBatch>();
        qint64 through = from;
        bool more = false;
        bool failed = false;
        try {
            const EventRepository repository(m_database);
            QList<StoredEvent> events = repository.after(from, PageSize);
            more = events.size() == PageSize;
            if (!ordered) {
                // Take the ids that follow each other; at a gap, wait for the writers that drew
                // ids below the highest seen: then nothing more can appear under what settled.
                qint64 expected = from + 1;
                qsizetype contiguous = 0;
                while (contiguous < events.size() && events.at(contiguous).id == expected) {
                    ++contiguous;
                    ++expected;
                }
                if (contiguous < events.size()) {
                    const qint64 settled = repository.settledThrough();
                    events = repository.after(from, PageSize);
                    qsizetype final = 0;
                    while (final < events.size() && events.at(final).id <= settled)
                        ++final;
                    more = events.size() == PageSize || final < events.size();
                    events.resize(final);
                }
            }
            batch->items.reserve(events.size());
            for (StoredEvent &event : events) {
                through = event.id;
                batch->items.append(EventBatch::itemOf(std::move(event)));
            }
        } catch (const DatabaseError &error) {
            qCWarning(lcFeed, "reading new events failed: %s", error.what());
            failed = true;
        }
        QMetaObject::invokeMethod(
                this,
                [this, through, batch = std::shared_ptr<const EventBatch>(std::move(batch)), more,
                 failed] { readDone(through, batch, more, failed); },
                Qt::QueuedConnection);
    });
    if (!started) {
        m_reading = false;
        m_retry.start(50); // the database pool is full: soon
    }
}

void EventFeed::readDone(qint64 through, std::shared_ptr<const EventBatch> batch, bool more,
                         bool failed)
{
    m_reading = false;
    if (failed) {
        m_retry.start(RetryMs);
        return;
    }
    if (!batch->items.isEmpty()) {
        m_through = through;
        m_hub.publish(std::move(batch), through);
    }
    if (more || m_again)
        read();
}

} // namespace Tasklane
