#include "jsonlog.h"

#include "jsonlogwriter.h"

#include <QDateTime>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace Tasklane::JsonLog {

namespace {
thread_local QString t_requestId;
thread_local qint64 t_userId = 0;
bool s_requestLogEnabled = true;

Record requestRecord(const RequestEntry &entry, qint64 msecsSinceEpoch)
{
    Record record;
    record.time = msecsSinceEpoch;
    record.isRequest = true;
    record.nameOrMethod = entry.method;
    record.text = entry.path;
    record.status = entry.status;
    record.durationMs = entry.durationMs;
    record.userId = entry.userId;
    record.requestId = entry.requestId;
    return record;
}

Record messageRecord(QtMsgType type, const char *category, const QString &message,
                     const QString &requestId, qint64 msecsSinceEpoch)
{
    Record record;
    record.time = msecsSinceEpoch;
    record.type = type;
    record.nameOrMethod = category;
    record.text = message;
    record.requestId = requestId;
    record.userId = requestId.isEmpty() ? 0 : t_userId;
    return record;
}

Writer &writer()
{
    // Never destroyed: lines may still be logged while other statics are destroyed.
    static Writer *const instance = new Writer;
    return *instance;
}

// Whichever way the process ends normally (a return from main, exit()), what is queued is
// written before it does.
struct ShutdownAtExit
{
    ~ShutdownAtExit() { shutdown(); }
} s_shutdownAtExit;

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Record record = messageRecord(type, context.category ? context.category : "default", message,
                                  t_requestId, QDateTime::currentMSecsSinceEpoch());
    // Errors and fatal messages are written before the caller goes on (a fatal one aborts).
    if (type == QtCriticalMsg || type == QtFatalMsg)
        writer().writeNow(std::move(record));
    else
        writer().push(std::move(record));
}
} // namespace

bool parseLevel(const QString &text, Level *level)
{
    if (text == u"debug")
        *level = Level::Debug;
    else if (text == u"info")
        *level = Level::Info;
    else if (text == u"warning")
        *level = Level::Warning;
    else if (text == u"error")
        *level = Level::Error;
    else
        return false;
    return true;
}

void install(Level minimum)
{
    QString rules = u"qt.*.debug=false\n"_s;
    if (minimum > Level::Debug)
        rules += u"*.debug=false\n"_s;
    if (minimum > Level::Info)
        rules += u"*.info=false\n"_s;
    if (minimum > Level::Warning)
        rules += u"*.warning=false\n"_s;
    QLoggingCategory::setFilterRules(rules);
    s_requestLogEnabled = minimum <= Level::Info;
    writer().start();
    qInstallMessageHandler(handleMessage);
}

void flush()
{
    writer().flush();
}

void shutdown()
{
    writer().stop();
}

void request(const RequestEntry &entry)
{
    if (!s_requestLogEnabled)
        return;
    writer().push(requestRecord(entry, QDateTime::currentMSecsSinceEpoch()));
}

RequestScope::RequestScope(const QString &requestId, qint64 userId)
    : m_previous(t_requestId), m_previousUser(t_userId)
{
    t_requestId = requestId;
    t_userId = userId;
}

RequestScope::~RequestScope()
{
    t_requestId = m_previous;
    t_userId = m_previousUser;
}

void setRequestUser(qint64 userId)
{
    t_userId = userId;
}

void setSink(Sink *sink)
{
    writer().setSink(sink);
}

namespace Detail {

QByteArray formatRequest(const RequestEntry &entry, qint64 msecsSinceEpoch)
{
    QByteArray line;
    appendRecord(line, requestRecord(entry, msecsSinceEpoch));
    return line;
}

QByteArray formatMessage(QtMsgType type, const char *category, const QString &message,
                         const QString &requestId, qint64 msecsSinceEpoch)
{
    QByteArray line;
    appendRecord(line, messageRecord(type, category, message, requestId, msecsSinceEpoch));
    return line;
}

qsizetype setQueueLimit(qsizetype bytes)
{
    return writer().setLimit(bytes);
}

} // namespace Detail

} // namespace Tasklane::JsonLog
