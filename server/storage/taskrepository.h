#pragma once

#include "taskinsertbatch.h"
#include "taskrecord.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlRecord>
#include <QString>
#include <QVariant>

#include <functional>
#include <optional>

namespace Tasklane {

class Database;

// All SQL of the tasks table and the tables that belong to one task: its tags, blockers and
// shares. Writes never open a transaction: the service runs them inside its own.
class TaskRepository
{
public:
    explicit TaskRepository(const Database &database) : m_database(database) { }

    // A new task with its tags and blockers; with `created`, its "created" history record too
    // (its task id filled in). Returns the task's id. On PostgreSQL all of it is one statement
    // (TaskInsertBatch).
    qint64 insert(const TaskRecord &record, const TaskHistoryRecord *created = nullptr) const;
    // insert(), except that inside a CommitGroup batch on PostgreSQL the task is held back and
    // inserted with the batch's other new tasks in one statement just before COMMIT: `*id` is
    // set then (before the unit's run() returns), not at once. The caller must not need the id,
    // or the rows, before its transaction commits. `then` runs with the id as soon as it is
    // known, in the transaction (it may write, e.g. what names the task).
    void insertBatched(const TaskRecord &record, const TaskHistoryRecord &created, qint64 *id,
                       std::function<void(qint64 id)> then = {}) const;
    // Writes every field of the task (tags and blockers when `withLists`) and its new version,
    // if the stored version is still `expectedVersion`; false otherwise. Inside a CommitGroup
    // batch, a change that leaves the lists alone, to a task this transaction has locked, is
    // held back (HeldTaskRows): findForUpdate reads it back, and only the last is written.
    bool update(const TaskRecord &record, qint64 expectedVersion, bool withLists) const;
    // Sets version, updated_at and trashed_at alone (trash and restore).
    bool setTrashed(qint64 taskId, const QDateTime &trashedAt, qint64 version,
                    const QDateTime &updatedAt) const;
    // Bumps version and updated_at alone (a share or an attachment changed).
    void touch(qint64 taskId, qint64 version, const QDateTime &updatedAt) const;
    // Deletes the row and everything that cascades from it.
    void remove(qint64 taskId) const;
    // The tasks `blockerId` blocks, each with its whole blocked_by list.
    QHash<qint64, QList<qint64>> dependentsOf(qint64 blockerId) const;
    // Bumps a task's version and updated_at (a change made to it from elsewhere); returns the
    // new version.
    qint64 bumpVersion(qint64 taskId, const QDateTime &updatedAt) const;
    // Uncategorises every task of a category, bumping their versions and recording the change
    // in their history (as one update each, by `actorId`); returns each one's id and new
    // version, by id.
    QList<std::pair<qint64, qint64>> detachCategory(qint64 categoryId, qint64 actorId) const;

    // The task as `userId` may see it; nullopt when it does not exist or they may not see it.
    std::optional<TaskRecord> findForUser(qint64 taskId, qint64 userId) const;
    // Like findForUser, and on PostgreSQL locks the row until the transaction ends, so that the
    // read-check-write of a change cannot interleave with another's. (SQLite holds its write
    // lock from BEGIN IMMEDIATE on.)
    std::optional<TaskRecord> findForUpdate(qint64 taskId, qint64 userId) const;
    // The task's version, owner and shares (whoever asks: the caller decides who may read).
    std::optional<TaskReaders> readers(qint64 taskId) const;
    // The tasks of `ids` that `userId` may see (at most MaxBulkRead ids a call), by id.
    QHash<qint64, TaskRecord> findManyForUser(const QList<qint64> &ids, qint64 userId) const;
    // The tasks of `ids` whoever may see them (background jobs: at most MaxBulkRead ids a
    // call), by id; their access is no one's.
    QHash<qint64, TaskRecord> findMany(const QList<qint64> &ids) const;
    static constexpr qsizetype MaxBulkRead = 101;

    // Rows of a listing query (selected with columns()), as `userId` sees them.
    QList<TaskRecord> readRows(const QList<QSqlRecord> &rows) const;
    // The column list readRows() expects, for a query whose tasks table is aliased `t` and whose
    // first extra parameter is the reading user's id (twice).
    QString columns() const;

    // Of `ids`, those `userId` can see (owner or shared), in the order given.
    QList<qint64> visibleAmong(const QList<qint64> &ids, qint64 userId) const;
    // Of the tasks `ids`, those still open (not done and not in the trash), ascending.
    QList<qint64> openAmong(const QList<qint64> &ids) const;
    // Every dependency edge (task -> its blockers) reachable from `start` by following blockers;
    // at most `limit` edges.
    QHash<qint64, QList<qint64>> blockerGraphFrom(qint64 start, int limit) const;

    // Shares: insert or change a permission; end one. False when there was nothing to end.
    void share(qint64 taskId, qint64 userId, SharePermission permission) const;
    bool unshare(qint64 taskId, qint64 userId) const;

    // Records a completed or skipped occurrence of a recurring task.
    void recordOccurrence(qint64 taskId, const QString &occurrence, bool completed,
                          qint64 actorId) const;

    // The search token that lets `userId` read a task (SQLite's tasks.readers, FTS5-indexed).
    static QString readerToken(qint64 userId);

    // Serialises dependency changes on PostgreSQL (a cycle check must see every committed
    // edge); nothing on SQLite, whose writers are already serialised. Taken before any task row
    // is locked, always: the other order deadlocks with a change that holds that row.
    void lockDependencies() const;

    // The instant sort=due orders by: due_at, an all-day date's midnight UTC, or the far future
    // for no due (never NULL, which would need its own branch in every cursor comparison).
    static QVariant dueSortValue(const Database &database, const Task &task);
    // The stored form of an all-day date or instant for series_start and occurrences.
    static QString occurrenceText(const QDateTime &dueAt, const QDate &dueDate);

    // The open tasks `blockerId` blocks (not in the trash), with their owners.
    struct BlockedTask
    {
        qint64 id = 0;
        qint64 ownerId = 0;
        QString title;
    };
    QList<BlockedTask> openTasksBlockedBy(qint64 blockerId) const;
    // Up to `limit` tasks put in the trash before `before`, oldest first: (id, owner).
    QList<std::pair<qint64, qint64>> trashedBefore(const QDateTime &before, int limit) const;

    // Open tasks (not done, not in the trash) with a due time or date, by their sort instant
    // (due_at, or an all-day date's midnight UTC): those with `allDay` dates or times, the
    // instant in (from, to], after (`afterSort`, `afterId`) in that order, at most `limit`.
    // The due alerts' sweep (DueAlertJob), on the index tasks_open_due.
    struct DueTask
    {
        qint64 id = 0;
        qint64 ownerId = 0;
        QDateTime dueSort;
    };
    QList<DueTask> openDue(bool allDay, const QDateTime &from, const QDateTime &to,
                           const QDateTime &afterSort, qint64 afterId, int limit) const;
    // Ids of the open tasks `userId` owns or shares that are due (by their sort instant)
    // before `before`, soonest first, at most `limit` (the daily digest).
    QList<qint64> openDueForUser(qint64 userId, const QDateTime &before, int limit) const;
    // The first sort instant after `after` of an open task with a due time (not an all-day
    // date), if any.
    std::optional<QDateTime> nextOpenDueTime(const QDateTime &after) const;

private:
    // Of `ids`, those whose row meets `condition` (SQL over `t`, binding `values`).
    QSet<qint64> idsWhere(const QList<qint64> &ids, const QString &condition,
                          const QVariantList &values) const;
    // SQLite: tasks.readers again from the owner and the shares (after a share changes).
    void refreshReaders(qint64 taskId) const;
    // Notes the task and everyone who can see it now as changed (Database::noteChanged).
    void noteChanged(qint64 taskId) const;
    std::optional<TaskRecord> find(qint64 taskId, qint64 userId, bool forUpdate) const;
    // The UPDATE of the task's row (not its lists) if its version is still `expectedVersion`.
    bool writeRow(const TaskRecord &record, qint64 expectedVersion) const;
    friend class HeldTaskRows;
    void writeLists(qint64 taskId, const Task &task, bool replace) const;
    QVariantList rowValues(const TaskRecord &record) const;
    // The task (and its history record) as TaskInsertBatch takes it (PostgreSQL).
    TaskInsertBatch::Row insertRow(const TaskRecord &record, const TaskHistoryRecord *created,
                                   qint64 *id) const;

    const Database &m_database;
};

} // namespace Tasklane
