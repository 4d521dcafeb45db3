#include "jsonlog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Tasklane::JsonLog {

namespace {
thread_local QString t_requestId;
QMutex s_writeMutex;
bool s_requestLogEnabled = true;

void writeLine(QJsonObject object)
{
    object.insert(u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line += '\n';
    const QMutexLocker lock(&s_writeMutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
}

QString levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return u"debug"_s;
    case QtInfoMsg: return u"info"_s;
    case QtWarningMsg: return u"warning"_s;
    case QtCriticalMsg: return u"error"_s;
    case QtFatalMsg: return u"fatal"_s;
    }
    return u"info"_s;
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    QJsonObject object{ { u"level"_s, levelName(type) },
                        { u"category"_s,
                          QString::fromLatin1(context.category ? context.category : "default") },
                        { u"message"_s, message } };
    if (!t_requestId.isEmpty())
        object.insert(u"request_id"_s, t_requestId);
    writeLine(object);
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
    qInstallMessageHandler(handleMessage);
}

void request(const RequestEntry &entry)
{
    if (!s_requestLogEnabled)
        return;
    QJsonObject object{ { u"level"_s, u"info"_s },
                        { u"category"_s, u"tasklane.http.request"_s },
                        { u"message"_s, u"request"_s },
                        { u"method"_s, QString::fromLatin1(entry.method) },
                        { u"path"_s, entry.path },
                        { u"status"_s, entry.status },
                        { u"duration_ms"_s, qRound(entry.durationMs * 1000) / 1000.0 },
                        { u"request_id"_s, entry.requestId } };
    object.insert(u"user_id"_s, entry.userId > 0 ? QJsonValue(entry.userId) : QJsonValue());
    writeLine(object);
}

RequestScope::RequestScope(const QString &requestId) : m_previous(t_requestId)
{
    t_requestId = requestId;
}

RequestScope::~RequestScope()
{
    t_requestId = m_previous;
}

} // namespace Tasklane::JsonLog
