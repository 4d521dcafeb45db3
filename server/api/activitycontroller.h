#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class ActivityService;
class RouteTable;

// /api/v1/users/me/activity: one's own activity log. HTTP only.
class ActivityController
{
public:
    explicit ActivityController(const ActivityService &activity) : m_activity(activity) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse listOwn(const RequestContext &request) const;
    HttpResponse listAll(const RequestContext &request) const;

    const ActivityService &m_activity;
};

} // namespace Tasklane
