#include "categoryservice.h"

#include "apierror.h"
#include "categoryrepository.h"
#include "commitgroup.h"
#include "database.h"
#include "taskevents.h"
#include "taskrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
ApiError nameTaken()
{
    return ApiError(ApiError::Kind::Conflict, u"You already have a category of this name."_s,
                    { { u"name"_s, u"taken"_s, u"Category names are unique (ignoring case)."_s } });
}

ApiError categoryNotFound()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such category."_s);
}
} // namespace

QList<Category> CategoryService::list(const Principal &principal) const
{
    return CategoryRepository(m_database).list(principal.user.id);
}

Category CategoryService::create(const Principal &principal, const CategoryChanges &changes) const
{
    const auto created = CategoryRepository(m_database)
                                 .create(principal.user.id, changes.name.value_or(QString()),
                                         changes.color.value_or(std::nullopt).value_or(QString()));
    if (!created)
        throw nameTaken();
    return *created;
}

Category CategoryService::update(const Principal &principal, qint64 id,
                                 const CategoryChanges &changes) const
{
    const CategoryRepository categories(m_database);
    std::optional<QString> color;
    if (changes.color)
        color = changes.color->value_or(QString());
    switch (categories.update(principal.user.id, id, changes.name, color)) {
    case CategoryRepository::UpdateResult::Updated: break;
    case CategoryRepository::UpdateResult::NotFound: throw categoryNotFound();
    case CategoryRepository::UpdateResult::NameTaken: throw nameTaken();
    }
    const auto updated = categories.find(principal.user.id, id);
    if (!updated)
        throw categoryNotFound();
    return *updated;
}

void CategoryService::remove(const Principal &principal, qint64 id) const
{
    m_writes.run([&] {
        const CategoryRepository categories(m_database);
        if (!categories.find(principal.user.id, id))
            throw categoryNotFound();
        const auto detached = TaskRepository(m_database).detachCategory(id, principal.user.id);
        const QList<FieldChange> changes{ { u"category_id"_s, id, QJsonValue(QJsonValue::Null) } };
        for (const auto &[taskId, version] : detached)
            TaskEvents(m_database)
                    .changed(taskId, version, principal.user.id, u"updated"_s, changes);
        categories.remove(principal.user.id, id);
    });
}

} // namespace Tasklane
