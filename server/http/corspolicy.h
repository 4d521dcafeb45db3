#pragma once

#include "httpresponse.h"

#include <QByteArray>
#include <QSet>
#include <QStringList>

namespace Tasklane {

// Cross-origin access for the configured allow-list of exact origins (TASKLANE_CORS_ORIGINS).
// An allowed origin is echoed with Vary: Origin; an unknown origin gets no CORS headers at all.
class CorsPolicy
{
public:
    explicit CorsPolicy(const QStringList &allowedOrigins);

    bool allows(const QByteArray &origin) const;
    // Adds the headers of a simple or actual request's response.
    void apply(const QByteArray &origin, HttpResponse &response) const;
    // Adds the headers of a preflight answer for a path that accepts `allowedMethods`.
    void applyPreflight(const QByteArray &origin, const QByteArray &allowedMethods,
                        HttpResponse &response) const;

private:
    QSet<QByteArray> m_origins;
};

} // namespace Tasklane
