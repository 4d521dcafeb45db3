#include "deliveryrepository.h"

#include "database.h"
#include "rowinsertbatch.h"

#include <QHash>
#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

const QString Columns = u"id, event, task_id, occurrence, reminder, user_id, channel, recipient, "
                        "status, late, due_at, error, created_at, updated_at, sent_at, details, "
                        "for_digest"_s;

Delivery readDelivery(const QSqlRecord &row)
{
    Delivery delivery;
    delivery.id = row.value(0).toLongLong();
    delivery.event = row.value(1).toString();
    delivery.taskId = row.value(2).toLongLong();
    delivery.occurrence = row.value(3).toString();
    delivery.reminder = row.value(4).toString();
    delivery.userId = row.value(5).toLongLong();
    delivery.channel = row.value(6).toString();
    delivery.recipient = row.value(7).toString();
    delivery.status = row.value(8).toString();
    delivery.late = row.value(9).toBool();
    delivery.dueAt = Database::readTime(row.value(10));
    delivery.error = row.value(11).toString();
    delivery.createdAt = Database::readTime(row.value(12));
    delivery.updatedAt = Database::readTime(row.value(13));
    delivery.sentAt = Database::readTime(row.value(14));
    delivery.details = QJsonDocument::fromJson(row.value(15).toString().toUtf8()).object();
    delivery.forDigest = row.value(16).toBool();
    return delivery;
}

// The delivery log's lines of a transaction that holds writes back (CommitGroup, a batch of
// jobs).
class AttemptInsertBatch final : public RowInsertBatch
{
public:
    AttemptInsertBatch()
        : RowInsertBatch(u"delivery_attempts"_s,
                         { { u"delivery_id"_s, u"bigint"_s },
                           { u"job_id"_s, u"bigint"_s },
                           { u"channel"_s, u"text"_s },
                           { u"recipient"_s, u"text"_s },
                           { u"outcome"_s, u"text"_s },
                           { u"error"_s, u"text"_s },
                           { u"at"_s, u"timestamptz"_s } })
    { }
};

// The columns a new delivery fills, in the order of insertValues().
const QList<RowInsertBatch::Column> InsertColumns{ { u"event"_s, u"text"_s },
                                                   { u"task_id"_s, u"bigint"_s },
                                                   { u"occurrence"_s, u"text"_s },
                                                   { u"reminder"_s, u"text"_s },
                                                   { u"user_id"_s, u"bigint"_s },
                                                   { u"channel"_s, u"text"_s },
                                                   { u"recipient"_s, u"text"_s },
                                                   { u"status"_s, u"text"_s },
                                                   { u"late"_s, u"boolean"_s },
                                                   { u"due_at"_s, u"timestamptz"_s },
                                                   { u"created_at"_s, u"timestamptz"_s },
                                                   { u"updated_at"_s, u"timestamptz"_s },
                                                   { u"sent_at"_s, u"timestamptz"_s },
                                                   { u"details"_s, u"text"_s },
                                                   { u"for_digest"_s, u"boolean"_s } };

// One delivery's INSERT, on the same columns as the batch's.
QString singleInsert()
{
    QStringList names;
    QStringList places;
    for (const RowInsertBatch::Column &column : InsertColumns) {
        names.append(column.name);
        places.append(u"?"_s);
    }
    return u"INSERT INTO deliveries (%1) VALUES (%2) ON CONFLICT DO NOTHING RETURNING id"_s.arg(
            names.join(u", "_s), places.join(u", "_s));
}

// A new delivery's values, as the columns of its INSERT go.
QVariantList insertValues(const Delivery &delivery, const QDateTime &now)
{
    const QVariant at = Database::bindTime(now);
    const QVariant null(QMetaType::fromType<QString>());
    return { delivery.event,
             delivery.taskId,
             Database::notNull(delivery.occurrence),
             Database::notNull(delivery.reminder),
             delivery.userId,
             delivery.channel,
             delivery.recipient.isEmpty() ? null : QVariant(delivery.recipient),
             delivery.status,
             delivery.late,
             Database::bindTime(delivery.dueAt),
             at,
             at,
             delivery.status == u"sent" ? at : null,
             QString::fromUtf8(QJsonDocument(delivery.details).toJson(QJsonDocument::Compact)),
             delivery.forDigest };
}

// A delivery's unique key (keyOf with its event and channel).
QString uniqueKeyOf(const Delivery &delivery)
{
    return delivery.event + u'\n' + delivery.channel + u'\n' + DeliveryRepository::keyOf(delivery);
}

// The deliveries of a transaction that holds writes back (a batch of jobs recorded together),
// added in one statement; what waits for one's id runs once it was added, and not when that
// very delivery existed already.
class DeliveryInsertBatch final : public RowInsertBatch
{
public:
    DeliveryInsertBatch()
        : RowInsertBatch(u"deliveries"_s, InsertColumns,
                         u"ON CONFLICT DO NOTHING RETURNING id, event, task_id, occurrence, "
                         "reminder, user_id, channel"_s)
    { }

    void hold(const Delivery &delivery, const QDateTime &now, std::function<void(qint64 id)> then)
    {
        add(insertValues(delivery, now));
        m_waiting.append({ uniqueKeyOf(delivery), std::move(then) });
    }

protected:
    void inserted(const Database &, const QList<QSqlRecord> &rows) override
    {
        QHash<QString, qint64> added;
        for (const QSqlRecord &row : rows) {
            Delivery delivery;
            delivery.event = row.value(1).toString();
            delivery.taskId = row.value(2).toLongLong();
            delivery.occurrence = row.value(3).toString();
            delivery.reminder = row.value(4).toString();
            delivery.userId = row.value(5).toLongLong();
            delivery.channel = row.value(6).toString();
            added.insert(uniqueKeyOf(delivery), row.value(0).toLongLong());
        }
        // The same delivery twice in one batch went in once: the first to ask gets it.
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto &[key, then] : waiting) {
            const auto found = added.constFind(key);
            if (found == added.cend())
                continue;
            const qint64 id = *found;
            added.erase(found);
            if (then)
                then(id);
        }
    }

private:
    QList<std::pair<QString, std::function<void(qint64)>>> m_waiting;
};

} // namespace

std::optional<qint64> DeliveryRepository::add(const Delivery &delivery, const QDateTime &now) const
{
    static const QString statement = singleInsert();
    const auto row = m_database.fetchOne(statement, insertValues(delivery, now));
    if (!row)
        return std::nullopt;
    return row->value(0).toLongLong();
}

void DeliveryRepository::addThen(const Delivery &delivery, const QDateTime &now,
                                 std::function<void(qint64 id)> then) const
{
    if (auto *held = m_database.pendingWrites<DeliveryInsertBatch>()) {
        held->hold(delivery, now, std::move(then));
        return;
    }
    if (const auto id = add(delivery, now); id && then)
        then(*id);
}

QString DeliveryRepository::keyOf(const Delivery &delivery)
{
    return u"%1\n%2\n%3\n%4"_s.arg(delivery.taskId)
            .arg(delivery.occurrence, delivery.reminder)
            .arg(delivery.userId);
}

QSet<QString> DeliveryRepository::existing(const QString &event, const QString &channel,
                                           const QList<qint64> &taskIds) const
{
    QSet<QString> found;
    const QList<QSqlRecord> rows = m_database.fetchAllIn(
            u"SELECT task_id, occurrence, reminder, user_id FROM deliveries WHERE event = ? AND "
            "channel = ? AND task_id IN ("_s,
            { event, channel }, QVariantList(taskIds.cbegin(), taskIds.cend()), u")"_s, 64,
            Database::Retry::Safe);
    for (const QSqlRecord &row : rows) {
        Delivery delivery;
        delivery.taskId = row.value(0).toLongLong();
        delivery.occurrence = row.value(1).toString();
        delivery.reminder = row.value(2).toString();
        delivery.userId = row.value(3).toLongLong();
        found.insert(keyOf(delivery));
    }
    return found;
}

std::optional<Delivery> DeliveryRepository::find(qint64 id) const
{
    const auto row
            = m_database.fetchOne(u"SELECT "_s + Columns + u" FROM deliveries WHERE id = ?"_s,
                                  { id }, Database::Retry::Safe);
    if (!row)
        return std::nullopt;
    return readDelivery(*row);
}

void DeliveryRepository::markSent(qint64 id, const QString &recipient, const QDateTime &now) const
{
    const QVariant at = Database::bindTime(now);
    m_database.execute(u"UPDATE deliveries SET status = 'sent', recipient = ?, error = NULL, "
                       "sent_at = ?, updated_at = ? WHERE id = ?"_s,
                       { recipient, at, at, id });
}

void DeliveryRepository::markFailed(qint64 id, const QString &recipient, const QString &error,
                                    const QDateTime &now) const
{
    m_database.execute(u"UPDATE deliveries SET status = 'failed', recipient = ?, error = ?, "
                       "updated_at = ? WHERE id = ?"_s,
                       { recipient, error, Database::bindTime(now), id });
}

void DeliveryRepository::noteError(qint64 id, const QString &error, const QDateTime &now) const
{
    m_database.execute(u"UPDATE deliveries SET error = ?, updated_at = ? WHERE id = ?"_s,
                       { error, Database::bindTime(now), id });
}

QList<Delivery> DeliveryRepository::heldForDigest(qint64 userId, int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + Columns
                    + u" FROM deliveries WHERE user_id = ? AND for_digest AND status = 'pending' "
                      "ORDER BY id LIMIT ?"_s,
            { userId, limit }, Database::Retry::Safe);
    QList<Delivery> deliveries;
    for (const QSqlRecord &row : rows)
        deliveries.append(readDelivery(row));
    return deliveries;
}

QList<qint64> DeliveryRepository::releaseHeld(qint64 userId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"UPDATE deliveries SET for_digest = ? WHERE user_id = ? AND for_digest AND "
            "status = 'pending' RETURNING id"_s,
            { false, userId });
    QList<qint64> ids;
    for (const QSqlRecord &row : rows)
        ids.append(row.value(0).toLongLong());
    return ids;
}

QList<Delivery> DeliveryRepository::forUser(qint64 userId, int limit) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + Columns
                    + u" FROM deliveries WHERE user_id = ? ORDER BY id DESC LIMIT ?"_s,
            { userId, limit }, Database::Retry::Safe);
    QList<Delivery> deliveries;
    for (const QSqlRecord &row : rows)
        deliveries.append(readDelivery(row));
    return deliveries;
}

void DeliveryRepository::recordAttempt(const DeliveryAttempt &attempt) const
{
    const QVariantList values{ attempt.deliveryId,
                               attempt.jobId,
                               attempt.channel,
                               attempt.recipient.isEmpty()
                                       ? QVariant(QMetaType::fromType<QString>())
                                       : QVariant(attempt.recipient),
                               attempt.outcome,
                               attempt.error.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                       : QVariant(attempt.error),
                               Database::bindTime(attempt.at) };
    if (auto *held = m_database.pendingWrites<AttemptInsertBatch>()) {
        held->add(values);
        return;
    }
    m_database.execute(u"INSERT INTO delivery_attempts (delivery_id, job_id, channel, recipient, "
                       "outcome, error, at) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                       values);
}

QList<DeliveryAttempt> DeliveryRepository::attempts(const AttemptFilter &filter, qint64 beforeId,
                                                    int limit) const
{
    // Unset filters compare with themselves: one statement text for every combination.
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT a.id, a.delivery_id, a.job_id, a.channel, a.recipient, a.outcome, a.error, "
            "a.at, d.event, d.task_id, d.user_id FROM delivery_attempts a JOIN deliveries d ON "
            "d.id = a.delivery_id WHERE (COALESCE(?, '') = '' OR a.channel = ?) AND "
            "(COALESCE(?, '') = '' OR a.outcome = ?) AND (? = 0 OR d.user_id = ?) AND "
            "(? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?"_s,
            { filter.channel, filter.channel, filter.outcome, filter.outcome, filter.userId,
              filter.userId, beforeId, beforeId, limit },
            Database::Retry::Safe);
    QList<DeliveryAttempt> attempts;
    for (const QSqlRecord &row : rows) {
        DeliveryAttempt attempt;
        attempt.id = row.value(0).toLongLong();
        attempt.deliveryId = row.value(1).toLongLong();
        attempt.jobId = row.value(2).toLongLong();
        attempt.channel = row.value(3).toString();
        attempt.recipient = row.value(4).toString();
        attempt.outcome = row.value(5).toString();
        attempt.error = row.value(6).toString();
        attempt.at = Database::readTime(row.value(7));
        attempt.event = row.value(8).toString();
        attempt.taskId = row.value(9).toLongLong();
        attempt.userId = row.value(10).toLongLong();
        attempts.append(attempt);
    }
    return attempts;
}

int DeliveryRepository::purgeOlderThan(const QDateTime &before) const
{
    // SQLite enforces the cascade only with foreign keys on; delete the attempts explicitly.
    m_database.execute(u"DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM "
                       "deliveries WHERE created_at < ?)"_s,
                       { Database::bindTime(before) });
    return m_database.execute(u"DELETE FROM deliveries WHERE created_at < ?"_s,
                              { Database::bindTime(before) });
}

} // namespace Tasklane
