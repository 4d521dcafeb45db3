#include "eventrepository.h"

#include "database.h"
#include "eventlistener.h"
#include "jsontext.h"
#include "realtimeevent.h"

#include <QSqlRecord>

#include <vector>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

// Events bound as one JSON array of rows ("n" is a row's place in it): the shared lock first
// (before any id is drawn), ids drawn in the rows' order, each event's audience read from the
// task's owner and shares as the transaction sees them, plus its listed users. The audiences
// are aggregated in one pass (GROUP BY): a subquery per event over every event's audience made
// a batch of k events to a task of r readers cost k * k * r rows.
const QString InsertEventsPostgres = uR"(WITH lk AS MATERIALIZED (
    SELECT pg_advisory_xact_lock_shared(CAST(? AS bigint)) AS locked
), input AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('events', 'id')) AS id, r.*
    FROM lk, jsonb_to_recordset(CAST(? AS jsonb)) AS r (n integer, type text, task_id bigint,
        data text, readers_of bigint, address_readers boolean, users jsonb,
        created_at timestamptz)
), audience AS MATERIALIZED (
    SELECT i.id, t.owner_id AS user_id, i.address_readers AS addressed
    FROM input i JOIN tasks t ON t.id = i.readers_of
    UNION ALL SELECT i.id, s.user_id, i.address_readers
    FROM input i JOIN task_shares s ON s.task_id = i.readers_of
    UNION ALL SELECT i.id, CAST(x AS bigint), true
    FROM input i, jsonb_array_elements_text(i.users) AS x
), lists AS (
    SELECT a.id, string_agg(DISTINCT CAST(a.user_id AS text), ',') AS audience
    FROM audience a GROUP BY a.id
), e AS (
    INSERT INTO events (id, type, task_id, data, audience, created_at) OVERRIDING SYSTEM VALUE
    SELECT i.id, i.type, i.task_id, i.data, COALESCE(l.audience, ''), i.created_at
    FROM input i LEFT JOIN lists l ON l.id = i.id ORDER BY i.n
), r AS (
    INSERT INTO event_recipients (user_id, event_id)
    SELECT DISTINCT user_id, id FROM audience WHERE addressed
)
SELECT n, id FROM input)"_s;

// SQLite: one event at a time (a statement costs no round trip there).
const QString ReadersSqlite = uR"(SELECT owner_id AS user_id FROM tasks WHERE id = ?
    UNION SELECT user_id FROM task_shares WHERE task_id = ?)"_s;
const QString ListedSqlite = u"SELECT CAST(value AS INTEGER) FROM json_each(?)"_s;

QByteArray usersJson(const QList<qint64> &users)
{
    QByteArray json;
    JsonText::appendArray(json, users, JsonText::appendInteger);
    return json;
}

// The events of a transaction that holds writes back, written together just before COMMIT.
class EventInsertBatch final : public Database::PendingWrites
{
public:
    void add(QByteArray fields) { m_rows.push_back(std::move(fields)); }

    void flush(const Database &database) override
    {
        if (m_rows.empty())
            return;
        QByteArray rows = "[";
        for (size_t n = 0; n < m_rows.size(); ++n) {
            rows += n == 0 ? R"({"n":)" : R"(,{"n":)";
            rows += QByteArray::number(qulonglong(n));
            rows += m_rows[n];
            rows += '}';
        }
        rows += ']';
        const qsizetype count = qsizetype(m_rows.size());
        m_rows.clear();
        const auto ids = database.fetchAll(
                InsertEventsPostgres, { EventRepository::EventsLockKey, QString::fromUtf8(rows) });
        if (ids.size() != count)
            throw DatabaseError(DatabaseError::Kind::Statement,
                                u"inserting %1 events gave %2 ids"_s.arg(count).arg(ids.size()));
        qint64 last = 0;
        for (const QSqlRecord &row : ids)
            last = std::max(last, row.value(1).toLongLong());
        database.noteChanged(Database::Change::Event, last);
    }

private:
    std::vector<QByteArray> m_rows; // each row's members after "n", with a leading comma
};

QList<qint64> parseAudience(const QString &text)
{
    QList<qint64> users;
    for (QStringView part : QStringView(text).split(u',', Qt::SkipEmptyParts))
        users.append(part.toLongLong());
    return users;
}

QList<StoredEvent> readEvents(const QList<QSqlRecord> &rows)
{
    QList<StoredEvent> events;
    events.reserve(rows.size());
    for (const QSqlRecord &row : rows) {
        StoredEvent event;
        event.id = row.value(0).toLongLong();
        event.type = row.value(1).toString().toUtf8();
        event.taskId = row.value(2).toLongLong();
        event.data = row.value(3).toString().toUtf8();
        event.audience = parseAudience(row.value(4).toString());
        event.createdAt = Database::readTime(row.value(5));
        events.append(std::move(event));
    }
    return events;
}

} // namespace

QByteArray StoredEvent::wireText() const
{
    return RealtimeEvent::wireText(id, type, data);
}

void EventRepository::append(QByteArrayView type, qint64 taskId, const QByteArray &data,
                             const Audience &audience, const QDateTime &at) const
{
    if (m_database.dialect() == SqlDialect::Postgres) {
        QByteArray fields;
        fields += R"(,"type":)";
        JsonText::appendLatin1String(fields, type);
        fields += R"(,"task_id":)";
        JsonText::appendInteger(fields, taskId);
        fields += R"(,"data":)";
        JsonText::appendString(fields, QString::fromUtf8(data));
        fields += R"(,"readers_of":)";
        JsonText::appendInteger(fields, audience.readersOf);
        fields += audience.addressReaders ? R"(,"address_readers":true)"
                                          : R"(,"address_readers":false)";
        fields += R"(,"users":)";
        fields += usersJson(audience.users);
        fields += R"(,"created_at":)";
        JsonText::appendString(fields, Database::bindTime(at).toString());
        if (auto *held = m_database.pendingWrites<EventInsertBatch>()) {
            held->add(std::move(fields));
            return;
        }
        EventInsertBatch now;
        now.add(std::move(fields));
        now.flush(m_database);
        return;
    }
    const QString users = QString::fromLatin1(usersJson(audience.users));
    const auto row = m_database.fetchOne(
            u"INSERT INTO events (type, task_id, data, audience, created_at) VALUES (?, ?, ?, "
            "COALESCE((SELECT group_concat(user_id) FROM ("_s
                    + ReadersSqlite + u" UNION "_s + ListedSqlite + u")), ''), ?) RETURNING id"_s,
            { QString::fromLatin1(type), taskId, QString::fromUtf8(data), audience.readersOf,
              audience.readersOf, users, Database::bindTime(at) });
    const qint64 id = row->value(0).toLongLong();
    if (audience.addressReaders)
        m_database.execute(u"INSERT INTO event_recipients (user_id, event_id) SELECT user_id, ? "
                           "FROM ("_s
                                   + ReadersSqlite + u" UNION "_s + ListedSqlite + u")"_s,
                           { id, audience.readersOf, audience.readersOf, users });
    else if (!audience.users.isEmpty())
        m_database.execute(u"INSERT INTO event_recipients (user_id, event_id) SELECT DISTINCT "
                           "CAST(value AS INTEGER), ? FROM json_each(?)"_s,
                           { id, users });
    m_database.noteChanged(Database::Change::Event, id);
}

QList<StoredEvent> EventRepository::after(qint64 afterId, int limit) const
{
    return readEvents(m_database.fetchAll(
            u"SELECT id, type, task_id, data, audience, created_at FROM events WHERE id > ? "
            "ORDER BY id LIMIT ?"_s,
            { afterId, limit }, Database::Retry::Safe));
}

QList<StoredEvent> EventRepository::forUser(qint64 userId, qint64 afterId, int limit,
                                            qint64 throughId) const
{
    // Addressed to them, or of a task they see now; and for them when written (its audience
    // names them: a task shared with them later showed them nothing before).
    const QString concat = u"',' || e.audience || ','"_s;
    return readEvents(m_database.fetchAll(
            u"SELECT e.id, e.type, e.task_id, e.data, e.audience, e.created_at FROM events e "
            "WHERE e.id IN (SELECT r.event_id FROM event_recipients r WHERE r.user_id = ? AND "
            "r.event_id > ? AND r.event_id <= ? "
            "UNION ALL SELECT v.id FROM events v WHERE v.task_id IN (SELECT t.id FROM tasks t "
            "WHERE t.owner_id = ? UNION SELECT s.task_id FROM task_shares s WHERE s.user_id = ?) "
            "AND v.id > ? AND v.id <= ?) AND "_s
                    + concat + u" LIKE ? ORDER BY e.id LIMIT ?"_s,
            { userId, afterId, throughId, userId, userId, afterId, throughId,
              u"%,%1,%"_s.arg(userId), limit },
            Database::Retry::Safe));
}

qint64 EventRepository::lastId() const
{
    const QString greatest
            = m_database.dialect() == SqlDialect::Postgres ? u"GREATEST"_s : u"max"_s;
    return m_database
            .fetchOne(u"SELECT %1(COALESCE((SELECT max(id) FROM events), 0), pruned_through) "
                      "FROM event_horizon"_s.arg(greatest),
                      {}, Database::Retry::Safe)
            ->value(0)
            .toLongLong();
}

qint64 EventRepository::settledThrough() const
{
    if (m_database.dialect() != SqlDialect::Postgres)
        return lastId(); // one writer at a time: what is visible is settled
    Transaction transaction(m_database);
    // Waits for every writer holding the shared lock; the next statement's snapshot is taken
    // after that (READ COMMITTED), so it sees each of them committed or gone.
    m_database.fetchOne(u"SELECT pg_advisory_xact_lock(CAST(? AS bigint))"_s, { EventsLockKey });
    const qint64 last = lastId();
    transaction.commit();
    return last;
}

void EventRepository::announce() const
{
    if (m_database.dialect() == SqlDialect::Postgres)
        m_database.fetchOne(u"SELECT pg_notify(?, '')"_s,
                            { QString::fromLatin1(EventListener::Channel) });
}

qint64 EventRepository::prunedThrough() const
{
    return m_database
            .fetchOne(u"SELECT pruned_through FROM event_horizon"_s, {}, Database::Retry::Safe)
            ->value(0)
            .toLongLong();
}

int EventRepository::pruneBefore(const QDateTime &before, int limit) const
{
    // The oldest first, up to the first one too young: ids follow time closely enough, and the
    // primary key gives them in order without an index on the time.
    const QList<QSqlRecord> oldest = m_database.fetchAll(
            u"SELECT id, created_at FROM events ORDER BY id LIMIT ?"_s, { limit });
    qint64 through = 0;
    int count = 0;
    for (const QSqlRecord &row : oldest) {
        if (Database::readTime(row.value(1)) >= before)
            break;
        through = row.value(0).toLongLong();
        ++count;
    }
    if (count == 0)
        return 0;
    m_database.execute(u"DELETE FROM events WHERE id <= ?"_s, { through });
    m_database.execute(u"DELETE FROM event_recipients WHERE event_id <= ?"_s, { through });
    m_database.execute(u"UPDATE event_horizon SET pruned_through = ? WHERE pruned_through < ?"_s,
                       { through, through });
    return count;
}

} // namespace Tasklane
