#include "accounterasurerepository.h"

#include "database.h"

#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
QList<qint64> ids(const QList<QSqlRecord> &rows)
{
    QList<qint64> result;
    result.reserve(rows.size());
    for (const QSqlRecord &row : rows)
        result.append(row.value(0).toLongLong());
    return result;
}
} // namespace

QList<qint64> AccountErasureRepository::ownedTaskIds(qint64 userId, bool lock) const
{
    const bool forUpdate = lock && m_database.dialect() == SqlDialect::Postgres;
    return ids(m_database.fetchAll(u"SELECT id FROM tasks WHERE owner_id = ? ORDER BY id"_s
                                           + (forUpdate ? u" FOR UPDATE"_s : QString()),
                                   { userId }));
}

QList<qint64> AccountErasureRepository::tasksSharedWith(qint64 userId) const
{
    return ids(m_database.fetchAll(u"SELECT s.task_id FROM task_shares s JOIN tasks t ON t.id = "
                                   "s.task_id WHERE s.user_id = ? AND t.owner_id <> ? "
                                   "ORDER BY s.task_id"_s,
                                   { userId, userId }));
}

QStringList AccountErasureRepository::ownedAttachmentFiles(qint64 userId) const
{
    QStringList names;
    for (const QSqlRecord &row : m_database.fetchAll(
                 u"SELECT a.stored_name FROM attachments a JOIN tasks t ON t.id = a.task_id "
                 "WHERE t.owner_id = ?"_s,
                 { userId }))
        names.append(row.value(0).toString());
    return names;
}

QHash<qint64, QList<qint64>> AccountErasureRepository::othersBlockedByOwned(qint64 userId) const
{
    QHash<qint64, QList<qint64>> dependents;
    for (const QSqlRecord &row : m_database.fetchAll(
                 u"SELECT d.task_id, d.blocker_id FROM task_dependencies d WHERE d.task_id IN "
                 "(SELECT b.task_id FROM task_dependencies b JOIN tasks blocker ON blocker.id = "
                 "b.blocker_id JOIN tasks dependent ON dependent.id = b.task_id "
                 "WHERE blocker.owner_id = ? AND dependent.owner_id <> ?) "
                 "ORDER BY d.task_id, d.blocker_id"_s,
                 { userId, userId }))
        dependents[row.value(0).toLongLong()].append(row.value(1).toLongLong());
    return dependents;
}

QList<std::pair<qint64, qint64>> AccountErasureRepository::sharedOwnedTasks(qint64 userId) const
{
    QList<std::pair<qint64, qint64>> tasks;
    for (const QSqlRecord &row :
         m_database.fetchAll(u"SELECT t.id, t.version FROM tasks t WHERE t.owner_id = ? AND EXISTS "
                             "(SELECT 1 FROM task_shares s WHERE s.task_id = t.id) ORDER BY t.id"_s,
                             { userId }))
        tasks.append({ row.value(0).toLongLong(), row.value(1).toLongLong() });
    return tasks;
}

QList<qint64> AccountErasureRepository::sharersOfOwned(qint64 userId) const
{
    return ids(m_database.fetchAll(
            u"SELECT DISTINCT s.user_id FROM task_shares s JOIN tasks t ON t.id = s.task_id "
            "WHERE t.owner_id = ?"_s,
            { userId }));
}

void AccountErasureRepository::removeOwnedTaskRecords(qint64 userId) const
{
    // Records held back in this transaction go in first, to be removed with the rest.
    m_database.flushPendingWrites();
    m_database.execute(u"DELETE FROM task_history WHERE task_id IN "
                       "(SELECT id FROM tasks WHERE owner_id = ?)"_s,
                       { userId });
    m_database.execute(u"DELETE FROM jobs WHERE status = 'queued' AND task_id IN "
                       "(SELECT id FROM tasks WHERE owner_id = ?)"_s,
                       { userId });
}

void AccountErasureRepository::anonymiseActor(qint64 userId) const
{
    m_database.flushPendingWrites();
    m_database.execute(u"UPDATE task_history SET actor_id = NULL WHERE actor_id = ?"_s, { userId });
    m_database.execute(u"UPDATE task_occurrences SET actor_id = NULL WHERE actor_id = ?"_s,
                       { userId });
    m_database.execute(u"UPDATE activity_log SET client_address = '', user_agent = '' "
                       "WHERE actor_id = ?"_s,
                       { userId });
}

} // namespace Tasklane
