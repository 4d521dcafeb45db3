#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace Tasklane {

class Database;

// The answer of a write made with an Idempotency-Key, as stored to be replayed.
struct StoredAnswer
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

// All SQL of idempotency_keys.
class IdempotencyRepository
{
public:
    explicit IdempotencyRepository(const Database &database) : m_database(database) { }

    struct Entry
    {
        QString requestHash;
        StoredAnswer answer;
    };
    std::optional<Entry> find(qint64 userId, const QString &key) const;
    // In the write's own transaction. A concurrent insert of the same key fails with a
    // unique violation (on PostgreSQL once the other transaction has committed).
    void insert(qint64 userId, const QString &key, const QString &requestHash,
                const StoredAnswer &answer) const;
    // Forgets keys stored before `cutoff`; returns how many.
    int removeOlderThan(const QDateTime &cutoff) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
