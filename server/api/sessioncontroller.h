#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RouteTable;
class SessionService;

// /api/v1/users/me/sessions: one's own sessions. HTTP only.
class SessionController
{
public:
    explicit SessionController(const SessionService &sessions) : m_sessions(sessions) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;
    HttpResponse end(const RequestContext &request) const;
    HttpResponse endOthers(const RequestContext &request) const;

    const SessionService &m_sessions;
};

} // namespace Tasklane
