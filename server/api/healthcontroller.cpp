#include "healthcontroller.h"

#include "apierror.h"
#include "database.h"
#include "databaseerror.h"
#include "migrator.h"
#include "router.h"

#include <QFile>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Tasklane {

HealthController::HealthController(const Database &database) : m_database(database)
{
    QFile document(u":/openapi.json"_s);
    if (document.open(QIODevice::ReadOnly))
        m_openApi = document.readAll();
}

void HealthController::registerRoutes(RouteTable &routes) const
{
    // GET /healthz -> 200 {"status":"ok"}: the process is up and its event loop turns.
    routes.add({ "GET", u"/healthz"_s, RouteAccess::anyone(), Executor::EventLoop,
                 [](const RequestContext &) {
                     return HttpResponse::json(200, { { u"status"_s, u"ok"_s } });
                 } });
    // GET /readyz -> 200 when the database answers and its schema is current, 503 otherwise.
    routes.add({ "GET", u"/readyz"_s, RouteAccess::anyone(), Executor::Database,
                 [this](const RequestContext &) { return ready(); } });
    // GET /api/v1/openapi.json -> the OpenAPI 3.1 description of every route.
    routes.add({ "GET", u"/api/v1/openapi.json"_s, RouteAccess::anyone(), Executor::EventLoop,
                 [this](const RequestContext &) {
                     HttpResponse response;
                     response.body = m_openApi;
                     response.headers.emplaceBack("Content-Type", "application/json");
                     return response;
                 } });
}

HttpResponse HealthController::ready() const
{
    const Migrator migrator(m_database);
    int current = 0;
    try {
        m_database.fetchOne(u"SELECT 1"_s, {}, Database::Retry::Safe);
        current = migrator.currentVersion();
    } catch (const DatabaseError &error) {
        throw ApiError(ApiError::Kind::NotReady, u"The database is unreachable."_s);
    }
    const int latest = migrator.latestVersion();
    if (current != latest)
        throw ApiError(ApiError::Kind::NotReady,
                       u"The database schema is at version %1, not %2."_s.arg(current).arg(latest));
    return HttpResponse::json(200,
                              { { u"status"_s, u"ready"_s },
                                { u"database"_s, u"ok"_s },
                                { u"schema_version"_s, current } });
}

} // namespace Tasklane
