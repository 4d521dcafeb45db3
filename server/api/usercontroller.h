#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RouteTable;
class UserService;

// /api/v1/users: one's own account.
class UserController
{
public:
    explicit UserController(const UserService &users) : m_users(users) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse me(const RequestContext &request) const;
    HttpResponse updateMe(const RequestContext &request) const;

    const UserService &m_users;
};

} // namespace Tasklane
