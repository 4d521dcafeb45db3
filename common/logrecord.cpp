#include "logrecord.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const QStringList &LogRecord::levels()
{
    static const QStringList names{ u"debug"_s, u"info"_s, u"warning"_s, u"error"_s, u"fatal"_s };
    return names;
}

QJsonObject LogRecord::toJson() const
{
    return { { u"id"_s, id },
             { u"at"_s, toApiTimestamp(at) },
             { u"level"_s, level },
             { u"category"_s, category },
             { u"message"_s, message },
             { u"request_id"_s, stringOrNull(requestId) },
             { u"user_id"_s, userId > 0 ? QJsonValue(userId) : QJsonValue() },
             { u"source"_s, source },
             { u"details"_s, details } };
}

std::optional<LogRecord> LogRecord::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"level"_s).isString()
        || !json.value(u"message"_s).isString())
        return std::nullopt;
    LogRecord record;
    record.id = json.value(u"id"_s).toInteger();
    record.at = fromApiTimestamp(json.value(u"at"_s).toString());
    record.level = json.value(u"level"_s).toString();
    record.category = json.value(u"category"_s).toString();
    record.message = json.value(u"message"_s).toString();
    record.requestId = json.value(u"request_id"_s).toString();
    record.userId = json.value(u"user_id"_s).toInteger();
    record.source = json.value(u"source"_s).toString();
    record.details = json.value(u"details"_s).toObject();
    return record;
}

} // namespace Tasklane
