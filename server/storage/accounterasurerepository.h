#pragma once

#include <QHash>
#include <QList>
#include <QStringList>

#include <utility>

namespace Tasklane {

class Database;

// The SQL of deleting an account (DELETE /users/me) that reaches beyond the users row, whose
// foreign keys remove or anonymise the rest: the records of its tasks that have no foreign key,
// and its traces in what outlives it. All in the caller's transaction.
class AccountErasureRepository
{
public:
    explicit AccountErasureRepository(const Database &database) : m_database(database) { }

    // `lock`: their rows locked until the transaction ends (FOR UPDATE on PostgreSQL, in id
    // order), so that no change to one of them commits between the erasure's reads and its
    // delete.
    QList<qint64> ownedTaskIds(qint64 userId, bool lock = false) const;
    // Tasks of other owners shared with the user.
    QList<qint64> tasksSharedWith(qint64 userId) const;
    // The stored files of the attachments on the user's tasks (removed after the commit).
    QStringList ownedAttachmentFiles(qint64 userId) const;
    // Tasks of other owners blocked by one of the user's tasks: each with all its blockers.
    QHash<qint64, QList<qint64>> othersBlockedByOwned(qint64 userId) const;
    // The user's tasks shared with someone, with their versions: their readers hear of the purge.
    QList<std::pair<qint64, qint64>> sharedOwnedTasks(qint64 userId) const;
    // Whoever holds a share in one of the user's tasks.
    QList<qint64> sharersOfOwned(qint64 userId) const;
    // The history of the user's tasks (which has no foreign key to outlive a purge) and the
    // jobs still queued for them.
    void removeOwnedTaskRecords(qint64 userId) const;
    // What outlives the account no longer points at the person: their changes to others' tasks
    // (history and occurrences) lose the actor, and the activity entries they made lose the
    // client address and user agent (the foreign keys clear user_id and actor_id).
    void anonymiseActor(qint64 userId) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
