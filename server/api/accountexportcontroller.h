#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AccountExportService;
class RouteTable;

// GET /api/v1/users/me/export: one's data as one JSON document, to keep or to take elsewhere.
class AccountExportController
{
public:
    explicit AccountExportController(const AccountExportService &exports) : m_exports(exports) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse exportMine(const RequestContext &request) const;

    const AccountExportService &m_exports;
};

} // namespace Tasklane
