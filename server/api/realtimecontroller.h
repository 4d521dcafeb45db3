#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RealtimeService;
class RouteTable;

// /api/v1/realtime/ticket: single-use tickets for real-time connections from browsers. The
// connections themselves (GET /api/v1/ws, GET /api/v1/events) never reach the router: the
// ConnectionGuard hands them to the real-time gate (server/realtime).
class RealtimeController
{
public:
    explicit RealtimeController(const RealtimeService &realtime) : m_realtime(realtime) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse ticket(const RequestContext &request) const;

    const RealtimeService &m_realtime;
};

} // namespace Tasklane
