#include "admincontroller.h"

#include "apierror.h"
#include "operationsservice.h"
#include "queryparameters.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr int DefaultPage = 50;
constexpr int MaxPage = 200;

// A query parameter that must be one of `allowed` when given.
QString oneOf(const QUrlQuery &query, const QString &name, const QStringList &allowed)
{
    if (!query.hasQueryItem(name))
        return {};
    const QString value = query.queryItemValue(name, QUrl::FullyDecoded);
    if (!allowed.contains(value))
        throw QueryParameters::bad(name, u"This must be one of: %1."_s.arg(allowed.join(u", "_s)));
    return value;
}

} // namespace

void AdminController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler) {
        routes.add({ method, path, RouteAccess::signedIn(Role::Admin), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } });
    };
    route("GET", u"/api/v1/admin/jobs"_s, &AdminController::jobs);
    route("POST", u"/api/v1/admin/jobs/{id}/retry"_s, &AdminController::retryJob);
    route("GET", u"/api/v1/admin/deliveries"_s, &AdminController::deliveries);
}

// GET /api/v1/admin/jobs?status&kind&limit&cursor -> 200 {items: [Job], next_cursor}
HttpResponse AdminController::jobs(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query, { u"status"_s, u"kind"_s, u"limit"_s, u"cursor"_s });
    const QString status
            = oneOf(query, u"status"_s, { u"queued"_s, u"running"_s, u"done"_s, u"dead"_s });
    const QString kind = query.queryItemValue(u"kind"_s, QUrl::FullyDecoded);
    if (kind.size() > 100)
        throw QueryParameters::bad(u"kind"_s, u"This is at most 100 characters."_s);
    const auto page
            = m_operations.jobs(status.isEmpty() ? std::nullopt : jobStatusFromString(status), kind,
                                query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded),
                                QueryParameters::limit(query, DefaultPage, MaxPage));
    return HttpResponse::json(200, page.toJson());
}

// POST /api/v1/admin/jobs/{id}/retry -> 200 Job (queued again)
HttpResponse AdminController::retryJob(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such job."_s);
    return HttpResponse::json(200, m_operations.retry(request.requirePrincipal(), *id).toJson());
}

// GET /api/v1/admin/deliveries?channel&outcome&user_id&limit&cursor -> 200 {items:
// [DeliveryAttempt], next_cursor}
HttpResponse AdminController::deliveries(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(
            query, { u"channel"_s, u"outcome"_s, u"user_id"_s, u"limit"_s, u"cursor"_s });
    DeliveryRepository::AttemptFilter filter;
    filter.channel = oneOf(query, u"channel"_s, { u"email"_s, u"in_app"_s, u"push"_s, u"sms"_s });
    filter.outcome = oneOf(query, u"outcome"_s,
                           { u"sent"_s, u"temporary_failure"_s, u"permanent_failure"_s });
    filter.userId = QueryParameters::id(query, u"user_id"_s);
    const auto page
            = m_operations.deliveries(filter, query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded),
                                      QueryParameters::limit(query, DefaultPage, MaxPage));
    return HttpResponse::json(200, page.toJson());
}

} // namespace Tasklane
