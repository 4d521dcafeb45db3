#include "realtimeevent.h"

#include "jsontext.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject RealtimeEvent::toJson() const
{
    QJsonObject json{ { u"type"_s, type }, { u"data"_s, data } };
    if (id > 0)
        json.insert(u"id"_s, id);
    return json;
}

std::optional<RealtimeEvent> RealtimeEvent::fromJson(const QJsonObject &json)
{
    const QJsonValue id = json.value(u"id"_s);
    const QJsonValue type = json.value(u"type"_s);
    const QJsonValue data = json.value(u"data"_s);
    if (!type.isString() || type.toString().isEmpty() || !(data.isObject() || data.isUndefined())
        || !(id.isUndefined() || (id.isDouble() && id.toInteger(-1) >= 0)))
        return std::nullopt;
    RealtimeEvent event;
    event.id = id.toInteger();
    event.type = type.toString();
    event.data = data.toObject();
    return event;
}

QByteArray RealtimeEvent::wireText(qint64 id, QByteArrayView type, QByteArrayView data)
{
    QByteArray out;
    out.reserve(40 + type.size() + data.size());
    out += R"({"id":)";
    JsonText::appendInteger(out, id);
    out += R"(,"type":)";
    JsonText::appendLatin1String(out, type);
    out += R"(,"data":)";
    out += data.isEmpty() ? QByteArrayView("{}") : data;
    out += '}';
    return out;
}

} // namespace Tasklane
