#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AccountClosureService;
class AuthService;
class RouteTable;
class UserAdminService;

// The accounts, for staff: GET /users, GET /users/{id} and GET /admin/users (managers and
// administrators), POST /admin/users, PATCH /admin/users/{id} and DELETE /users/{id}
// (administrators).
class UserAdminController
{
public:
    UserAdminController(const UserAdminService &users, const AccountClosureService &closure,
                        const AuthService &auth)
        : m_users(users), m_closure(closure), m_auth(auth)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse list(const RequestContext &request) const;
    HttpResponse get(const RequestContext &request) const;
    HttpResponse create(const RequestContext &request) const;
    HttpResponse change(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const UserAdminService &m_users;
    const AccountClosureService &m_closure;
    const AuthService &m_auth;
};

} // namespace Tasklane
