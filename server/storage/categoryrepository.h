#pragma once

#include "task.h"

#include <QList>

#include <optional>

namespace Tasklane {

class Database;

// All SQL of the categories table. Every query is scoped to the owner: another user's
// category is never found.
class CategoryRepository
{
public:
    explicit CategoryRepository(const Database &database) : m_database(database) { }

    // nullopt when the owner already has a category of that name (ignoring case).
    std::optional<Category> create(qint64 ownerId, const QString &name, const QString &color) const;
    QList<Category> list(qint64 ownerId) const;
    std::optional<Category> find(qint64 ownerId, qint64 id) const;
    enum class UpdateResult { Updated, NotFound, NameTaken };
    UpdateResult update(qint64 ownerId, qint64 id, const std::optional<QString> &name,
                        const std::optional<QString> &color) const;
    // Its tasks keep existing, uncategorised (ON DELETE SET NULL).
    bool remove(qint64 ownerId, qint64 id) const;

private:
    const Database &m_database;
};

} // namespace Tasklane
