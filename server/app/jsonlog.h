#pragma once

#include <QByteArray>
#include <QString>

namespace Tasklane::JsonLog {

enum class Level { Debug, Info, Warning, Error };

// Sends every Qt log message to stderr as one JSON object a line: time, level, category,
// message, and the request id of the request being handled on this thread, if any. Nothing
// logs request bodies or headers, so passwords and tokens never reach the log.
void install(Level minimum);
bool parseLevel(const QString &text, Level *level);

// One line per request: method, path (without the query), status, duration, user id.
struct RequestEntry
{
    QByteArray method;
    QString path;
    int status = 0;
    double durationMs = 0;
    qint64 userId = 0; // 0 when anonymous
    QString requestId;
};
void request(const RequestEntry &entry);

// Marks this thread as working on a request for the scope's lifetime.
class RequestScope
{
public:
    explicit RequestScope(const QString &requestId);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

private:
    QString m_previous;
};

} // namespace Tasklane::JsonLog
