#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace Tasklane::JsonLog {

// What a caller hands to the writer: raw fields only. Formatting (JSON escaping, numbers, the
// time) is the writer thread's work.
struct Record
{
    qint64 time = 0; // ms since the epoch, UTC
    qint64 userId = 0; // a request line's user, or a message's request's (0: none)
    double durationMs = 0;
    int status = 0;
    QtMsgType type = QtInfoMsg;
    bool isRequest = false;
    QByteArray nameOrMethod; // a message's category, a request's method
    QString text; // a message's text, a request's path
    QString requestId;
};

// Receives each record the log writes, after it is formatted, on the thread that writes it (the
// writer's, or an error's caller). take() must be quick, must not wait on anything slow, and
// must not log: a logged line would come back to it.
class Sink
{
public:
    virtual ~Sink() = default;
    virtual void take(const Record &record) = 0;
};

// Appends `record` as one JSON line (with its newline): the same bytes QJsonDocument::toJson
// (Compact) wrote for it, keys sorted, without QJsonDocument or QDateTime.
void appendRecord(QByteArray &out, const Record &record);

} // namespace Tasklane::JsonLog
