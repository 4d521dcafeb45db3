#pragma once

#include "principal.h"
#include "taskrequests.h"

#include <QList>

namespace Tasklane {

class Database;

// Each user's own categories: names unique per user (ignoring case); another user's category
// does not exist. Deleting one leaves its tasks uncategorised.
class CategoryService
{
public:
    explicit CategoryService(const Database &database) : m_database(database) { }

    QList<Category> list(const Principal &principal) const;
    Category create(const Principal &principal, const CategoryChanges &changes) const;
    Category update(const Principal &principal, qint64 id, const CategoryChanges &changes) const;
    void remove(const Principal &principal, qint64 id) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
