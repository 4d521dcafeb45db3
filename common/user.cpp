#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QString toApiTimestamp(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime fromApiTimestamp(const QString &text)
{
    return QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
}

QJsonObject User::toJson() const
{
    return { { u"id"_s, id },
             { u"email"_s, email },
             { u"display_name"_s, displayName },
             { u"role"_s, roleToString(role) },
             { u"created_at"_s, toApiTimestamp(createdAt) },
             { u"updated_at"_s, toApiTimestamp(updatedAt) } };
}

std::optional<User> User::fromJson(const QJsonObject &json)
{
    const auto role = roleFromString(json.value(u"role"_s).toString());
    if (!json.value(u"id"_s).isDouble() || !json.value(u"email"_s).isString() || !role)
        return std::nullopt;
    User user;
    user.id = json.value(u"id"_s).toInteger();
    user.email = json.value(u"email"_s).toString();
    user.displayName = json.value(u"display_name"_s).toString();
    user.role = *role;
    user.createdAt = fromApiTimestamp(json.value(u"created_at"_s).toString());
    user.updatedAt = fromApiTimestamp(json.value(u"updated_at"_s).toString());
    return user;
}

} // namespace Tasklane
