#pragma once

#include "principal.h"
#include "taskrequests.h"

#include <QList>

namespace Tasklane {

class CommitGroup;
class Database;

// Each user's own categories: names unique per user (ignoring case); another user's category
// does not exist. Deleting one leaves its tasks uncategorised: a change to each of them (a new
// version and a history record), in the same transaction.
class CategoryService
{
public:
    CategoryService(const Database &database, CommitGroup &writes)
        : m_database(database), m_writes(writes)
    { }

    QList<Category> list(const Principal &principal) const;
    Category create(const Principal &principal, const CategoryChanges &changes) const;
    Category update(const Principal &principal, qint64 id, const CategoryChanges &changes) const;
    void remove(const Principal &principal, qint64 id) const;

private:
    const Database &m_database;
    CommitGroup &m_writes;
};

} // namespace Tasklane
