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
    qint64 userId = 0;
    double durationMs = 0;
    int status = 0;
    QtMsgType type = QtInfoMsg;
    bool isRequest = false;
    QByteArray nameOrMethod; // a message's category, a request's method
    QString text; // a message's text, a request's path
    QString requestId;
};

// Appends `record` as one JSON line (with its newline): the same bytes QJsonDocument::toJson
// (Compact) wrote for it, keys sorted, without QJsonDocument or QDateTime.
void appendRecord(QByteArray &out, const Record &record);

} // namespace Tasklane::JsonLog
