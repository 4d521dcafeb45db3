#include "categorycontroller.h"

#include "apierror.h"
#include "categoryservice.h"
#include "idempotentpost.h"
#include "router.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
qint64 categoryIdOf(const RequestContext &request)
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such category."_s);
    return *id;
}

CategoryChanges parseChanges(const RequestContext &request, bool creating)
{
    FieldErrors errors;
    const auto changes = CategoryChanges::fromJson(request.jsonObject(), creating, &errors);
    if (!changes)
        throw ApiError::validation(errors);
    return *changes;
}
} // namespace

void CategoryController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler) {
        routes.add({ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } });
    };
    route("GET", u"/api/v1/categories"_s, &CategoryController::list);
    route("POST", u"/api/v1/categories"_s, &CategoryController::create);
    route("PATCH", u"/api/v1/categories/{id}"_s, &CategoryController::update);
    route("DELETE", u"/api/v1/categories/{id}"_s, &CategoryController::remove);
}

// GET /api/v1/categories -> 200 {items: [Category], next_cursor: null}
HttpResponse CategoryController::list(const RequestContext &request) const
{
    QJsonArray items;
    const QList<Category> categories = m_categories.list(request.requirePrincipal());
    for (const Category &category : categories)
        items.append(category.toJson());
    return HttpResponse::json(
            200, { { u"items"_s, items }, { u"next_cursor"_s, QJsonValue(QJsonValue::Null) } });
}

// POST /api/v1/categories {name, color?} -> 201 Category; Idempotency-Key honoured.
HttpResponse CategoryController::create(const RequestContext &request) const
{
    const CategoryChanges changes = parseChanges(request, true);
    return idempotentPost(request, m_idempotency, [&] {
        const Category category = m_categories.create(request.requirePrincipal(), changes);
        HttpResponse response = HttpResponse::json(201, category.toJson());
        response.setHeader("Location", "/api/v1/categories/" + QByteArray::number(category.id));
        return response;
    });
}

// PATCH /api/v1/categories/{id} {name?, color?} -> 200 Category
HttpResponse CategoryController::update(const RequestContext &request) const
{
    const qint64 id = categoryIdOf(request);
    return HttpResponse::json(
            200,
            m_categories.update(request.requirePrincipal(), id, parseChanges(request, false))
                    .toJson());
}

// DELETE /api/v1/categories/{id} -> 204; its tasks become uncategorised.
HttpResponse CategoryController::remove(const RequestContext &request) const
{
    m_categories.remove(request.requirePrincipal(), categoryIdOf(request));
    return HttpResponse::empty(204);
}

} // namespace Tasklane
