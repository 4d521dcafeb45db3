#include "taskcontroller.h"

#include "apierror.h"
#include "conditionalrequests.h"
#include "idempotentpost.h"
#include "queryparameters.h"
#include "recurrence.h"
#include "router.h"
#include "tasklistservice.h"
#include "taskquery.h"
#include "taskrequests.h"
#include "taskservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr int DefaultOccurrences = 20;
constexpr int MaxOccurrences = 100;
constexpr int DefaultHistoryPage = 50;
constexpr int MaxHistoryPage = 200;

// A task's JSON with its ETag (its version), and at 201 its Location.
HttpResponse taskResponse(int status, qint64 id, qint64 version, const QByteArray &json)
{
    HttpResponse response = HttpResponse::jsonBytes(status, json);
    response.setHeader("ETag", ConditionalRequests::etag(version));
    if (status == 201)
        response.setHeader("Location", "/api/v1/tasks/" + QByteArray::number(id));
    return response;
}

TaskQuery parseQuery(const RequestContext &request)
{
    return QueryParameters::taskQuery(request.query());
}

} // namespace

HttpResponse TaskController::respond(int status, const TaskRecord &record) const
{
    return taskResponse(status, record.task.id, record.task.version, m_tasks.json(record));
}

qint64 TaskController::taskIdOf(const RequestContext &request, const QString &name)
{
    const auto id = request.idParameter(name);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such task."_s);
    return *id;
}

void TaskController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler,
                                       MemoryHandler fromMemory = {}) {
        Route added{ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } };
        added.fromMemory = std::move(fromMemory);
        routes.add(std::move(added));
    };
    // Literal paths before /tasks/{id}, which would match them too.
    const auto listFromMemory
            = [this](const RequestContext &request) { return this->listFromMemory(request); };
    route("GET", u"/api/v1/tasks"_s, &TaskController::list, listFromMemory);
    route("POST", u"/api/v1/tasks"_s, &TaskController::create);
    route("GET", u"/api/v1/tasks/filter"_s, &TaskController::list, listFromMemory);
    route("GET", u"/api/v1/tasks/search"_s, &TaskController::search);
    route("GET", u"/api/v1/tasks/{id}"_s, &TaskController::get,
          [this](const RequestContext &request) { return getFromMemory(request); });
    route("PATCH", u"/api/v1/tasks/{id}"_s, &TaskController::update);
    route("DELETE", u"/api/v1/tasks/{id}"_s, &TaskController::remove);
    route("POST", u"/api/v1/tasks/{id}/restore"_s, &TaskController::restore);
    route("POST", u"/api/v1/tasks/{id}/complete"_s, &TaskController::complete);
    route("POST", u"/api/v1/tasks/{id}/skip"_s, &TaskController::skip);
    route("POST", u"/api/v1/tasks/{id}/assign"_s, &TaskController::assign);
    route("DELETE", u"/api/v1/tasks/{id}/assign/{user_id}"_s, &TaskController::unassign);
    route("GET", u"/api/v1/tasks/{id}/history"_s, &TaskController::history);
    route("GET", u"/api/v1/tasks/{id}/occurrences"_s, &TaskController::occurrences);
}

// GET /api/v1/tasks and /api/v1/tasks/filter ?status&priority&category_id&tag&assignee_id
// &due_before&due_after&due&ready&q&trashed&sort&limit&cursor&include_total
// -> 200 {items: [Task], next_cursor, total?}
HttpResponse TaskController::list(const RequestContext &request) const
{
    return HttpResponse::jsonBytes(
            200, m_listing.listJson(request.requirePrincipal(), parseQuery(request)));
}

std::optional<HttpResponse> TaskController::listFromMemory(const RequestContext &request) const
{
    FieldErrors errors;
    const auto query = TaskQuery::fromUrlQuery(request.query(), &errors);
    if (!query)
        return std::nullopt;
    auto json = m_listing.cachedListJson(request.requirePrincipal(), *query);
    if (!json)
        return std::nullopt;
    return HttpResponse::jsonBytes(200, *json);
}

// GET /api/v1/tasks/search?q=...&(filters)&limit&cursor -> 200 {items: [Task + snippet],
// next_cursor}; best match first.
HttpResponse TaskController::search(const RequestContext &request) const
{
    if (request.query().hasQueryItem(u"sort"_s))
        throw QueryParameters::bad(u"sort"_s,
                                   u"Search results come best match first; sort lists with "
                                   "GET /tasks?q= instead."_s);
    return HttpResponse::jsonBytes(
            200, m_listing.search(request.requirePrincipal(), parseQuery(request)).toJson());
}

// POST /api/v1/tasks {title, ...} -> 201 Task (Location, ETag); Idempotency-Key honoured.
HttpResponse TaskController::create(const RequestContext &request) const
{
    FieldErrors errors;
    const auto changes = TaskChanges::fromCreateJson(request.jsonObject(), &errors);
    if (!changes)
        throw ApiError::validation(errors);
    return idempotentPost(request, m_idempotency, [&] {
        return respond(201, m_tasks.create(request.requirePrincipal(), *changes));
    });
}

// GET /api/v1/tasks/{id} -> 200 Task (ETag), or 304 for a matching If-None-Match.
HttpResponse TaskController::get(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    return viewResponse(request, id, m_tasks.view(request.requirePrincipal(), id));
}

std::optional<HttpResponse> TaskController::getFromMemory(const RequestContext &request) const
{
    const auto id = request.idParameter(u"id"_qs);
    if (!id)
        return std::nullopt;
    const auto view = m_tasks.cachedView(request.requirePrincipal(), *id);
    if (!view)
        return std::nullopt;
    return viewResponse(request, *id, *view);
}

HttpResponse TaskController::viewResponse(const RequestContext &request, qint64 id,
                                          const TaskService::TaskView &view)
{
    if (ConditionalRequests::ifNoneMatchHits(request, view.version)) {
        HttpResponse response = HttpResponse::empty(304);
        response.setHeader("ETag", ConditionalRequests::etag(view.version));
        return response;
    }
    return taskResponse(200, id, view.version, view.json);
}

// PATCH /api/v1/tasks/{id} {fields to change; null clears} -> 200 Task; If-Match honoured.
HttpResponse TaskController::update(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    FieldErrors errors;
    const auto changes = TaskChanges::fromPatchJson(request.jsonObject(), &errors);
    if (!changes)
        throw ApiError::validation(errors);
    return respond(200,
                   m_tasks.update(request.requirePrincipal(), id, *changes,
                                  ConditionalRequests::ifMatchVersion(request)));
}

// DELETE /api/v1/tasks/{id} -> 200 Task (now in the trash);
// DELETE /api/v1/tasks/{id}?permanent=true -> 204. Owner only; If-Match honoured.
HttpResponse TaskController::remove(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    const QUrlQuery query = request.query();
    const QString permanent = query.queryItemValue(u"permanent"_s);
    if (query.hasQueryItem(u"permanent"_s) && permanent != u"true" && permanent != u"false")
        throw QueryParameters::bad(u"permanent"_s, u"This must be true or false."_s);
    const auto expected = ConditionalRequests::ifMatchVersion(request);
    if (permanent == u"true") {
        m_tasks.purge(request.requirePrincipal(), id, expected);
        return HttpResponse::empty(204);
    }
    return respond(200, m_tasks.trash(request.requirePrincipal(), id, expected));
}

// POST /api/v1/tasks/{id}/restore -> 200 Task (out of the trash). Owner only.
HttpResponse TaskController::restore(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    return idempotentPost(request, m_idempotency, [&] {
        return respond(200,
                       m_tasks.restore(request.requirePrincipal(), id,
                                       ConditionalRequests::ifMatchVersion(request)));
    });
}

// POST /api/v1/tasks/{id}/complete -> 200 Task: done, or moved to its next occurrence.
HttpResponse TaskController::complete(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    return idempotentPost(request, m_idempotency, [&] {
        return respond(200,
                       m_tasks.complete(request.requirePrincipal(), id,
                                        ConditionalRequests::ifMatchVersion(request)));
    });
}

// POST /api/v1/tasks/{id}/skip -> 200 Task moved to its next occurrence (recurring only).
HttpResponse TaskController::skip(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    return idempotentPost(request, m_idempotency, [&] {
        return respond(200,
                       m_tasks.skip(request.requirePrincipal(), id,
                                    ConditionalRequests::ifMatchVersion(request)));
    });
}

// POST /api/v1/tasks/{id}/assign {user_id | email, permission: view|edit} -> 200 Task.
HttpResponse TaskController::assign(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    FieldErrors errors;
    const auto body = AssignRequest::fromJson(request.jsonObject(), &errors);
    if (!body)
        throw ApiError::validation(errors);
    return idempotentPost(request, m_idempotency, [&] {
        return respond(200,
                       m_tasks.assign(request.requirePrincipal(), id, *body,
                                      ConditionalRequests::ifMatchVersion(request)));
    });
}

// DELETE /api/v1/tasks/{id}/assign/{user_id} -> 204.
HttpResponse TaskController::unassign(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    const auto userId = request.idParameter(u"user_id"_s);
    if (!userId)
        throw ApiError(ApiError::Kind::NotFound, u"This task is not shared with that user."_s);
    m_tasks.unassign(request.requirePrincipal(), id, *userId,
                     ConditionalRequests::ifMatchVersion(request));
    return HttpResponse::empty(204);
}

// GET /api/v1/tasks/{id}/history?limit&cursor -> 200 {items: [HistoryRecord], next_cursor}
HttpResponse TaskController::history(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query, { u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultHistoryPage, MaxHistoryPage);
    qint64 afterId = 0;
    if (query.hasQueryItem(u"cursor"_s)) {
        const auto after = m_tasks.decodeHistoryCursor(query.queryItemValue(u"cursor"_s), id);
        if (!after)
            throw QueryParameters::bad(u"cursor"_s,
                                       u"Use the next_cursor of this task's history."_s);
        afterId = *after;
    }
    const QList<TaskHistoryRecord> records
            = m_tasks.history(request.requirePrincipal(), id, afterId, limit + 1);
    QJsonArray items;
    for (qsizetype i = 0; i < std::min<qsizetype>(records.size(), limit); ++i)
        items.append(records.at(i).toJson());
    const QString next = records.size() > limit
            ? m_tasks.encodeHistoryCursor(records.at(limit - 1).id, id)
            : QString();
    return HttpResponse::json(
            200,
            { { u"items"_s, items },
              { u"next_cursor"_s,
                next.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(next) } });
}

// GET /api/v1/tasks/{id}/occurrences?from&to&limit -> 200 {items: [{due_at} | {due_date}]}
// from defaults to now, to to a year after from; at most 100.
HttpResponse TaskController::occurrences(const RequestContext &request) const
{
    const qint64 id = taskIdOf(request);
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query, { u"from"_s, u"to"_s, u"limit"_s });
    const auto instant = [&query](const QString &name, const QDateTime &fallback) {
        if (!query.hasQueryItem(name))
            return fallback;
        const QDateTime value = parseApiInstant(query.queryItemValue(name, QUrl::FullyDecoded));
        if (!value.isValid())
            throw QueryParameters::bad(name, u"This must be an RFC 3339 instant with an offset."_s);
        return value;
    };
    const QDateTime from = instant(u"from"_s, QDateTime::currentDateTimeUtc());
    const QDateTime to = instant(u"to"_s, from.addDays(366));
    if (to <= from)
        throw QueryParameters::bad(u"to"_s, u"This must be after from."_s);
    const int limit = QueryParameters::limit(query, DefaultOccurrences, MaxOccurrences);
    const QList<Occurrence> found
            = m_tasks.occurrences(request.requirePrincipal(), id, from, to, limit);
    QJsonArray items;
    for (const Occurrence &occurrence : found) {
        if (occurrence.isAllDay())
            items.append(QJsonObject{ { u"due_date"_s, toApiDate(occurrence.dueDate) } });
        else
            items.append(QJsonObject{ { u"due_at"_s, toApiTimestamp(occurrence.dueAt) } });
    }
    return HttpResponse::json(200, { { u"items"_s, items } });
}

} // namespace Tasklane
