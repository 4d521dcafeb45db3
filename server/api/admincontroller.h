#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class OperationsService;
class RouteTable;

// /api/v1/admin/jobs and /api/v1/admin/deliveries: background work, for administrators only.
class AdminController
{
public:
    explicit AdminController(const OperationsService &operations) : m_operations(operations) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse jobs(const RequestContext &request) const;
    HttpResponse retryJob(const RequestContext &request) const;
    HttpResponse deliveries(const RequestContext &request) const;

    const OperationsService &m_operations;
};

} // namespace Tasklane
