#include "useradmincontroller.h"

#include "accountclosureservice.h"
#include "authservice.h"
#include "queryparameters.h"
#include "requestbody.h"
#include "router.h"
#include "useradminservice.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
constexpr int DefaultPage = 50;
constexpr int MaxPage = 200;
constexpr qsizetype MaxSearchText = 254;

// q, role, status, two_factor, sort ([-]created | [-]email | [-]name).
UserRepository::Search searchOf(const QUrlQuery &query)
{
    UserRepository::Search search;
    search.text = query.queryItemValue(u"q"_s, QUrl::FullyDecoded).trimmed();
    if (search.text.size() > MaxSearchText)
        throw QueryParameters::bad(u"q"_s, u"This is at most 254 characters."_s);
    if (query.hasQueryItem(u"role"_s)) {
        search.role = roleFromString(query.queryItemValue(u"role"_s));
        if (!search.role)
            throw QueryParameters::bad(u"role"_s, u"This must be admin, manager or user."_s);
    }
    if (query.hasQueryItem(u"status"_s)) {
        search.status = accountStatusFromString(query.queryItemValue(u"status"_s));
        if (!search.status)
            throw QueryParameters::bad(u"status"_s,
                                       u"This must be active, deactivated or locked."_s);
    }
    if (query.hasQueryItem(u"two_factor"_s)) {
        const QString value = query.queryItemValue(u"two_factor"_s);
        if (value != u"true" && value != u"false")
            throw QueryParameters::bad(u"two_factor"_s, u"This must be true or false."_s);
        search.twoFactor = value == u"true";
    }
    if (query.hasQueryItem(u"sort"_s)) {
        QString sort = query.queryItemValue(u"sort"_s);
        search.descending = sort.startsWith(u'-');
        if (search.descending)
            sort.remove(0, 1);
        using Sort = UserRepository::Search::Sort;
        if (sort == u"created")
            search.sort = Sort::Created;
        else if (sort == u"email")
            search.sort = Sort::Email;
        else if (sort == u"name")
            search.sort = Sort::Name;
        else
            throw QueryParameters::bad(u"sort"_s,
                                       u"This must be created, email or name, with - before it "
                                       "for the reverse order."_s);
    }
    return search;
}

ApiError noSuchUser()
{
    return ApiError(ApiError::Kind::NotFound, u"There is no such user."_s);
}
} // namespace

void UserAdminController::registerRoutes(RouteTable &routes) const
{
    const auto bind = [this](HttpResponse (UserAdminController::*handler)(const RequestContext &)
                                     const) {
        return [this, handler](const RequestContext &request) { return (this->*handler)(request); };
    };
    // Managers read; only administrators change or delete.
    const RouteAccess staff = RouteAccess::signedIn(Role::Manager);
    const RouteAccess admins = RouteAccess::signedIn(Role::Admin);
    routes.add({ "GET", u"/api/v1/users"_s, staff, Executor::Database,
                 bind(&UserAdminController::list) });
    routes.add({ "GET", u"/api/v1/admin/users"_s, staff, Executor::Database,
                 bind(&UserAdminController::list) });
    routes.add({ "GET", u"/api/v1/users/{id}"_s, staff, Executor::Database,
                 bind(&UserAdminController::get) });
    // The new account's password hash is made on the hashing pool, the account on the write pool.
    routes.add({ "POST", u"/api/v1/admin/users"_s, admins, Executor::Hashing,
                 bind(&UserAdminController::create), SmallBodyBytes });
    routes.add({ "PATCH", u"/api/v1/admin/users/{id}"_s, admins, Executor::DatabaseWrite,
                 bind(&UserAdminController::change), SmallBodyBytes });
    routes.add({ "DELETE", u"/api/v1/users/{id}"_s, admins, Executor::DatabaseWrite,
                 bind(&UserAdminController::remove) });
}

// GET /api/v1/users and /api/v1/admin/users?q&role&status&two_factor&sort&limit&cursor -> 200
// {items: [User], next_cursor}
HttpResponse UserAdminController::list(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query,
                               { u"q"_s, u"role"_s, u"status"_s, u"two_factor"_s, u"sort"_s,
                                 u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultPage, MaxPage);
    return HttpResponse::json(200,
                              m_users.list(searchOf(query),
                                           query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded),
                                           limit)
                                      .toJson());
}

// GET /api/v1/users/{id} -> 200 User
HttpResponse UserAdminController::get(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw noSuchUser();
    return HttpResponse::json(200, m_users.get(*id).toJson());
}

// POST /api/v1/admin/users {email, display_name, role?, language?} -> 201 User (Location); the
// person is emailed a link to choose their password.
HttpResponse UserAdminController::create(const RequestContext &request) const
{
    const auto account = parseBody<AdminNewUser>(request);
    const QString hash = m_auth.hashUnknowablePassword();
    return HttpResponse::continueOn(
            Executor::DatabaseWrite,
            [this, account, hash, administrator = request.requirePrincipal()] {
                const User user = m_users.create(administrator, account, hash);
                HttpResponse response = HttpResponse::json(201, user.toJson());
                response.setHeader("Location", "/api/v1/users/" + QByteArray::number(user.id));
                return response;
            });
}

// PATCH /api/v1/admin/users/{id} {role?, status?, reset_two_factor?} -> 200 User
HttpResponse UserAdminController::change(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw noSuchUser();
    const auto changes = parseBody<AdminUserChanges>(request);
    return HttpResponse::json(200,
                              m_users.change(request.requirePrincipal(), *id, changes).toJson());
}

// DELETE /api/v1/users/{id} -> 204
HttpResponse UserAdminController::remove(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw noSuchUser();
    m_closure.removeByAdministrator(request.requirePrincipal(), *id);
    return HttpResponse::empty(204);
}

} // namespace Tasklane
