#include "activityrepository.h"

#include "database.h"
#include "rowinsertbatch.h"

#include <QJsonDocument>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

// The entries of a transaction that holds writes back, written together just before COMMIT.
class ActivityInsertBatch final : public RowInsertBatch
{
public:
    ActivityInsertBatch()
        : RowInsertBatch(u"activity_log"_s,
                         { { u"at"_s, u"timestamptz"_s },
                           { u"user_id"_s, u"bigint"_s },
                           { u"actor_id"_s, u"bigint"_s },
                           { u"action"_s, u"text"_s },
                           { u"outcome"_s, u"text"_s },
                           { u"target_type"_s, u"text"_s },
                           { u"target_id"_s, u"bigint"_s },
                           { u"client_address"_s, u"text"_s },
                           { u"user_agent"_s, u"text"_s },
                           { u"details"_s, u"text"_s } })
    { }
};

QVariant idOrNull(qint64 id)
{
    return id ? QVariant(id) : QVariant(QMetaType::fromType<qint64>());
}

QString outcomeText(bool succeeded)
{
    return succeeded ? u"success"_s : u"failure"_s;
}

} // namespace

void ActivityRepository::append(const ActivityEntry &entry) const
{
    const QVariantList values{
        Database::bindTime(entry.at),
        idOrNull(entry.userId),
        idOrNull(entry.actorId),
        entry.action,
        outcomeText(entry.succeeded),
        Database::notNull(entry.targetType),
        idOrNull(entry.targetId),
        Database::notNull(entry.clientAddress),
        Database::notNull(entry.userAgent),
        QString::fromUtf8(QJsonDocument(entry.details).toJson(QJsonDocument::Compact)),
    };
    if (auto *held = m_database.pendingWrites<ActivityInsertBatch>()) {
        held->add(values);
        return;
    }
    m_database.execute(u"INSERT INTO activity_log (at, user_id, actor_id, action, outcome, "
                       "target_type, target_id, client_address, user_agent, details) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                       values);
}

QList<ActivityEntry> ActivityRepository::list(const Filter &filter, qint64 beforeId,
                                              int limit) const
{
    QString sql = u"SELECT id, at, user_id, actor_id, action, outcome, target_type, target_id, "
                  "client_address, user_agent, details FROM activity_log WHERE 1 = 1"_s;
    QVariantList values;
    if (filter.userId) {
        sql += u" AND user_id = ?"_s;
        values.append(filter.userId);
    }
    if (filter.actorId) {
        sql += u" AND actor_id = ?"_s;
        values.append(filter.actorId);
    }
    if (!filter.actions.isEmpty()) {
        sql += u" AND action IN ("_s;
        for (qsizetype i = 0; i < filter.actions.size(); ++i) {
            sql += i ? u", ?"_s : u"?"_s;
            values.append(filter.actions.at(i));
        }
        sql += u')';
    }
    if (filter.succeeded) {
        sql += u" AND outcome = ?"_s;
        values.append(outcomeText(*filter.succeeded));
    }
    if (filter.since.isValid()) {
        sql += u" AND at >= ?"_s;
        values.append(Database::bindTime(filter.since));
    }
    if (filter.until.isValid()) {
        sql += u" AND at < ?"_s;
        values.append(Database::bindTime(filter.until));
    }
    if (beforeId > 0) {
        sql += u" AND id < ?"_s;
        values.append(beforeId);
    }
    sql += u" ORDER BY id DESC LIMIT ?"_s;
    values.append(limit);
    QList<ActivityEntry> entries;
    const QList<QSqlRecord> rows = m_database.fetchAll(sql, values, Database::Retry::Safe);
    for (const QSqlRecord &row : rows) {
        ActivityEntry entry;
        entry.id = row.value(0).toLongLong();
        entry.at = Database::readTime(row.value(1));
        entry.userId = row.value(2).toLongLong();
        entry.actorId = row.value(3).toLongLong();
        entry.action = row.value(4).toString();
        entry.succeeded = row.value(5).toString() == u"success";
        entry.targetType = row.value(6).toString();
        entry.targetId = row.value(7).toLongLong();
        entry.clientAddress = row.value(8).toString();
        entry.userAgent = row.value(9).toString();
        entry.details = QJsonDocument::fromJson(row.value(10).toString().toUtf8()).object();
        entries.append(entry);
    }
    return entries;
}

int ActivityRepository::pruneOldest(const QDateTime &before, int batch) const
{
    return m_database.execute(
            u"DELETE FROM activity_log WHERE id IN (SELECT id FROM (SELECT id, at FROM "
            "activity_log ORDER BY id LIMIT ?) AS oldest WHERE at < ?)"_s,
            { batch, Database::bindTime(before) });
}

} // namespace Tasklane
