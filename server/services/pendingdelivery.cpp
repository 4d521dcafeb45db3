#include "pendingdelivery.h"

#include "database.h"
#include "deliveryrepository.h"
#include "job.h"
#include "taskrepository.h"
#include "userrepository.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

std::optional<PendingDelivery> loadPendingDelivery(const Database &database, const Job &job)
{
    const DeliveryRepository deliveries(database);
    const auto delivery = deliveries.find(job.payload.value(u"delivery_id"_s).toInteger());
    if (!delivery || delivery->status == u"sent")
        return std::nullopt;
    const UserRepository users(database);
    const auto user = users.findById(delivery->userId);
    if (!user) {
        deliveries.markFailed(delivery->id, {}, u"the account is gone"_s,
                              QDateTime::currentDateTimeUtc());
        return std::nullopt;
    }
    if (user->user.status != AccountStatus::Active) { // nothing reaches a closed account
        deliveries.markFailed(delivery->id, {},
                              u"the account is "_s + accountStatusToString(user->user.status),
                              QDateTime::currentDateTimeUtc());
        return std::nullopt;
    }
    PendingDelivery pending{ *delivery, user->user, std::nullopt, {} };
    if (delivery->taskId != 0) {
        const auto task = TaskRepository(database).findForUser(delivery->taskId, delivery->userId);
        if (!task) {
            deliveries.markFailed(delivery->id, {},
                                  u"the task is gone or no longer visible to its user"_s,
                                  QDateTime::currentDateTimeUtc());
            return std::nullopt;
        }
        pending.task = task->task;
    }
    if (const qint64 actorId = delivery->details.value(u"actor_id"_s).toInteger()) {
        if (const auto actor = users.findById(actorId))
            pending.actorName = actor->user.displayName;
    }
    return pending;
}

} // namespace Tasklane
