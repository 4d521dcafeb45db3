#include "deliveryrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

const QString Columns = u"id, event, task_id, occurrence, reminder, user_id, channel, recipient, "
                        "status, late, due_at, error, created_at, updated_at, sent_at"_s;

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
    return delivery;
}

} // namespace

std::optional<qint64> DeliveryRepository::add(const Delivery &delivery, const QDateTime &now) const
{
    const QVariant at = Database::bindTime(now);
    const auto row = m_database.fetchOne(
            u"INSERT INTO deliveries (event, task_id, occurrence, reminder, user_id, channel, "
            "status, late, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', "
            "?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"_s,
            { delivery.event, delivery.taskId, delivery.occurrence, delivery.reminder,
              delivery.userId, delivery.channel, delivery.late, Database::bindTime(delivery.dueAt),
              at, at });
    if (!row)
        return std::nullopt;
    return row->value(0).toLongLong();
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

} // namespace Tasklane
