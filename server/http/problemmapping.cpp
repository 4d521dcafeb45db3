#include "problemmapping.h"

#include "databaseerror.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

ProblemKindInfo problemKindInfo(ApiError::Kind kind)
{
    using K = ApiError::Kind;
    switch (kind) {
    case K::MalformedJson: return { 400, "malformed-json", "Malformed JSON" };
    case K::BadRequest: return { 400, "bad-request", "Bad request" };
    case K::ValidationFailed: return { 422, "validation-failed", "Validation failed" };
    case K::Unauthorized: return { 401, "unauthorized", "Authentication required" };
    case K::InvalidCredentials: return { 401, "invalid-credentials", "Invalid credentials" };
    case K::InvalidRefreshToken: return { 401, "invalid-refresh-token", "Invalid refresh token" };
    case K::InvalidAccountToken:
        return { 400, "invalid-account-token", "Invalid or expired link token" };
    case K::InvalidMfaToken:
        return { 401, "invalid-mfa-token", "Invalid or expired two-factor sign-in" };
    case K::InvalidSecondFactor:
        return { 401, "invalid-second-factor", "Wrong or used two-factor code" };
    case K::Forbidden: return { 403, "forbidden", "Forbidden" };
    case K::EmailNotVerified:
        return { 403, "email-not-verified", "The email address is not verified yet" };
    case K::AccountInactive:
        return { 403, "account-inactive", "The account is deactivated or locked" };
    case K::PasswordChangeRequired:
        return { 403, "password-change-required", "Set a new password first" };
    case K::NotFound: return { 404, "not-found", "Not found" };
    case K::MethodNotAllowed: return { 405, "method-not-allowed", "Method not allowed" };
    case K::Conflict: return { 409, "conflict", "Conflict" };
    case K::PreconditionFailed:
        return { 412, "precondition-failed", "The resource has changed (If-Match)" };
    case K::IdempotencyKeyReused:
        return { 422, "idempotency-key-reused", "Idempotency-Key used with another request" };
    case K::QuotaExceeded: return { 413, "quota-exceeded", "Storage quota exceeded" };
    case K::InsufficientStorage:
        return { 507, "insufficient-storage", "The server has no room for this now" };
    case K::PayloadTooLarge: return { 413, "payload-too-large", "Request body too large" };
    case K::UnsupportedMediaType:
        return { 415, "unsupported-media-type", "Unsupported media type" };
    case K::HeaderFieldsTooLarge:
        return { 431, "header-fields-too-large", "Request header fields too large" };
    case K::RequestTimeout: return { 408, "request-timeout", "Request timeout" };
    case K::TooManyRequests: return { 429, "too-many-requests", "Too many requests" };
    case K::UpstreamFailed: return { 502, "upstream-failed", "A provider did not take it" };
    case K::UpgradeNotSupported:
        return { 400, "upgrade-not-supported", "Protocol upgrade not supported" };
    case K::UpgradeRequired: return { 426, "upgrade-required", "Upgrade required" };
    case K::ServerBusy: return { 503, "server-busy", "Server busy" };
    case K::NotReady: return { 503, "not-ready", "Not ready" };
    case K::Internal: break;
    }
    return { 500, "internal-error", "Internal server error" };
}

Problem toProblem(const ApiError &error, const QString &requestId, const QString &instance)
{
    const ProblemKindInfo info = problemKindInfo(error.kind());
    Problem problem;
    problem.type = Problem::TypePrefix + QLatin1StringView(info.slug);
    problem.title = QString::fromLatin1(info.title);
    problem.status = info.status;
    problem.detail = error.detail();
    problem.instance = instance;
    problem.requestId = requestId;
    problem.errors = error.errors();
    return problem;
}

void setRateLimitHeaders(HttpResponse &response, int limit, int remaining, qint64 resetSeconds)
{
    response.setHeader("RateLimit-Limit", QByteArray::number(limit));
    response.setHeader("RateLimit-Remaining", QByteArray::number(remaining));
    response.setHeader("RateLimit-Reset", QByteArray::number(resetSeconds));
}

HttpResponse problemResponse(const ApiError &error, const QString &requestId,
                             const QString &instance)
{
    HttpResponse response = HttpResponse::problem(toProblem(error, requestId, instance));
    if (response.status == 401)
        response.setHeader("WWW-Authenticate", "Bearer realm=\"tasklane\"");
    if (error.retryAfterSeconds() >= 0)
        response.setHeader("Retry-After", QByteArray::number(error.retryAfterSeconds()));
    else if (response.status == 503)
        response.setHeader("Retry-After", "1");
    if (const ApiError::RateLimit &limit = error.rateLimit(); limit.limit >= 0)
        setRateLimitHeaders(response, limit.limit, limit.remaining, limit.resetSeconds);
    return response;
}

ApiError toApiError(const DatabaseError &error)
{
    using K = DatabaseError::Kind;
    switch (error.kind()) {
    case K::Connection:
        return ApiError(ApiError::Kind::NotReady,
                        u"The database is unavailable; try again shortly."_s);
    case K::Busy:
        return ApiError(ApiError::Kind::ServerBusy, u"The database is busy; try again shortly."_s);
    // A constraint that reaches this far is one no caller expected the input to break: the
    // server let bad data through (a bug), so 500 rather than a 409 that blames the client.
    case K::UniqueViolation:
    case K::Constraint:
    case K::Statement:
    case K::Storage:
    case K::SchemaTooNew: break;
    }
    return ApiError(ApiError::Kind::Internal, u"The server failed to complete the request."_s);
}

} // namespace Tasklane
