#pragma once

#include "principal.h"
#include "taskrecord.h"
#include "taskrequests.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace Tasklane {

class AttachmentStore;
class CacheRefresher;
class CommitGroup;
class CursorCodec;
class Database;
class DueAlertJob;
class NotificationSettingsCache;
class ReminderScheduler;
class TaskJsonCache;
class TaskReadersCache;
struct Occurrence;

// The rules of tasks and the access decisions about them. Everything a user may not see does
// not exist for them (NotFound, never Forbidden); a viewer who tries to change a task is
// Forbidden. Every write runs in one transaction with its history record, and returns once
// committed.
class TaskService
{
public:
    // `creates` commits new tasks; it may be `writes` itself (see ServerApp).
    TaskService(const Database &database, CommitGroup &writes, CommitGroup &creates,
                const CursorCodec &cursors, const AttachmentStore &files, TaskJsonCache &json,
                TaskReadersCache &readers, const ReminderScheduler &reminders,
                const DueAlertJob &dueAlerts);

    TaskRecord create(const Principal &principal, const TaskChanges &changes) const;
    // Purges (as their owners would) up to `limit` tasks that went to the trash before
    // `before`, with their attachment files; returns how many (cleanup).
    int purgeTrashedBefore(const QDateTime &before, int limit) const;
    // In the caller's transaction (DELETE /users/me): the user leaves every task shared with
    // them, as DELETE /tasks/{id}/assignees/{them} would (a change of each, versioned and
    // recorded), and every task they own goes as a purge would take it, in bulk: their rows
    // locked, tasks of others they blocked lose them as blockers (a change, versioned and
    // recorded), readers they were shared with hear of the purge, and their history and queued
    // jobs go; the rows themselves go with the account (foreign keys). Returns the attachment
    // files to remove once the transaction has committed.
    QStringList removeAllOf(const Principal &user) const;
    TaskRecord get(const Principal &principal, qint64 taskId) const;
    // GET /tasks/{id}: the task's version and JSON, the JSON from the cache when it holds that
    // version (one small query then).
    struct TaskView
    {
        qint64 version = 0;
        QByteArray json;
    };
    TaskView view(const Principal &principal, qint64 taskId) const;
    // The same from memory alone, when the caches know who may read the task and hold the JSON
    // of its version; nothing when they do not (or the caller may not see it: view() decides).
    // Near the end of the readers' trusted time (on PostgreSQL) they are read again in the
    // background (setRefresher), so that a task read often does not wait for the database.
    std::optional<TaskView> cachedView(const Principal &principal, qint64 taskId) const;
    // Set while wiring; without one, entries expire and are read again by their next reader.
    void setRefresher(CacheRefresher *refresher) { m_refresher = refresher; }
    // Users' notification settings for the notices of changes, kept between changes: a task
    // with a hundred readers would read a hundred rows of settings in every change.
    void setNotificationSettings(NotificationSettingsCache *cache)
    {
        m_notificationSettings = cache;
    }
    // The JSON of a task just read or written (and kept for later reads).
    QByteArray json(const TaskRecord &record) const;
    // `expectedVersion`: from If-Match; a task whose version differs is PreconditionFailed.
    TaskRecord update(const Principal &principal, qint64 taskId, const TaskChanges &changes,
                      std::optional<qint64> expectedVersion) const;
    // DELETE: to the trash (owner only).
    TaskRecord trash(const Principal &principal, qint64 taskId,
                     std::optional<qint64> expectedVersion) const;
    TaskRecord restore(const Principal &principal, qint64 taskId,
                       std::optional<qint64> expectedVersion) const;
    // DELETE ?permanent=true (owner only): the task and everything of it, its attachment files
    // deleted once that has committed.
    // With `trashedBefore` valid, only a task still in the trash since before then (cleanup:
    // Conflict otherwise).
    void purge(const Principal &principal, qint64 taskId, std::optional<qint64> expectedVersion,
               const QDateTime &trashedBefore = {}) const;
    // Completes (or skips) the current occurrence: a recurring task moves to its next one,
    // any other task (or the last occurrence) becomes done.
    TaskRecord complete(const Principal &principal, qint64 taskId,
                        std::optional<qint64> expectedVersion) const;
    TaskRecord skip(const Principal &principal, qint64 taskId,
                    std::optional<qint64> expectedVersion) const;
    // Shares (or changes the permission of a share); owner only.
    TaskRecord assign(const Principal &principal, qint64 taskId, const AssignRequest &request,
                      std::optional<qint64> expectedVersion) const;
    // Ends a share: the owner ends anyone's, an assignee their own.
    void unassign(const Principal &principal, qint64 taskId, qint64 userId,
                  std::optional<qint64> expectedVersion) const;
    // The task's history records after `afterId`, oldest first.
    QList<TaskHistoryRecord> history(const Principal &principal, qint64 taskId, qint64 afterId,
                                     int limit) const;
    // The signed cursor of a history page that ended at record `lastId`, and its reading.
    QString encodeHistoryCursor(qint64 lastId, qint64 taskId) const;
    std::optional<qint64> decodeHistoryCursor(const QString &cursor, qint64 taskId) const;
    // Upcoming occurrences of the task in [from, to), at most `limit`.
    QList<Occurrence> occurrences(const Principal &principal, qint64 taskId, const QDateTime &from,
                                  const QDateTime &to, int limit) const;

    // Runs `unit`, a change to task `taskId`, as one write (see CommitGroup); the other writes
    // of this service nest in it. Changes to one task take its row lock one after the other:
    // on PostgreSQL, those that queue meanwhile share a transaction (CommitGroup::runKeyed).
    void write(qint64 taskId, const std::function<void()> &unit) const;
    // The record of the task a write to it needs, checked against the caller's access and the
    // expected version; NotFound, Forbidden or PreconditionFailed otherwise.
    TaskRecord loadForWrite(const Principal &principal, qint64 taskId, TaskAccess needed,
                            std::optional<qint64> expectedVersion) const;
    // Bumps the task's version and records `action` in its history and the real-time feed
    // (attachments use this); `formerReaders` hear of it too (an ended share).
    TaskRecord touch(const Principal &principal, const TaskRecord &record, const QString &action,
                     const QList<FieldChange> &changes,
                     const QList<qint64> &formerReaders = {}) const;

private:
    // Who may read the task, from the database, kept in the readers cache; nothing when it is
    // gone.
    std::optional<TaskReaders> readReaders(qint64 taskId) const;
    TaskRecord finishOccurrence(const Principal &principal, qint64 taskId,
                                std::optional<qint64> expectedVersion, bool completed) const;
    // Merges `changes` into `current` and checks every rule that needs the database.
    TaskRecord applyChanges(const Principal &principal, const TaskRecord &current,
                            const TaskChanges &changes, bool creating) const;
    void checkBlockers(const Principal &principal, qint64 taskId,
                       const QList<qint64> &blockers) const;

    QString ownerTimeZone(const Principal &principal, qint64 ownerId) const;
    // In a write's transaction: in-app notifications of a change by `principal` (to the task's
    // other users; to the owners of tasks it blocked, when it became done).
    void notifyChange(const Principal &principal, const Task &before, const Task &after,
                      const QString &action, const QList<FieldChange> &changes) const;
    // In a write's transaction: the task's reminder jobs made to match its new state, and the
    // due alerts' sweep brought forward if it is due sooner.
    void rescheduleAlerts(const Principal &principal, const Task &before, const Task &after) const;
    // In a write's transaction: the change's history record, and its event for the real-time
    // feed (TaskEvents), to the task's readers and `formerReaders`.
    // `inActivityLog` false: a change the principal's action caused in a task that may not be
    // theirs (a purged blocker leaving its dependents), in its history but not their log.
    void record(const Principal &principal, qint64 taskId, qint64 version, const QString &action,
                const QList<FieldChange> &changes, const QList<qint64> &formerReaders = {},
                bool inActivityLog = true) const;
    TaskRecord reload(const Principal &principal, qint64 taskId) const;

    const Database &m_database;
    CommitGroup &m_writes;
    CommitGroup &m_creates;
    const CursorCodec &m_cursors;
    const AttachmentStore &m_files;
    TaskJsonCache &m_json;
    TaskReadersCache &m_readers;
    CacheRefresher *m_refresher = nullptr;
    NotificationSettingsCache *m_notificationSettings = nullptr;
    const ReminderScheduler &m_reminders;
    const DueAlertJob &m_dueAlerts;
};

// Every field a new task has (not null or empty), as changes from null, for its "created"
// history record.
QList<FieldChange> initialFields(const Task &task);
// The fields that differ between two versions of a task, for its history.
QList<FieldChange> diffTasks(const Task &before, const Task &after);

} // namespace Tasklane
