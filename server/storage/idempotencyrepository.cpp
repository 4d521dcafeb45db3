#include "idempotencyrepository.h"

#include "database.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<IdempotencyRepository::Entry> IdempotencyRepository::find(qint64 userId,
                                                                        const QString &key) const
{
    const auto row = m_database.fetchOne(
            u"SELECT request_hash, status, headers, body FROM idempotency_keys "
            "WHERE user_id = ? AND idempotency_key = ?"_s,
            { userId, key });
    if (!row)
        return std::nullopt;
    Entry entry;
    entry.requestHash = row->value(0).toString();
    entry.answer.status = row->value(1).toInt();
    const QJsonObject headers = QJsonDocument::fromJson(row->value(2).toString().toUtf8()).object();
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
        entry.answer.headers.append({ it.key().toLatin1(), it.value().toString().toLatin1() });
    entry.answer.body = row->value(3).toString().toUtf8();
    return entry;
}

void IdempotencyRepository::insert(qint64 userId, const QString &key, const QString &requestHash,
                                   const StoredAnswer &answer) const
{
    QJsonObject headers;
    for (const auto &[name, value] : answer.headers)
        headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
    m_database.execute(u"INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, "
                       "status, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                       { userId, key, requestHash, answer.status,
                         QString::fromUtf8(QJsonDocument(headers).toJson(QJsonDocument::Compact)),
                         QString::fromUtf8(answer.body),
                         Database::bindTime(QDateTime::currentDateTimeUtc()) });
}

int IdempotencyRepository::removeOlderThan(const QDateTime &cutoff) const
{
    return m_database.execute(u"DELETE FROM idempotency_keys WHERE created_at < ?"_s,
                              { Database::bindTime(cutoff) });
}

} // namespace Tasklane
