#include "notificationcontroller.h"

#include "apierror.h"
#include "notificationservice.h"
#include "notificationsettingsservice.h"
#include "queryparameters.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr int DefaultPage = 20;
constexpr int MaxPage = 100;

qint64 notificationIdOf(const RequestContext &request)
{
    const auto id = request.idParameter(u"id"_s);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such notification."_s);
    return *id;
}

} // namespace

void NotificationController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler) {
        routes.add({ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } });
    };
    route("GET", u"/api/v1/notifications"_s, &NotificationController::list);
    route("POST", u"/api/v1/notifications/read-all"_s, &NotificationController::markAllRead);
    route("POST", u"/api/v1/notifications/read/{id}"_s, &NotificationController::markRead);
    route("DELETE", u"/api/v1/notifications/{id}"_s, &NotificationController::remove);
    route("GET", u"/api/v1/users/me/notification-settings"_s, &NotificationController::getSettings);
    route("PATCH", u"/api/v1/users/me/notification-settings"_s,
          &NotificationController::updateSettings);
}

// GET /api/v1/notifications?unread=true&limit&cursor -> 200 {items: [Notification],
// next_cursor}, newest first.
HttpResponse NotificationController::list(const RequestContext &request) const
{
    const QUrlQuery query = request.query();
    QueryParameters::allowOnly(query, { u"unread"_s, u"limit"_s, u"cursor"_s });
    const int limit = QueryParameters::limit(query, DefaultPage, MaxPage);
    bool unreadOnly = false;
    if (query.hasQueryItem(u"unread"_s)) {
        const QString value = query.queryItemValue(u"unread"_s);
        if (value != u"true" && value != u"false")
            throw QueryParameters::bad(u"unread"_s, u"This must be true or false."_s);
        unreadOnly = value == u"true";
    }
    return HttpResponse::json(200,
                              m_notifications
                                      .list(request.requirePrincipal(), unreadOnly,
                                            query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded),
                                            limit)
                                      .toJson());
}

// POST /api/v1/notifications/read/{id} -> 200 Notification (read).
HttpResponse NotificationController::markRead(const RequestContext &request) const
{
    return HttpResponse::json(
            200,
            m_notifications.markRead(request.requirePrincipal(), notificationIdOf(request))
                    .toJson());
}

// POST /api/v1/notifications/read-all -> 200 {"updated": N}
HttpResponse NotificationController::markAllRead(const RequestContext &request) const
{
    return HttpResponse::json(
            200, { { u"updated"_s, m_notifications.markAllRead(request.requirePrincipal()) } });
}

// DELETE /api/v1/notifications/{id} -> 204
HttpResponse NotificationController::remove(const RequestContext &request) const
{
    m_notifications.remove(request.requirePrincipal(), notificationIdOf(request));
    return HttpResponse::empty(204);
}

// GET /api/v1/users/me/notification-settings -> 200 NotificationSettings
HttpResponse NotificationController::getSettings(const RequestContext &request) const
{
    return HttpResponse::json(200, m_settings.get(request.requirePrincipal()).toJson());
}

// PATCH /api/v1/users/me/notification-settings {events?, quiet_hours?, digest?}
// -> 200 NotificationSettings
HttpResponse NotificationController::updateSettings(const RequestContext &request) const
{
    return HttpResponse::json(
            200, m_settings.update(request.requirePrincipal(), request.jsonObject()).toJson());
}

} // namespace Tasklane
