#include "logstoresink.h"

#include "logstore.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
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
} // namespace

void LogStoreSink::take(const JsonLog::Record &record)
{
    LogRecord stored;
    stored.at = QDateTime::fromMSecsSinceEpoch(record.time, Qt::UTC);
    stored.requestId = record.requestId;
    stored.userId = record.userId;
    if (record.isRequest) {
        if (!m_store.keepsRequest(record.status, record.durationMs))
            return;
        // As the JSON line has it (level info, its category), with a message to read and search.
        const QString method = QString::fromLatin1(record.nameOrMethod);
        stored.level = u"info"_s;
        stored.category = u"tasklane.http.request"_s;
        stored.message = method + u' ' + record.text + u' ' + QString::number(record.status);
        stored.details
                = { { u"method"_s, method },
                    { u"path"_s, record.text },
                    { u"status"_s, record.status },
                    { u"duration_ms"_s, double(qRound64(record.durationMs * 1000)) / 1000.0 } };
    } else {
        stored.level = levelName(record.type);
        stored.category = QString::fromLatin1(record.nameOrMethod);
        stored.message = record.text;
    }
    m_store.offer(std::move(stored));
}

} // namespace Tasklane
