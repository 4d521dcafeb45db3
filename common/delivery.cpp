#include "delivery.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(toApiTimestamp(time)) : QJsonValue(QJsonValue::Null);
}
QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}
} // namespace

QJsonObject Delivery::toJson() const
{
    return { { u"id"_s, id },
             { u"event"_s, event },
             { u"task_id"_s, taskId ? QJsonValue(taskId) : QJsonValue(QJsonValue::Null) },
             { u"occurrence"_s, textOrNull(occurrence) },
             { u"reminder"_s, textOrNull(reminder) },
             { u"user_id"_s, userId },
             { u"channel"_s, channel },
             { u"recipient"_s, textOrNull(recipient) },
             { u"status"_s, status },
             { u"late"_s, late },
             { u"due_at"_s, timeOrNull(dueAt) },
             { u"error"_s, textOrNull(error) },
             { u"created_at"_s, timeOrNull(createdAt) },
             { u"updated_at"_s, timeOrNull(updatedAt) },
             { u"sent_at"_s, timeOrNull(sentAt) } };
}

QJsonObject DeliveryAttempt::toJson() const
{
    return { { u"id"_s, id },
             { u"delivery_id"_s, deliveryId },
             { u"job_id"_s, jobId },
             { u"channel"_s, channel },
             { u"recipient"_s, textOrNull(recipient) },
             { u"outcome"_s, outcome },
             { u"error"_s, textOrNull(error) },
             { u"at"_s, timeOrNull(at) },
             { u"event"_s, event },
             { u"task_id"_s, taskId ? QJsonValue(taskId) : QJsonValue(QJsonValue::Null) },
             { u"user_id"_s, userId } };
}

} // namespace Tasklane
