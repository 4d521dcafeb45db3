#pragma once

#include "apierror.h"
#include "httpresponse.h"
#include "problem.h"

namespace Tasklane {

class DatabaseError;

// The one place where domain error kinds become HTTP: status, stable problem type and title.
struct ProblemKindInfo
{
    int status;
    const char *slug;
    const char *title;
};

ProblemKindInfo problemKindInfo(ApiError::Kind kind);
Problem toProblem(const ApiError &error, const QString &requestId, const QString &instance);
// The RateLimit-Limit, -Remaining and -Reset headers (draft-ietf-httpapi-ratelimit-headers).
void setRateLimitHeaders(HttpResponse &response, int limit, int remaining, qint64 resetSeconds);
// The full response for an error, with the headers its status calls for
// (WWW-Authenticate on 401, Retry-After on 503 and 429, RateLimit-* on 429).
HttpResponse problemResponse(const ApiError &error, const QString &requestId,
                             const QString &instance);
// What a client is told of a database failure that no caller turned into a domain answer:
// 503 (try again) when the database is unreachable or busy, 500 for everything else.
ApiError toApiError(const DatabaseError &error);

} // namespace Tasklane
