#include "jsonlogformat.h"

#include "jsontext.h"

namespace Tasklane::JsonLog {

namespace {

using namespace JsonText;

QByteArrayView levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void appendRequest(QByteArray &out, const Record &record)
{
    out += R"({"category":"tasklane.http.request","duration_ms":)";
    appendDouble(out, double(qRound64(record.durationMs * 1000)) / 1000.0);
    out += R"(,"level":"info","message":"request","method":)";
    appendLatin1String(out, record.nameOrMethod);
    out += R"(,"path":)";
    appendString(out, record.text);
    out += R"(,"request_id":)";
    appendString(out, record.requestId);
    out += R"(,"status":)";
    out += QByteArray::number(record.status);
    out += R"(,"time":)";
    appendTime(out, record.time);
    out += R"(,"user_id":)";
    if (record.userId > 0)
        out += QByteArray::number(record.userId);
    else
        out += "null";
    out += "}\n";
}

void appendMessage(QByteArray &out, const Record &record)
{
    out += R"({"category":)";
    appendLatin1String(out, record.nameOrMethod);
    out += R"(,"level":")";
    out += levelName(record.type);
    out += R"(","message":)";
    appendString(out, record.text);
    if (!record.requestId.isEmpty()) {
        out += R"(,"request_id":)";
        appendString(out, record.requestId);
    }
    out += R"(,"time":)";
    appendTime(out, record.time);
    if (record.userId > 0) {
        out += R"(,"user_id":)";
        out += QByteArray::number(record.userId);
    }
    out += "}\n";
}

} // namespace

void appendRecord(QByteArray &out, const Record &record)
{
    if (record.isRequest)
        appendRequest(out, record);
    else
        appendMessage(out, record);
}

} // namespace Tasklane::JsonLog
