#include "admintaskcontroller.h"

#include "queryparameters.h"
#include "router.h"
#include "tasklistservice.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void AdminTaskController::registerRoutes(RouteTable &routes) const
{
    routes.add({ "GET", u"/api/v1/admin/tasks"_s, RouteAccess::signedIn(Role::Manager),
                 Executor::Database,
                 [this](const RequestContext &request) { return list(request); } });
}

// GET /api/v1/admin/tasks ?owner_id&status&priority&category_id&tag&assignee_id&due_before
// &due_after&due&ready&q&trashed&sort&limit&cursor&include_total
// -> 200 {items: [Task], next_cursor, total?}; due windows in the caller's time zone.
HttpResponse AdminTaskController::list(const RequestContext &request) const
{
    return HttpResponse::jsonBytes(200,
                                   m_listing
                                           .list(request.requirePrincipal(),
                                                 QueryParameters::taskQuery(request.query()),
                                                 TaskScope::Everyone)
                                           .toJson());
}

} // namespace Tasklane
