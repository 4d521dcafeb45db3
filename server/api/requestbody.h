#pragma once

#include "apierror.h"
#include "fielderror.h"
#include "requestcontext.h"

namespace Tasklane {

// A request's JSON body parsed by T::fromJson(object, errors): its field errors become one
// validation ApiError (422), a malformed body the errors jsonObject() throws.
template<typename T>
T parseBody(const RequestContext &request)
{
    FieldErrors errors;
    auto parsed = T::fromJson(request.jsonObject(), &errors);
    if (!parsed)
        throw ApiError::validation(errors);
    return *parsed;
}

} // namespace Tasklane
