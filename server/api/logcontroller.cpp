#include "logcontroller.h"

#include "logstore.h"
#include "queryparameters.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
constexpr int DefaultPage = 50;
constexpr int MaxPage = 200;
constexpr qsizetype MaxText = 200;
constexpr qsizetype MaxCategory = 100;
constexpr qsizetype MaxRequestId = 128; // as long as an X-Request-Id a client may send

QString textParameter(const QUrlQuery &query, const QString &name, qsizetype maximum)
{
    const QString text = query.queryItemValue(name, QUrl::FullyDecoded);
    if (query.hasQueryItem(name) && text.isEmpty())
        throw QueryParameters::bad(name, u"This must not be empty."_s);
    if (text.size() > maximum)
        throw QueryParameters::bad(name, u"This is at most %1 characters."_s.arg(maximum));
    return text;
}

// level (comma-separated), category, request_id, user_id, since, until, q.
LogRecordRepository::Filter filterOf(const QUrlQuery &query)
{
    LogRecordRepository::Filter filter;
    if (query.hasQueryItem(u"level"_s)) {
        const QStringList levels = query.queryItemValue(u"level"_s).split(u',', Qt::SkipEmptyParts);
        for (const QString &level : levels) {
            if (!LogRecord::levels().contains(level))
                throw QueryParameters::bad(
                        u"level"_s,
                        u"A comma-separated list of debug, info, warning, error, fatal."_s);
        }
        if (levels.isEmpty() || levels.size() > LogRecord::levels().size())
            throw QueryParameters::bad(u"level"_s, u"Name one level or more."_s);
        filter.levels = levels;
    }
    filter.category = textParameter(query, u"category"_s, MaxCategory);
    filter.requestId = textParameter(query, u"request_id"_s, MaxRequestId);
    filter.userId = QueryParameters::id(query, u"user_id"_s);
    std::tie(filter.since, filter.until) = QueryParameters::timeRange(query);
    filter.text = textParameter(query, u"q"_s, MaxText);
    return filter;
}
} // namespace

void LogController::registerRoutes(RouteTable &routes) const
{
    routes.add({ "GET", u"/api/v1/admin/logs"_s, RouteAccess::signedIn(Role::Admin),
                 Executor::Database,
                 [this](const RequestContext &request) { return list(request); } });
}

// GET /api/v1/admin/logs?level&category&request_id&user_id&since&until&q&limit&cursor -> 200
// {items: [LogRecord], next_cursor}, newest first.
HttpResponse LogController::list(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query,
                               { u"level"_s, u"category"_s, u"request_id"_s, u"user_id"_s,
                                 u"since"_s, u"until"_s, u"q"_s, u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultPage, MaxPage);
    return HttpResponse::json(200,
                              m_logs.list(filterOf(query),
                                          query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded),
                                          limit)
                                      .toJson());
}

} // namespace Tasklane
