#include "notification.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject Notification::toJson() const
{
    return { { u"id"_s, id },
             { u"type"_s, type },
             { u"task_id"_s, taskId ? QJsonValue(taskId) : QJsonValue(QJsonValue::Null) },
             { u"title"_s, title },
             { u"data"_s, data },
             { u"created_at"_s, toApiTimestamp(createdAt) },
             { u"read"_s, readAt.isValid() },
             { u"read_at"_s,
               readAt.isValid() ? QJsonValue(toApiTimestamp(readAt))
                                : QJsonValue(QJsonValue::Null) } };
}

std::optional<Notification> Notification::fromJson(const QJsonObject &json)
{
    if (!json.value(u"id"_s).isDouble() || !json.value(u"type"_s).isString())
        return std::nullopt;
    Notification notification;
    notification.id = json.value(u"id"_s).toInteger();
    notification.type = json.value(u"type"_s).toString();
    notification.taskId = json.value(u"task_id"_s).toInteger();
    notification.title = json.value(u"title"_s).toString();
    notification.data = json.value(u"data"_s).toObject();
    notification.createdAt = fromApiTimestamp(json.value(u"created_at"_s).toString());
    notification.readAt = fromApiTimestamp(json.value(u"read_at"_s).toString());
    return notification;
}

} // namespace Tasklane
