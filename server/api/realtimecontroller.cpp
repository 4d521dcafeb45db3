#include "realtimecontroller.h"

#include "realtimeservice.h"
#include "router.h"
#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void RealtimeController::registerRoutes(RouteTable &routes) const
{
    routes.add({ "POST", u"/api/v1/realtime/ticket"_s, RouteAccess::signedIn(),
                 Executor::DatabaseWrite,
                 [this](const RequestContext &request) { return ticket(request); } });
}

// POST /api/v1/realtime/ticket -> 201 {"ticket", "expires_at"}: for ?ticket= on GET /api/v1/ws
// or GET /api/v1/events, once, within 60 s.
HttpResponse RealtimeController::ticket(const RequestContext &request) const
{
    const RealtimeService::Ticket ticket = m_realtime.issueTicket(request.requirePrincipal());
    HttpResponse response
            = HttpResponse::json(201,
                                 { { u"ticket"_s, ticket.ticket },
                                   { u"expires_at"_s, toApiTimestamp(ticket.expiresAt) } });
    response.setHeader("Cache-Control", "no-store");
    return response;
}

} // namespace Tasklane
