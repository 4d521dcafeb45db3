#pragma once

#include "httpresponse.h"

#include <QByteArray>

namespace Tasklane {

class Database;
class RouteTable;

// Liveness, readiness and the API description: /healthz, /readyz, /api/v1/openapi.json.
class HealthController
{
public:
    explicit HealthController(const Database &database);
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse ready() const;

    const Database &m_database;
    QByteArray m_openApi;
};

} // namespace Tasklane
