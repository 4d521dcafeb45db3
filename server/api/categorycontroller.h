#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class CategoryService;
class IdempotencyService;
class RouteTable;

// /api/v1/categories: the caller's own categories.
class CategoryController
{
public:
    CategoryController(const CategoryService &categories, const IdempotencyService &idempotency)
        : m_categories(categories), m_idempotency(idempotency)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;
    HttpResponse create(const RequestContext &request) const;
    HttpResponse update(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const CategoryService &m_categories;
    const IdempotencyService &m_idempotency;
};

} // namespace Tasklane
