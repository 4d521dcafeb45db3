#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class LogStore;
class RouteTable;

// GET /api/v1/admin/logs: the server's own log records, for administrators.
class LogController
{
public:
    explicit LogController(const LogStore &logs) : m_logs(logs) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;

    const LogStore &m_logs;
};

} // namespace Tasklane
