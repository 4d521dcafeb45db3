#include "categoryrepository.h"

#include "database.h"
#include "taskrequests.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
const QString CategoryColumns = u"id, owner_id, name, color, created_at, updated_at"_s;

Category toCategory(const QSqlRecord &row)
{
    Category category;
    category.id = row.value(0).toLongLong();
    category.ownerId = row.value(1).toLongLong();
    category.name = row.value(2).toString();
    category.color = row.value(3).toString();
    category.createdAt = Database::readTime(row.value(4));
    category.updatedAt = Database::readTime(row.value(5));
    return category;
}

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}
} // namespace

std::optional<Category> CategoryRepository::create(qint64 ownerId, const QString &name,
                                                   const QString &color) const
{
    const QVariant now = Database::bindTime(QDateTime::currentDateTimeUtc());
    const auto row = m_database.fetchOne(
            u"INSERT INTO categories (owner_id, name, name_key, color, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner_id, name_key) DO NOTHING RETURNING id"_s,
            { ownerId, name, foldCase(name), textOrNull(color), now, now });
    if (!row)
        return std::nullopt;
    return find(ownerId, row->value(0).toLongLong());
}

QList<Category> CategoryRepository::list(qint64 ownerId) const
{
    const QList<QSqlRecord> rows = m_database.fetchAll(
            u"SELECT "_s + CategoryColumns
                    + u" FROM categories WHERE owner_id = ? ORDER BY name_key, id"_s,
            { ownerId }, Database::Retry::Safe);
    QList<Category> categories;
    for (const QSqlRecord &row : rows)
        categories.append(toCategory(row));
    return categories;
}

std::optional<Category> CategoryRepository::find(qint64 ownerId, qint64 id) const
{
    const auto row = m_database.fetchOne(
            u"SELECT "_s + CategoryColumns + u" FROM categories WHERE id = ? AND owner_id = ?"_s,
            { id, ownerId }, Database::Retry::Safe);
    return row ? std::optional<Category>(toCategory(*row)) : std::nullopt;
}

CategoryRepository::UpdateResult
CategoryRepository::update(qint64 ownerId, qint64 id, const std::optional<QString> &name,
                           const std::optional<QString> &color) const
{
    const QVariant nullText(QMetaType::fromType<QString>());
    try {
        // color: absent keeps it (the flag is 0), "" clears it.
        const int changed = m_database.execute(
                u"UPDATE categories SET name = COALESCE(?, name), name_key = COALESCE(?, "
                u"name_key), "
                "color = CASE WHEN ? = 1 THEN ? ELSE color END, updated_at = ? "
                "WHERE id = ? AND owner_id = ?"_s,
                { name ? QVariant(*name) : nullText, name ? QVariant(foldCase(*name)) : nullText,
                  color ? 1 : 0, color ? textOrNull(*color) : nullText,
                  Database::bindTime(QDateTime::currentDateTimeUtc()), id, ownerId });
        return changed == 1 ? UpdateResult::Updated : UpdateResult::NotFound;
    } catch (const DatabaseError &error) {
        if (error.kind() == DatabaseError::Kind::UniqueViolation)
            return UpdateResult::NameTaken;
        throw;
    }
}

bool CategoryRepository::remove(qint64 ownerId, qint64 id) const
{
    return m_database.execute(u"DELETE FROM categories WHERE id = ? AND owner_id = ?"_s,
                              { id, ownerId })
            == 1;
}

} // namespace Tasklane
