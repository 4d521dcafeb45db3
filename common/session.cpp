#include "session.h"

#include "user.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject Session::toJson() const
{
    return { { u"id"_s, id },
             { u"created_at"_s, toApiTimestamp(createdAt) },
             { u"last_used_at"_s, toApiTimestamp(lastUsedAt) },
             { u"client_address"_s, clientAddress },
             { u"user_agent"_s, userAgent },
             { u"current"_s, current } };
}

std::optional<Session> Session::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"created_at"_s).isString()
        || !json.value(u"current"_s).isBool())
        return std::nullopt;
    Session session;
    session.id = json.value(u"id"_s).toInteger();
    session.createdAt = fromApiTimestamp(json.value(u"created_at"_s).toString());
    session.lastUsedAt = fromApiTimestamp(json.value(u"last_used_at"_s).toString());
    session.clientAddress = json.value(u"client_address"_s).toString();
    session.userAgent = json.value(u"user_agent"_s).toString();
    session.current = json.value(u"current"_s).toBool();
    return session;
}

QJsonObject SessionList::toJson() const
{
    QJsonArray list;
    for (const Session &session : items)
        list.append(session.toJson());
    return { { u"items"_s, list }, { u"next_cursor"_s, QJsonValue::Null } };
}

std::optional<SessionList> SessionList::fromJson(const QJsonObject &json)
{
    if (!json.value(u"items"_s).isArray())
        return std::nullopt;
    SessionList list;
    for (const QJsonValue &item : json.value(u"items"_s).toArray()) {
        const auto session = Session::fromJson(item.toObject());
        if (!session)
            return std::nullopt;
        list.items.append(*session);
    }
    return list;
}

} // namespace Tasklane
