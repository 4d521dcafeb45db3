#pragma once

#include "httpresponse.h"
#include "requestcontext.h"
#include "twofactor.h"

#include <optional>

namespace Tasklane {

class AccountClosureService;
class RouteTable;
struct Principal;

// /api/v1/users/me: leaving. POST /users/me/deactivate and DELETE /users/me.
class AccountClosureController
{
public:
    explicit AccountClosureController(const AccountClosureService &closure) : m_closure(closure) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse deactivate(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;
    // Both: the password checked here (the hashing pool), then `closing` on the write pool.
    using Closing = void (AccountClosureService::*)(const Principal &,
                                                    const std::optional<SecondFactor> &) const;
    HttpResponse close(const RequestContext &request, Closing closing) const;

    const AccountClosureService &m_closure;
};

} // namespace Tasklane
