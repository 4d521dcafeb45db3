#pragma once

#include "httpresponse.h"

#include <QByteArray>
#include <QString>

namespace Tasklane {

class CorsPolicy;

// What completing the answer to one request needs to know of it, whoever answers: the router
// (a routed request) or the guard (a request refused before QtHttpServer parsed it).
struct AnsweredRequest
{
    QByteArray method; // "-" when the request line was unreadable
    QString path; // without the query, which may carry something secret
    QString requestId; // already accepted or created (RequestIds::acceptOrCreate)
    QByteArray origin;
    bool preflight = false; // an OPTIONS answer, whose CORS headers the router set already
    double durationMs = 0;
    qint64 userId = 0;
};

// The one place every response is completed: the standard headers (request id, nosniff,
// frame-ancestors, referrer policy, no-store), CORS headers for an allowed origin, and the
// request's line in the request log. Refusals and routed answers cannot drift apart.
void completeResponse(HttpResponse &response, const AnsweredRequest &request,
                      const CorsPolicy *cors);

} // namespace Tasklane
