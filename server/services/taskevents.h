#pragma once

#include "task.h"

#include <QByteArrayView>
#include <QList>
#include <QStringView>

namespace Tasklane {

class Database;

// The real-time feed's events of task changes (EventType), written in the transaction of the
// change, beside its history record, to everyone who may see the task once it is made.
class TaskEvents
{
public:
    explicit TaskEvents(const Database &database) : m_database(database) { }

    // A change the task's history records as `action` (created, updated, completed, trashed,
    // purged, shared, unshared, attachment_added, ...) that brought the task to `version`.
    // `formerReaders` hear of it too: the user whose share it ended. A purge is written before
    // the task's rows go, so that its readers are still known.
    void changed(qint64 taskId, qint64 version, qint64 actorId, QStringView action,
                 const QList<FieldChange> &changes, const QList<qint64> &formerReaders = {}) const;

    // The event type of a history action.
    static QByteArrayView typeOf(QStringView action);
    // The event's data: {"task_id", "version", "actor_id", "action", "changes"} (and
    // "purged": true for a purge).
    static QByteArray dataOf(qint64 taskId, qint64 version, qint64 actorId, QStringView action,
                             const QList<FieldChange> &changes);

private:
    const Database &m_database;
};

} // namespace Tasklane
