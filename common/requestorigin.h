#pragma once

#include <QString>

namespace Tasklane {

// Where a request came from, as sessions and the activity log record it: the client's address
// (behind a trusted proxy, the one its X-Forwarded-For names) and its User-Agent as sent.
struct RequestOrigin
{
    QString clientAddress;
    QString userAgent;
};

} // namespace Tasklane
