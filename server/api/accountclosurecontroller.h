#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AccountClosureService;
class RouteTable;

// /api/v1/users/me: leaving. POST /users/me/deactivate and DELETE /users/me.
class AccountClosureController
{
public:
    explicit AccountClosureController(const AccountClosureService &closure) : m_closure(closure) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse deactivate(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const AccountClosureService &m_closure;
};

} // namespace Tasklane
