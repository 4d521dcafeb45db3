#include "responsecompletion.h"

#include "corspolicy.h"
#include "jsonlog.h"

namespace Tasklane {

void completeResponse(HttpResponse &response, const AnsweredRequest &request,
                      const CorsPolicy *cors)
{
    response.addStandardHeaders(request.requestId.toLatin1());
    if (cors && !request.preflight)
        cors->apply(request.origin, response);
    JsonLog::request({ request.method, request.path, response.status, request.durationMs,
                       request.userId, request.requestId });
}

} // namespace Tasklane
