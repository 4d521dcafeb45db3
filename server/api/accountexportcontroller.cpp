#include "accountexportcontroller.h"

#include "accountexportservice.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

void AccountExportController::registerRoutes(RouteTable &routes) const
{
    // Read on the read pool, where its activity entry is written too: the export slot is held
    // until the document is whole (ServerBusy for another meanwhile).
    routes.add({ "GET", u"/api/v1/users/me/export"_s, RouteAccess::signedIn(), Executor::Database,
                 [this](const RequestContext &request) { return exportMine(request); } });
}

// GET /api/v1/users/me/export -> 200 the document (attachment), or 503 while another is made
HttpResponse AccountExportController::exportMine(const RequestContext &request) const
{
    const Principal &principal = request.requirePrincipal();
    const QByteArray document = m_exports.exportOf(principal);
    m_exports.recordExport(principal, document.size());
    HttpResponse response = HttpResponse::jsonBytes(200, document);
    response.setHeader("Content-Disposition",
                       "attachment; filename=\"tasklane-export-"
                               + QByteArray::number(principal.user.id) + ".json\"");
    response.setHeader("Cache-Control", "no-store");
    return response;
}

} // namespace Tasklane
