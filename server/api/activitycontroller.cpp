#include "activitycontroller.h"

#include "activityservice.h"
#include "queryparameters.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
constexpr int DefaultPage = 50;
constexpr int MaxPage = 200;

// action (comma-separated names), outcome (success | failure), since and until (RFC 3339).
ActivityRepository::Filter filterOf(const QUrlQuery &query)
{
    ActivityRepository::Filter filter;
    if (query.hasQueryItem(u"action"_s)) {
        const QStringList actions = query.queryItemValue(u"action"_s, QUrl::FullyDecoded)
                                            .split(u',', Qt::SkipEmptyParts);
        for (const QString &action : actions) {
            if (!ActivityAction::all().contains(action))
                throw QueryParameters::bad(u"action"_s,
                                           u"\"%1\" is not an action of the log."_s.arg(action));
        }
        if (actions.isEmpty() || actions.size() > ActivityAction::all().size())
            throw QueryParameters::bad(u"action"_s, u"Name one action or more."_s);
        filter.actions = actions;
    }
    if (query.hasQueryItem(u"outcome"_s)) {
        const QString outcome = query.queryItemValue(u"outcome"_s);
        if (outcome != u"success" && outcome != u"failure")
            throw QueryParameters::bad(u"outcome"_s, u"This must be success or failure."_s);
        filter.succeeded = outcome == u"success";
    }
    std::tie(filter.since, filter.until) = QueryParameters::timeRange(query);
    return filter;
}
} // namespace

void ActivityController::registerRoutes(RouteTable &routes) const
{
    routes.add({ "GET", u"/api/v1/users/me/activity"_s, RouteAccess::signedIn(), Executor::Database,
                 [this](const RequestContext &request) { return listOwn(request); } });
    // Managers read everyone's; nobody changes it.
    routes.add({ "GET", u"/api/v1/admin/activity"_s, RouteAccess::signedIn(Role::Manager),
                 Executor::Database,
                 [this](const RequestContext &request) { return listAll(request); } });
}

// GET /api/v1/users/me/activity?action&outcome&since&until&limit&cursor -> 200
// {items: [ActivityEntry], next_cursor}, newest first.
HttpResponse ActivityController::listOwn(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(
            query, { u"action"_s, u"outcome"_s, u"since"_s, u"until"_s, u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultPage, MaxPage);
    return HttpResponse::json(
            200,
            m_activity
                    .listOwn(request.requirePrincipal(), filterOf(query),
                             query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded), limit)
                    .toJson());
}

// GET /api/v1/admin/activity?user_id&actor_id&action&outcome&since&until&limit&cursor -> 200
// {items: [ActivityEntry], next_cursor}, everyone's, newest first.
HttpResponse ActivityController::listAll(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query,
                               { u"user_id"_s, u"actor_id"_s, u"action"_s, u"outcome"_s, u"since"_s,
                                 u"until"_s, u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultPage, MaxPage);
    ActivityRepository::Filter filter = filterOf(query);
    filter.userId = QueryParameters::id(query, u"user_id"_s);
    filter.actorId = QueryParameters::id(query, u"actor_id"_s);
    return HttpResponse::json(
            200,
            m_activity.listAll(filter, query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded), limit)
                    .toJson());
}

} // namespace Tasklane
