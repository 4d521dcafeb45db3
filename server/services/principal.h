#pragma once

#include "jwtcodec.h"
#include "requestorigin.h"
#include "user.h"

#include <QByteArray>

namespace Tasklane {

// Who is making an authenticated request: the user as stored now, and the token they used.
struct Principal
{
    User user;
    AccessClaims token;
    // user.toJson(), serialised once when the principal is cached (off the event loop), so that
    // answering GET /users/me from the cache costs no JSON work.
    QByteArray userJson;
    // Where this request came from, for the activity log: set by the router on its copy for
    // the request (never part of what the cache keeps).
    RequestOrigin origin;
};

} // namespace Tasklane
