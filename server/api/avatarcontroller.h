#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AvatarService;
class RouteTable;

// /api/v1/users/me/avatar and /api/v1/users/{id}/avatar: profile pictures. HTTP only.
class AvatarController
{
public:
    explicit AvatarController(const AvatarService &avatars) : m_avatars(avatars) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse put(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;
    HttpResponse get(const RequestContext &request) const;

    const AvatarService &m_avatars;
};

} // namespace Tasklane
