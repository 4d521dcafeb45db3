#pragma once

#include "jsonlogformat.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace Tasklane::JsonLog {

enum class Level { Debug, Info, Warning, Error };

// Sends every Qt log message to stderr as one JSON object a line: time, level, category,
// message, and the request id of the request being handled on this thread, if any. Nothing
// logs request bodies or headers, so passwords and tokens never reach the log.
//
// Lines are written off the calling thread: a caller only queues the raw fields, and a writer
// thread formats them and writes each batch with one write(). Errors and fatal messages are
// written at once, after everything queued before them. Until install() and after shutdown()
// every line is written synchronously by its caller.
void install(Level minimum);
bool parseLevel(const QString &text, Level *level);

// Writes everything queued so far, synchronously, before returning.
void flush();
// Writes everything queued and stops the writer thread; later lines are written synchronously.
// Also called at exit, so that nothing queued is lost whichever way the process ends normally.
void shutdown();

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

// Marks this thread as working on a request (of a signed-in user, when known) for the scope's
// lifetime: what is logged meanwhile carries the request id and the user id.
class RequestScope
{
public:
    explicit RequestScope(const QString &requestId, qint64 userId = 0);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

private:
    QString m_previous;
    qint64 m_previousUser = 0;
};
// Within a RequestScope: the request's user is now known (once its token was checked).
void setRequestUser(qint64 userId);

// Who else receives every record written (the database's log store); nullptr: nobody. Once
// this returns, the previous sink receives nothing more.
void setSink(Sink *sink);

// The writer's formatting and queue, exposed for tst_jsonlog.
namespace Detail {
QByteArray formatRequest(const RequestEntry &entry, qint64 msecsSinceEpoch);
QByteArray formatMessage(QtMsgType type, const char *category, const QString &message,
                         const QString &requestId, qint64 msecsSinceEpoch);
// The queue's limit in (estimated) bytes; returns the previous one.
qsizetype setQueueLimit(qsizetype bytes);
} // namespace Detail

} // namespace Tasklane::JsonLog
