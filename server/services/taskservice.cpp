#include "taskservice.h"

#include "accounterasurerepository.h"
#include "activitylog.h"

#include "apierror.h"
#include "attachmentrepository.h"
#include "attachmentstore.h"
#include "cacherefresher.h"
#include "categoryrepository.h"
#include "commitgroup.h"
#include "cursorcodec.h"
#include "database.h"
#include "duealertjob.h"
#include "jobqueue.h"
#include "notifier.h"
#include "recurrence.h"
#include "reminderscheduler.h"
#include "taskevents.h"
#include "taskhistoryrepository.h"
#include "taskjsoncache.h"
#include "taskreaderscache.h"
#include "taskrepository.h"
#include "timezones.h"
#include "userrepository.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr int MaxDependencyEdges = 10'000;
// As JsonFieldReader: a problem lists at most this many field errors.
constexpr qsizetype MaxFieldErrors = 20;

ApiError taskNotFound()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such task."_s);
}

ApiError inTrash()
{
    return ApiError(ApiError::Kind::Conflict, u"This task is in the trash; restore it first."_s);
}

QString idList(const QList<qint64> &ids)
{
    QStringList names;
    for (qint64 id : ids)
        names.append(QString::number(id));
    return names.join(u", "_s);
}

ApiError blockedByOpenTasks(const QList<qint64> &open)
{
    FieldErrors errors;
    for (qint64 id : open) {
        if (errors.size() == MaxFieldErrors)
            break;
        errors.append(
                { u"blocked_by"_s, u"open_blocker"_s, u"Task %1 is not done yet."_s.arg(id) });
    }
    return ApiError(
            ApiError::Kind::Conflict,
            u"This task is blocked by open tasks (%1); finish them first."_s.arg(idList(open)),
            errors);
}

Occurrence occurrenceOf(const Task &task)
{
    Occurrence occurrence;
    occurrence.dueAt = task.dueAt;
    occurrence.dueDate = task.dueDate;
    return occurrence;
}

Occurrence occurrenceFromText(const QString &text)
{
    Occurrence occurrence;
    occurrence.dueDate = parseApiDate(text);
    if (!occurrence.dueDate.isValid())
        occurrence.dueAt = parseApiInstant(text);
    return occurrence;
}

} // namespace

QList<FieldChange> initialFields(const Task &task)
{
    QList<FieldChange> changes;
    for (const TaskField &field : taskFields()) {
        if (!field.tracked)
            continue;
        const QJsonValue value = field.value(task);
        const bool empty = value.isNull() || (value.isArray() && value.toArray().isEmpty())
                || (value.isString() && value.toString().isEmpty());
        if (!empty)
            changes.append({ field.name, QJsonValue(QJsonValue::Null), value });
    }
    return changes;
}

QList<FieldChange> diffTasks(const Task &before, const Task &after)
{
    QList<FieldChange> changes;
    for (const TaskField &field : taskFields()) {
        if (field.tracked && !field.same(before, after))
            changes.append({ field.name, field.value(before), field.value(after) });
    }
    return changes;
}

namespace {
// A task action as the activity log keeps it: created, deleted (purged), shared and unshared
// by name, every other change as task.changed with how (completed, trashed ...) and the fields
// it touched (their values stay in the task's history, which its readers see).
ActivityEntry taskActivity(qint64 userId, const RequestOrigin &origin, qint64 taskId,
                           const QString &action, const QList<FieldChange> &changes)
{
    const QString name = action == u"created" ? ActivityAction::TaskCreated
            : action == u"purged"             ? ActivityAction::TaskDeleted
            : action == u"shared"             ? ActivityAction::TaskShared
            : action == u"unshared"           ? ActivityAction::TaskUnshared
                                              : ActivityAction::TaskChanged;
    ActivityEntry entry = ActivityLog::entry(name, userId, origin);
    entry.targetType = u"task"_s;
    entry.targetId = taskId;
    if (name == ActivityAction::TaskChanged) {
        QJsonArray fields;
        for (const FieldChange &change : changes)
            fields.append(change.field);
        entry.details = { { u"action"_s, action }, { u"fields"_s, fields } };
    }
    return entry;
}
} // namespace

TaskService::TaskService(const Database &database, CommitGroup &writes, CommitGroup &creates,
                         const CursorCodec &cursors, const AttachmentStore &files,
                         TaskJsonCache &json, TaskReadersCache &readers,
                         const ReminderScheduler &reminders, const DueAlertJob &dueAlerts)
    : m_database(database), m_writes(writes), m_creates(creates), m_cursors(cursors),
      m_files(files), m_json(json), m_readers(readers), m_reminders(reminders),
      m_dueAlerts(dueAlerts)
{ }

TaskService::TaskView TaskService::view(const Principal &principal, qint64 taskId) const
{
    const auto readers = readReaders(taskId);
    if (!readers || !readers->accessOf(principal.user.id))
        throw taskNotFound();
    if (QByteArray cached = m_json.find(taskId, readers->version); !cached.isNull())
        return { readers->version, cached };
    const TaskRecord record = reload(principal, taskId);
    return { record.task.version, m_json.jsonOf(record) };
}

std::optional<TaskReaders> TaskService::readReaders(qint64 taskId) const
{
    // Before the read: a write that commits after it makes remember() refuse.
    const TaskReadersCache::Generation readAt = m_readers.snapshot();
    const auto readers = TaskRepository(m_database).readers(taskId);
    if (readers)
        m_readers.remember(taskId, *readers, readAt);
    return readers;
}

std::optional<TaskService::TaskView> TaskService::cachedView(const Principal &principal,
                                                             qint64 taskId) const
{
    bool refreshDue = false;
    const auto readers = m_readers.find(taskId, m_refresher ? &refreshDue : nullptr);
    if (refreshDue) {
        m_refresher->refresh([this, taskId] {
            if (!readReaders(taskId))
                m_readers.forget(taskId); // gone: its next reader is told so by the database
        });
    }
    if (!readers || !readers->accessOf(principal.user.id))
        return std::nullopt;
    QByteArray cached = m_json.find(taskId, readers->version);
    if (cached.isNull())
        return std::nullopt;
    return TaskView{ readers->version, std::move(cached) };
}

QByteArray TaskService::json(const TaskRecord &record) const
{
    return m_json.jsonOf(record);
}

QString TaskService::encodeHistoryCursor(qint64 lastId, qint64 taskId) const
{
    return m_cursors.encode({ { u"h"_s, taskId }, { u"a"_s, lastId } });
}

std::optional<qint64> TaskService::decodeHistoryCursor(const QString &cursor, qint64 taskId) const
{
    const auto payload = m_cursors.decode(cursor);
    if (!payload || payload->value(u"h"_s).toInteger() != taskId
        || !payload->value(u"a"_s).isDouble())
        return std::nullopt;
    return payload->value(u"a"_s).toInteger();
}

void TaskService::write(qint64 taskId, const std::function<void()> &unit) const
{
    m_writes.runKeyed(taskId, unit);
}

TaskRecord TaskService::reload(const Principal &principal, qint64 taskId) const
{
    const auto record = TaskRepository(m_database).findForUser(taskId, principal.user.id);
    if (!record)
        throw taskNotFound();
    return *record;
}

TaskRecord TaskService::get(const Principal &principal, qint64 taskId) const
{
    return reload(principal, taskId);
}

TaskRecord TaskService::loadForWrite(const Principal &principal, qint64 taskId, TaskAccess needed,
                                     std::optional<qint64> expectedVersion) const
{
    const auto record = TaskRepository(m_database).findForUpdate(taskId, principal.user.id);
    if (!record)
        throw taskNotFound();
    if (int(record->access) < int(needed)) {
        throw ApiError(ApiError::Kind::Forbidden,
                       needed == TaskAccess::Owner
                               ? u"Only the task's owner may do this."_s
                               : u"This task is shared with you to view only."_s);
    }
    if (expectedVersion && *expectedVersion != record->task.version)
        throw ApiError(ApiError::Kind::PreconditionFailed,
                       u"The task has changed since version %1 (it is at version %2); read it "
                       "again."_s.arg(*expectedVersion)
                               .arg(record->task.version));
    return *record;
}

void TaskService::record(const Principal &principal, qint64 taskId, qint64 version,
                         const QString &action, const QList<FieldChange> &changes,
                         const QList<qint64> &formerReaders, bool inActivityLog) const
{
    TaskEvents(m_database)
            .changed(taskId, version, principal.user.id, action, changes, formerReaders);
    TaskHistoryRecord entry;
    entry.taskId = taskId;
    entry.actorId = principal.user.id;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.action = action;
    entry.changes = changes;
    TaskHistoryRepository(m_database).append(entry);
    if (inActivityLog)
        ActivityLog::record(
                m_database,
                taskActivity(principal.user.id, principal.origin, taskId, action, changes));
}

void TaskService::notifyChange(const Principal &principal, const Task &before, const Task &after,
                               const QString &action, const QList<FieldChange> &changes) const
{
    const Notifier notifier(m_reminders.queue(), m_notificationSettings);
    notifier.taskChanged(after, principal.user.id, action, changes);
    if (after.status == TaskStatus::Done && before.status != TaskStatus::Done)
        notifier.blockerDone(after);
}

void TaskService::rescheduleAlerts(const Principal &principal, const Task &before,
                                   const Task &after) const
{
    m_dueAlerts.taskWritten(after);
    if (before.reminders.isEmpty() && after.reminders.isEmpty())
        return; // nothing queued, nothing to queue
    m_reminders.reschedule(after, ownerTimeZone(principal, after.ownerId),
                           QDateTime::currentDateTimeUtc());
}

QString TaskService::ownerTimeZone(const Principal &principal, qint64 ownerId) const
{
    if (ownerId == principal.user.id)
        return principal.user.timeZone;
    const auto owner = UserRepository(m_database).findById(ownerId);
    return owner ? owner->user.timeZone : u"UTC"_s;
}

void TaskService::checkBlockers(const Principal &principal, qint64 taskId,
                                const QList<qint64> &blockers) const
{
    const TaskRepository tasks(m_database);
    const QList<qint64> visible = tasks.visibleAmong(blockers, principal.user.id);
    FieldErrors errors;
    for (qsizetype i = 0; i < blockers.size() && errors.size() < MaxFieldErrors; ++i) {
        if (!visible.contains(blockers.at(i)))
            errors.append({ u"blocked_by[%1]"_s.arg(i), u"not_found"_s,
                            u"There is no task %1."_s.arg(blockers.at(i)) });
    }
    if (!errors.isEmpty())
        throw ApiError::validation(errors);
    if (taskId == 0)
        return; // a new task has no dependents yet: it cannot close a cycle
    if (blockers.contains(taskId))
        throw ApiError::validation({ { u"blocked_by"_s, u"cycle"_s,
                                       u"A task cannot block itself (%1 -> %1)."_s.arg(taskId) } });
    // taskId would wait for b; a cycle exists if b (transitively) waits for taskId.
    for (qint64 blocker : blockers) {
        const QHash<qint64, QList<qint64>> graph
                = tasks.blockerGraphFrom(blocker, MaxDependencyEdges);
        QHash<qint64, qint64> cameFrom{ { blocker, 0 } };
        QList<qint64> queue{ blocker };
        for (qsizetype head = 0; head < queue.size(); ++head) {
            const qint64 node = queue.at(head);
            if (node == taskId) {
                QList<qint64> path;
                for (qint64 at = node; at != 0; at = cameFrom.value(at))
                    path.prepend(at);
                path.prepend(taskId);
                QStringList names;
                for (qint64 id : std::as_const(path))
                    names.append(QString::number(id));
                throw ApiError::validation(
                        { { u"blocked_by"_s, u"cycle"_s,
                            u"This would make a cycle of blockers: %1 (each task blocked by "
                            "the next)."_s.arg(names.join(u" -> "_s)) } });
            }
            const QList<qint64> next = graph.value(node);
            for (qint64 neighbour : next) {
                if (!cameFrom.contains(neighbour)) {
                    cameFrom.insert(neighbour, node);
                    queue.append(neighbour);
                }
            }
        }
    }
}

TaskRecord TaskService::applyChanges(const Principal &principal, const TaskRecord &current,
                                     const TaskChanges &changes, bool creating) const
{
    TaskRecord next = current;
    Task &task = next.task;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (changes.title)
        task.title = *changes.title;
    if (changes.description)
        task.description = *changes.description;
    if (changes.priority)
        task.priority = *changes.priority;
    if (changes.categoryId) {
        if (*changes.categoryId
            && !CategoryRepository(m_database).find(task.ownerId, **changes.categoryId))
            throw ApiError::validation(
                    { { u"category_id"_s, u"not_found"_s,
                        u"The task's owner has no category %1."_s.arg(**changes.categoryId) } });
        task.categoryId = *changes.categoryId;
    }
    if (changes.tags)
        task.tags = *changes.tags;
    if (changes.dueAt) {
        task.dueAt = changes.dueAt->value_or(QDateTime());
        if (task.dueAt.isValid())
            task.dueDate = QDate();
    }
    if (changes.dueDate) {
        task.dueDate = changes.dueDate->value_or(QDate());
        if (task.dueDate.isValid())
            task.dueAt = QDateTime();
    }
    if (changes.reminders)
        task.reminders = *changes.reminders;
    if (changes.rrule)
        task.rrule = changes.rrule->value_or(QString());
    if (changes.blockedBy) {
        checkBlockers(principal, task.id, *changes.blockedBy);
        task.blockedBy = *changes.blockedBy;
        std::sort(task.blockedBy.begin(), task.blockedBy.end());
    }

    FieldErrors errors;
    if (!task.hasDue()) {
        if (!task.rrule.isEmpty())
            errors.append(
                    { u"rrule"_s, u"needs_due"_s,
                      u"A recurring task needs due_at or due_date: its first occurrence."_s });
        if (std::any_of(
                    task.reminders.cbegin(), task.reminders.cend(),
                    [](const Reminder &reminder) { return reminder.beforeMinutes.has_value(); }))
            errors.append({ u"reminders"_s, u"needs_due"_s,
                            u"A reminder before_minutes needs the task to have a due time."_s });
    }
    if (!task.rrule.isEmpty() && errors.isEmpty()) {
        QString problem;
        const auto rule = RecurrenceRule::parse(task.rrule, task.dueDate.isValid(), &problem);
        if (!rule) {
            errors.append({ u"rrule"_s, u"invalid_rule"_s, problem });
        } else {
            task.rrule = rule->text();
            // A new rule or a moved due starts the series again from the due.
            const bool restart = next.seriesStart.isEmpty() || changes.rrule || changes.dueAt
                    || changes.dueDate;
            if (restart)
                next.seriesStart = TaskRepository::occurrenceText(task.dueAt, task.dueDate);
        }
    }
    if (task.rrule.isEmpty())
        next.seriesStart.clear();
    if (!errors.isEmpty())
        throw ApiError::validation(errors);

    if (changes.status && *changes.status != current.task.status) {
        task.status = *changes.status;
        if (task.status == TaskStatus::Done) {
            const QList<qint64> open = TaskRepository(m_database).openAmong(task.blockedBy);
            if (!open.isEmpty())
                throw blockedByOpenTasks(open);
            task.completedAt = now;
        } else {
            task.completedAt = QDateTime();
        }
    } else if (creating && changes.status) {
        task.status = *changes.status;
    }
    return next;
}

TaskRecord TaskService::create(const Principal &principal, const TaskChanges &changes) const
{
    TaskRecord created;
    m_creates.run([&] {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        TaskRecord blank;
        blank.task.ownerId = principal.user.id;
        blank.task.createdAt = now;
        blank.task.updatedAt = now;
        blank.access = TaskAccess::Owner;
        TaskRecord next = applyChanges(principal, blank, changes, true);
        if (next.task.status == TaskStatus::Done) {
            const QList<qint64> open = TaskRepository(m_database).openAmong(next.task.blockedBy);
            if (!open.isEmpty())
                throw blockedByOpenTasks(open);
            next.task.completedAt = now;
        }
        next.task.version = 1;
        TaskHistoryRecord entry; // written with the task, in the same statement on PostgreSQL
        entry.actorId = principal.user.id;
        entry.at = QDateTime::currentDateTimeUtc();
        entry.action = u"created"_s;
        entry.changes = initialFields(next.task);
        created = next;
        m_dueAlerts.taskWritten(next.task);
        // Its id is known by the time write() returns; maybe only then (insertBatched). Its
        // event names it: written once it is known, in the same transaction.
        TaskRepository(m_database)
                .insertBatched(
                        next, entry, &created.task.id,
                        [this, origin = principal.origin, actor = entry.actorId,
                         changes = entry.changes](qint64 id) {
                            TaskEvents(m_database).changed(id, 1, actor, u"created"_s, changes);
                            ActivityLog::record(m_database,
                                                taskActivity(actor, origin, id, u"created"_s, {}));
                        });
        // Its reminders' jobs name it: queued now, or right after the batch that gives it its
        // id (in the same transaction).
        if (!next.task.reminders.isEmpty())
            m_reminders.scheduleNew(created.task, &created.task.id, principal.user.timeZone,
                                    QDateTime::currentDateTimeUtc());
    });
    return created;
}

TaskRecord TaskService::update(const Principal &principal, qint64 taskId,
                               const TaskChanges &changes,
                               std::optional<qint64> expectedVersion) const
{
    TaskRecord result;
    write(taskId, [&] {
        // Before the task's row: the lock order of every dependency change (see purge).
        if (changes.blockedBy)
            TaskRepository(m_database).lockDependencies();
        const TaskRecord current
                = loadForWrite(principal, taskId, TaskAccess::Edit, expectedVersion);
        if (current.task.trashedAt.isValid())
            throw inTrash();
        TaskRecord next = applyChanges(principal, current, changes, false);
        QString action = u"updated"_s;
        if (!next.task.rrule.isEmpty() && next.task.status == TaskStatus::Done
            && current.task.status != TaskStatus::Done) {
            // Checking off a recurring task completes its current occurrence, as
            // POST /tasks/{id}/complete does: it moves on to the next one.
            const Occurrence done = occurrenceOf(next.task);
            TaskRepository(m_database)
                    .recordOccurrence(taskId,
                                      TaskRepository::occurrenceText(done.dueAt, done.dueDate),
                                      true, principal.user.id);
            const auto rule = RecurrenceRule::parse(next.task.rrule, done.isAllDay(), nullptr);
            const auto following = rule->nextAfter(occurrenceFromText(next.seriesStart), done,
                                                   ownerTimeZone(principal, next.task.ownerId));
            if (following) {
                next.task.dueAt = following->dueAt;
                next.task.dueDate = following->dueDate;
                next.task.status = TaskStatus::Todo;
                next.task.completedAt = QDateTime();
            }
            action = u"completed"_s;
        }
        const QList<FieldChange> fieldChanges = diffTasks(current.task, next.task);
        if (fieldChanges.isEmpty()) {
            result = current;
            return;
        }
        next.task.version = current.task.version + 1;
        next.task.updatedAt = QDateTime::currentDateTimeUtc();
        TaskRepository(m_database)
                .update(next, current.task.version,
                        changes.tags.has_value() || changes.blockedBy.has_value());
        record(principal, taskId, next.task.version, action, fieldChanges);
        rescheduleAlerts(principal, current.task, next.task);
        notifyChange(principal, current.task, next.task, action, fieldChanges);
        result = next;
    });
    return result;
}

TaskRecord TaskService::trash(const Principal &principal, qint64 taskId,
                              std::optional<qint64> expectedVersion) const
{
    TaskRecord result;
    write(taskId, [&] {
        TaskRecord next = loadForWrite(principal, taskId, TaskAccess::Owner, expectedVersion);
        if (next.task.trashedAt.isValid()) {
            result = next;
            return;
        }
        const Task before = next.task;
        next.task.trashedAt = QDateTime::currentDateTimeUtc();
        next.task.updatedAt = next.task.trashedAt;
        next.task.version += 1;
        TaskRepository(m_database)
                .setTrashed(taskId, next.task.trashedAt, next.task.version, next.task.updatedAt);
        const QList<FieldChange> changes = diffTasks(before, next.task);
        record(principal, taskId, next.task.version, u"trashed"_s, changes);
        rescheduleAlerts(principal, before, next.task);
        notifyChange(principal, before, next.task, u"trashed"_s, changes);
        result = next;
    });
    return result;
}

TaskRecord TaskService::restore(const Principal &principal, qint64 taskId,
                                std::optional<qint64> expectedVersion) const
{
    TaskRecord result;
    write(taskId, [&] {
        TaskRecord next = loadForWrite(principal, taskId, TaskAccess::Owner, expectedVersion);
        if (!next.task.trashedAt.isValid()) {
            result = next;
            return;
        }
        const Task before = next.task;
        next.task.trashedAt = QDateTime();
        next.task.updatedAt = QDateTime::currentDateTimeUtc();
        next.task.version += 1;
        TaskRepository(m_database)
                .setTrashed(taskId, QDateTime(), next.task.version, next.task.updatedAt);
        const QList<FieldChange> changes = diffTasks(before, next.task);
        record(principal, taskId, next.task.version, u"restored"_s, changes);
        rescheduleAlerts(principal, before, next.task);
        notifyChange(principal, before, next.task, u"restored"_s, changes);
        result = next;
    });
    return result;
}

void TaskService::purge(const Principal &principal, qint64 taskId,
                        std::optional<qint64> expectedVersion, const QDateTime &trashedBefore) const
{
    QStringList files;
    write(taskId, [&] {
        // A purge removes dependency edges: it takes the dependency lock first, as a change of
        // blocked_by does, so that neither sees the other half done.
        TaskRepository(m_database).lockDependencies();
        const TaskRecord current
                = loadForWrite(principal, taskId, TaskAccess::Owner, expectedVersion);
        if (trashedBefore.isValid()
            && !(current.task.trashedAt.isValid() && current.task.trashedAt < trashedBefore))
            throw ApiError(ApiError::Kind::Conflict, u"The task left the trash meanwhile."_s);
        files = AttachmentRepository(m_database).storedNamesOf(taskId);
        const TaskRepository tasks(m_database);
        // The tasks it blocked lose a blocker: a change to them, versioned and recorded.
        const QHash<qint64, QList<qint64>> dependents = tasks.dependentsOf(taskId);
        for (auto it = dependents.cbegin(); it != dependents.cend(); ++it) {
            QList<qint64> remaining = it.value();
            remaining.removeAll(taskId);
            const qint64 version = tasks.bumpVersion(it.key(), QDateTime::currentDateTimeUtc());
            QJsonArray before, after;
            for (qint64 id : it.value())
                before.append(id);
            for (qint64 id : std::as_const(remaining))
                after.append(id);
            record(principal, it.key(), version, u"updated"_s,
                   { { u"blocked_by"_s, before, after } }, {}, false);
        }
        // Its event first, while its readers are still on record.
        TaskEvents(m_database)
                .changed(taskId, current.task.version, principal.user.id, u"purged"_s, {});
        tasks.remove(taskId);
        // What the task said goes with it; the log keeps only that it was purged.
        TaskHistoryRepository(m_database).removeForTask(taskId);
        TaskHistoryRecord purged;
        purged.taskId = taskId;
        purged.actorId = principal.user.id;
        purged.at = QDateTime::currentDateTimeUtc();
        purged.action = u"purged"_s;
        TaskHistoryRepository(m_database).append(purged);
        ActivityEntry purgedEntry
                = taskActivity(principal.user.id, principal.origin, taskId, u"purged"_s, {});
        if (trashedBefore.isValid()) { // the trash's retention, not its owner
            purgedEntry.actorId = 0;
            purgedEntry.details = { { u"by"_s, u"retention"_s } };
        }
        ActivityLog::record(m_database, purgedEntry);
        m_reminders.cancel(taskId);
    });
    // Only now: had the transaction failed, the rows would still name these files.
    for (const QString &name : std::as_const(files))
        m_files.remove(name);
}

int TaskService::purgeTrashedBefore(const QDateTime &before, int limit) const
{
    int purged = 0;
    const QList<std::pair<qint64, qint64>> expired
            = TaskRepository(m_database).trashedBefore(before, limit);
    for (const auto &[taskId, ownerId] : expired) {
        const auto owner = UserRepository(m_database).findById(ownerId);
        if (!owner)
            continue; // the account is going: its tasks go with it
        Principal principal;
        principal.user = owner->user;
        try {
            purge(principal, taskId, std::nullopt, before);
            ++purged;
        } catch (const ApiError &) {
            // Restored or purged meanwhile: nothing left to do.
        }
    }
    return purged;
}

QStringList TaskService::removeAllOf(const Principal &user) const
{
    const qint64 userId = user.user.id;
    const TaskRepository tasks(m_database);
    const AccountErasureRepository erasure(m_database);
    // As a purge: the dependency lock, then the tasks' rows (in id order).
    tasks.lockDependencies();
    const QList<qint64> owned = erasure.ownedTaskIds(userId, true);
    for (const qint64 taskId : erasure.tasksSharedWith(userId)) {
        const TaskRecord current = loadForWrite(user, taskId, TaskAccess::View, std::nullopt);
        tasks.unshare(taskId, userId);
        Task after = current.task;
        after.assignees.removeIf([userId](const Assignee &a) { return a.userId == userId; });
        touch(user, current, u"unshared"_s, diffTasks(current.task, after), { userId });
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QSet<qint64> ownedSet(owned.cbegin(), owned.cend());
    const QHash<qint64, QList<qint64>> dependents = erasure.othersBlockedByOwned(userId);
    for (auto it = dependents.cbegin(); it != dependents.cend(); ++it) {
        QJsonArray before, after;
        for (qint64 id : it.value()) {
            before.append(id);
            if (!ownedSet.contains(id))
                after.append(id);
        }
        const qint64 version = tasks.bumpVersion(it.key(), now);
        record(user, it.key(), version, u"updated"_s, { { u"blocked_by"_s, before, after } }, {},
               false);
    }
    for (const auto &[taskId, version] : erasure.sharedOwnedTasks(userId))
        TaskEvents(m_database).changed(taskId, version, userId, u"purged"_s, {});
    // The caches forget the tasks, and the lists of everyone who saw them.
    for (qint64 taskId : owned)
        m_database.noteChanged(Database::Change::Task, taskId);
    for (qint64 reader : erasure.sharersOfOwned(userId))
        m_database.noteChanged(Database::Change::TaskReader, reader);
    m_database.noteChanged(Database::Change::TaskReader, userId);
    const QStringList files = erasure.ownedAttachmentFiles(userId);
    erasure.removeOwnedTaskRecords(userId);
    return files;
}

TaskRecord TaskService::complete(const Principal &principal, qint64 taskId,
                                 std::optional<qint64> expectedVersion) const
{
    return finishOccurrence(principal, taskId, expectedVersion, true);
}

TaskRecord TaskService::skip(const Principal &principal, qint64 taskId,
                             std::optional<qint64> expectedVersion) const
{
    return finishOccurrence(principal, taskId, expectedVersion, false);
}

TaskRecord TaskService::finishOccurrence(const Principal &principal, qint64 taskId,
                                         std::optional<qint64> expectedVersion,
                                         bool completed) const
{
    TaskRecord result;
    write(taskId, [&] {
        const TaskRecord current
                = loadForWrite(principal, taskId, TaskAccess::Edit, expectedVersion);
        if (current.task.trashedAt.isValid())
            throw inTrash();
        TaskRecord next = current;
        Task &task = next.task;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const TaskRepository tasks(m_database);
        if (task.rrule.isEmpty()) {
            if (!completed)
                throw ApiError(ApiError::Kind::Conflict,
                               u"Only a recurring task has occurrences to skip."_s);
            if (task.status == TaskStatus::Done) {
                result = current;
                return;
            }
        }
        if (completed) {
            const QList<qint64> open = tasks.openAmong(task.blockedBy);
            if (!open.isEmpty())
                throw blockedByOpenTasks(open);
        }
        if (task.rrule.isEmpty() || task.status == TaskStatus::Done) {
            task.status = TaskStatus::Done;
            task.completedAt = task.completedAt.isValid() ? task.completedAt : now;
        } else {
            const Occurrence finished = occurrenceOf(task);
            tasks.recordOccurrence(taskId,
                                   TaskRepository::occurrenceText(finished.dueAt, finished.dueDate),
                                   completed, principal.user.id);
            QString problem;
            const auto rule = RecurrenceRule::parse(task.rrule, finished.isAllDay(), &problem);
            if (!rule)
                throw ApiError(ApiError::Kind::Internal, problem);
            const auto following = rule->nextAfter(occurrenceFromText(next.seriesStart), finished,
                                                   ownerTimeZone(principal, task.ownerId));
            if (following) {
                task.dueAt = following->dueAt;
                task.dueDate = following->dueDate;
                task.status = TaskStatus::Todo;
                task.completedAt = QDateTime();
            } else { // the series is over (COUNT or UNTIL): the task is simply done
                task.status = TaskStatus::Done;
                task.completedAt = now;
            }
        }
        const QList<FieldChange> fieldChanges = diffTasks(current.task, task);
        if (fieldChanges.isEmpty()) {
            result = current;
            return;
        }
        task.version = current.task.version + 1;
        task.updatedAt = now;
        tasks.update(next, current.task.version, false);
        record(principal, taskId, task.version, completed ? u"completed"_s : u"skipped"_s,
               fieldChanges);
        rescheduleAlerts(principal, current.task, next.task);
        notifyChange(principal, current.task, next.task, completed ? u"completed"_s : u"skipped"_s,
                     fieldChanges);
        result = next;
    });
    return result;
}

TaskRecord TaskService::touch(const Principal &principal, const TaskRecord &current,
                              const QString &action, const QList<FieldChange> &changes,
                              const QList<qint64> &formerReaders) const
{
    TaskRecord next = current;
    next.task.version += 1;
    next.task.updatedAt = QDateTime::currentDateTimeUtc();
    TaskRepository(m_database).touch(next.task.id, next.task.version, next.task.updatedAt);
    record(principal, next.task.id, next.task.version, action, changes, formerReaders);
    if (action != u"shared") // the new reader hears of it as a share (assign)
        Notifier(m_reminders.queue(), m_notificationSettings)
                .taskChanged(next.task, principal.user.id, action, changes);
    return next;
}

TaskRecord TaskService::assign(const Principal &principal, qint64 taskId,
                               const AssignRequest &request,
                               std::optional<qint64> expectedVersion) const
{
    if (!principal.user.emailVerified)
        throw ApiError(ApiError::Kind::EmailNotVerified,
                       u"Verify your email address before sharing tasks: follow the link sent to "
                       "it, or ask for a new one (POST /api/v1/auth/verify-email/resend)."_s);
    TaskRecord result;
    write(taskId, [&] {
        const TaskRecord current
                = loadForWrite(principal, taskId, TaskAccess::Owner, expectedVersion);
        if (current.task.trashedAt.isValid())
            throw inTrash();
        const UserRepository users(m_database);
        const auto target = request.userId ? users.findById(*request.userId)
                                           : users.findByEmail(request.email.value_or(QString()));
        const QString field = request.userId ? u"user_id"_s : u"email"_s;
        if (!target)
            throw ApiError::validation({ { field, u"not_found"_s, u"There is no such user."_s } });
        if (target->user.id == current.task.ownerId)
            throw ApiError::validation(
                    { { field, u"is_owner"_s, u"The owner already has every right."_s } });
        const TaskRepository tasks(m_database);
        tasks.share(taskId, target->user.id, request.permission);
        TaskRecord next = reload(principal, taskId);
        const QList<FieldChange> changes = diffTasks(current.task, next.task);
        if (changes.isEmpty()) {
            result = current;
            return;
        }
        result = touch(principal, next, u"shared"_s, changes);
        Notifier(m_reminders.queue(), m_notificationSettings)
                .taskShared(result.task, target->user.id, principal.user.id, request.permission);
    });
    return result;
}

void TaskService::unassign(const Principal &principal, qint64 taskId, qint64 userId,
                           std::optional<qint64> expectedVersion) const
{
    write(taskId, [&] {
        const TaskRecord current
                = loadForWrite(principal, taskId, TaskAccess::View, expectedVersion);
        // The owner ends any share; anyone may leave a task shared with them.
        if (current.access != TaskAccess::Owner && userId != principal.user.id)
            throw ApiError(ApiError::Kind::Forbidden,
                           u"Only the task's owner may end another user's share."_s);
        if (!TaskRepository(m_database).unshare(taskId, userId))
            throw ApiError(ApiError::Kind::NotFound,
                           u"This task is not shared with user %1."_s.arg(userId));
        Task after = current.task;
        after.assignees.removeIf([userId](const Assignee &a) { return a.userId == userId; });
        touch(principal, current, u"unshared"_s, diffTasks(current.task, after), { userId });
    });
}

QList<TaskHistoryRecord> TaskService::history(const Principal &principal, qint64 taskId,
                                              qint64 afterId, int limit) const
{
    reload(principal, taskId);
    return TaskHistoryRepository(m_database).forTask(taskId, afterId, limit);
}

QList<Occurrence> TaskService::occurrences(const Principal &principal, qint64 taskId,
                                           const QDateTime &from, const QDateTime &to,
                                           int limit) const
{
    const TaskRecord record = reload(principal, taskId);
    const Task &task = record.task;
    const QString zone = ownerTimeZone(principal, task.ownerId);
    if (task.rrule.isEmpty() || task.status == TaskStatus::Done) {
        // Not recurring (or finished): at most the one due it has, as between() would judge it
        // (an all-day task when its local day overlaps the window).
        if (!task.hasDue() || task.status == TaskStatus::Done)
            return {};
        const bool within = task.dueAt.isValid() ? task.dueAt >= from && task.dueAt < to
                                                 : TimeZones::startOfDay(task.dueDate, zone) < to
                        && TimeZones::startOfDay(task.dueDate.addDays(1), zone) > from;
        return within ? QList<Occurrence>{ occurrenceOf(task) } : QList<Occurrence>{};
    }
    const auto rule = RecurrenceRule::parse(task.rrule, task.dueDate.isValid(), nullptr);
    if (!rule)
        return {};
    // The list starts at the current occurrence: completed and skipped ones are behind it.
    const Occurrence current = occurrenceOf(task);
    const QDateTime currentStart
            = current.isAllDay() ? TimeZones::startOfDay(current.dueDate, zone) : current.dueAt;
    return rule->between(occurrenceFromText(record.seriesStart), std::max(from, currentStart), to,
                         zone, limit);
}

} // namespace Tasklane
