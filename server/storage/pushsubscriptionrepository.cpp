#include "pushsubscriptionrepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

const QString Columns = u"id, user_id, endpoint, p256dh, auth, created_at, last_success_at"_s;

QString encode(const QByteArray &data)
{
    return QString::fromLatin1(
            data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray decode(const QVariant &value)
{
    return QByteArray::fromBase64(value.toString().toLatin1(), QByteArray::Base64UrlEncoding);
}

PushSubscription readSubscription(const QSqlRecord &row)
{
    PushSubscription subscription;
    subscription.id = row.value(0).toLongLong();
    subscription.userId = row.value(1).toLongLong();
    subscription.endpoint = row.value(2).toString();
    subscription.p256dh = decode(row.value(3));
    subscription.auth = decode(row.value(4));
    subscription.createdAt = Database::readTime(row.value(5));
    subscription.lastSuccessAt = Database::readTime(row.value(6));
    return subscription;
}

} // namespace

PushSubscription PushSubscriptionRepository::save(qint64 userId,
                                                  const PushSubscriptionRequest &request,
                                                  const QDateTime &now, bool *created) const
{
    const auto existing = m_database.fetchOne(
            u"SELECT user_id FROM push_subscriptions WHERE endpoint = ?"_s, { request.endpoint });
    if (created)
        *created = !existing || existing->value(0).toLongLong() != userId;
    const auto row = m_database.fetchOne(
            u"INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET user_id = "
            "excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth RETURNING "_s
                    + Columns,
            { userId, request.endpoint, encode(request.p256dh), encode(request.auth),
              Database::bindTime(now) });
    // The oldest beyond the cap make room.
    m_database.execute(u"DELETE FROM push_subscriptions WHERE user_id = ? AND id NOT IN (SELECT "
                       "id FROM push_subscriptions WHERE user_id = ? ORDER BY id DESC LIMIT ?)"_s,
                       { userId, userId, MaxPerUser });
    return readSubscription(*row);
}

bool PushSubscriptionRepository::remove(qint64 userId, const QString &endpoint) const
{
    return m_database.execute(
                   u"DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?"_s,
                   { userId, endpoint })
            > 0;
}

void PushSubscriptionRepository::removeById(qint64 id) const
{
    m_database.execute(u"DELETE FROM push_subscriptions WHERE id = ?"_s, { id });
}

QList<PushSubscription> PushSubscriptionRepository::forUser(qint64 userId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + Columns + u" FROM push_subscriptions WHERE user_id = ? ORDER BY id"_s,
            { userId }, Database::Retry::Safe);
    QList<PushSubscription> subscriptions;
    for (const QSqlRecord &row : rows)
        subscriptions.append(readSubscription(row));
    return subscriptions;
}

bool PushSubscriptionRepository::userHasAny(qint64 userId) const
{
    return m_database
            .fetchOne(u"SELECT 1 FROM push_subscriptions WHERE user_id = ? LIMIT 1"_s, { userId },
                      Database::Retry::Safe)
            .has_value();
}

void PushSubscriptionRepository::markSuccess(qint64 id, const QDateTime &now) const
{
    m_database.execute(u"UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?"_s,
                       { Database::bindTime(now), id });
}

} // namespace Tasklane
