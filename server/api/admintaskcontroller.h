#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RouteTable;
class TaskListService;

// GET /api/v1/admin/tasks: every user's tasks, with the task listing's filters (owner_id among
// them) and its full-text filter q, for managers and administrators.
class AdminTaskController
{
public:
    explicit AdminTaskController(const TaskListService &listing) : m_listing(listing) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;

    const TaskListService &m_listing;
};

} // namespace Tasklane
