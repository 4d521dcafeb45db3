#include "delivery.h"

#include "user.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

QJsonObject Delivery::toJson() const
{
    return { { u"id"_s, id },
             { u"event"_s, event },
             { u"task_id"_s, taskId ? QJsonValue(taskId) : QJsonValue(QJsonValue::Null) },
             { u"occurrence"_s, stringOrNull(occurrence) },
             { u"reminder"_s, stringOrNull(reminder) },
             { u"user_id"_s, userId },
             { u"channel"_s, channel },
             { u"recipient"_s, stringOrNull(recipient) },
             { u"status"_s, status },
             { u"late"_s, late },
             { u"due_at"_s, apiTimestampOrNull(dueAt) },
             { u"error"_s, stringOrNull(error) },
             { u"created_at"_s, apiTimestampOrNull(createdAt) },
             { u"updated_at"_s, apiTimestampOrNull(updatedAt) },
             { u"sent_at"_s, apiTimestampOrNull(sentAt) } };
}

QJsonObject DeliveryAttempt::toJson() const
{
    return { { u"id"_s, id },
             { u"delivery_id"_s, deliveryId },
             { u"job_id"_s, jobId },
             { u"channel"_s, channel },
             { u"recipient"_s, stringOrNull(recipient) },
             { u"outcome"_s, outcome },
             { u"error"_s, stringOrNull(error) },
             { u"at"_s, apiTimestampOrNull(at) },
             { u"event"_s, event },
             { u"task_id"_s, taskId ? QJsonValue(taskId) : QJsonValue(QJsonValue::Null) },
             { u"user_id"_s, userId } };
}

} // namespace Tasklane
