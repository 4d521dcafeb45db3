#include "corspolicy.h"

namespace Tasklane {

CorsPolicy::CorsPolicy(const QStringList &allowedOrigins)
{
    for (const QString &origin : allowedOrigins) {
        const QString trimmed = origin.trimmed();
        if (!trimmed.isEmpty())
            m_origins.insert(trimmed.toUtf8());
    }
}

bool CorsPolicy::allows(const QByteArray &origin) const
{
    return !origin.isEmpty() && m_origins.contains(origin);
}

void CorsPolicy::apply(const QByteArray &origin, HttpResponse &response) const
{
    if (!allows(origin))
        return;
    response.setHeader("Vary", "Origin");
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Access-Control-Expose-Headers",
                       "X-Request-Id, Location, Retry-After, ETag, "
                       "Idempotent-Replayed, Content-Disposition, RateLimit-Limit, "
                       "RateLimit-Remaining, RateLimit-Reset");
}

void CorsPolicy::applyPreflight(const QByteArray &origin, const QByteArray &allowedMethods,
                                HttpResponse &response) const
{
    apply(origin, response);
    if (!allows(origin))
        return;
    response.setHeader("Access-Control-Allow-Methods", allowedMethods);
    response.setHeader("Access-Control-Allow-Headers",
                       "Authorization, Content-Type, X-Request-Id, Idempotency-Key, If-Match, "
                       "If-None-Match");
    response.setHeader("Access-Control-Max-Age", "600");
}

} // namespace Tasklane
