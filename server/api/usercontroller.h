#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class RouteTable;
class SignInLimits;
class UserService;

// /api/v1/users: one's own account.
class UserController
{
public:
    UserController(const UserService &users, const SignInLimits &limits)
        : m_users(users), m_limits(limits)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse me(const RequestContext &request) const;
    HttpResponse updateMe(const RequestContext &request) const;

    const UserService &m_users;
    const SignInLimits &m_limits;
};

} // namespace Tasklane
