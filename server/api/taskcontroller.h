#pragma once

#include "httpresponse.h"
#include "requestcontext.h"
#include "taskrecord.h"
#include "taskservice.h"

namespace Tasklane {

class IdempotencyService;
class RouteTable;
class TaskListService;
class TaskService;

// /api/v1/tasks: tasks, their listings and search, their lifecycle (trash, restore, complete,
// skip), sharing, history and occurrences. HTTP only: parse, call, serialise.
class TaskController
{
public:
    TaskController(const TaskService &tasks, const TaskListService &listing,
                   const IdempotencyService &idempotency)
        : m_tasks(tasks), m_listing(listing), m_idempotency(idempotency)
    { }
    void registerRoutes(RouteTable &routes) const;

    // The task id of the request's {id}, or NotFound.
    static qint64 taskIdOf(const RequestContext &request, const QString &name = u"id"_qs);

private:
    // A task just read or written, with its ETag (and Location at 201).
    HttpResponse respond(int status, const TaskRecord &record) const;
    HttpResponse list(const RequestContext &request) const;
    HttpResponse search(const RequestContext &request) const;
    HttpResponse create(const RequestContext &request) const;
    HttpResponse get(const RequestContext &request) const;
    // GET /tasks and /tasks/filter from the page cache on the event loop, when it holds the page.
    std::optional<HttpResponse> listFromMemory(const RequestContext &request) const;
    // GET /tasks/{id} from the caches on the event loop, when they can answer it.
    std::optional<HttpResponse> getFromMemory(const RequestContext &request) const;
    static HttpResponse viewResponse(const RequestContext &request, qint64 id,
                                     const TaskService::TaskView &view);
    HttpResponse update(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;
    HttpResponse restore(const RequestContext &request) const;
    HttpResponse complete(const RequestContext &request) const;
    HttpResponse skip(const RequestContext &request) const;
    HttpResponse assign(const RequestContext &request) const;
    HttpResponse unassign(const RequestContext &request) const;
    HttpResponse history(const RequestContext &request) const;
    HttpResponse occurrences(const RequestContext &request) const;

    const TaskService &m_tasks;
    const TaskListService &m_listing;
    const IdempotencyService &m_idempotency;
};

} // namespace Tasklane
