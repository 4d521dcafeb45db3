#pragma once

#include "jwtcodec.h"
#include "user.h"

namespace Tasklane {

// Who is making an authenticated request: the user as stored now, and the token they used.
struct Principal
{
    User user;
    AccessClaims token;
};

} // namespace Tasklane
