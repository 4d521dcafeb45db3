#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tasklane {

// One record of the server's own log, as GET /admin/logs shows it: what the JSON log wrote (a
// message, or a request line), which process wrote it, and the request and user it belongs to.
// The log never holds a request body, a header, a password, a token or a code.
struct LogRecord
{
    qint64 id = 0;
    QDateTime at;
    QString level; // one of LogRecord::levels()
    QString category; // "tasklane.http.request" for a request line
    QString message;
    QString requestId; // empty: outside any request
    qint64 userId = 0; // the signed-in user of that request (0: none)
    QString source; // "host:pid" of the process that wrote it
    QJsonObject details; // a request line's method, path, status and duration_ms

    QJsonObject toJson() const;
    static std::optional<LogRecord> fromJson(const QJsonObject &json);

    // debug, info, warning, error, fatal: in rising order.
    static const QStringList &levels();
};

} // namespace Tasklane
