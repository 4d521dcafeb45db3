#pragma once

#include "delivery.h"
#include "task.h"
#include "user.h"

#include <optional>

namespace Tasklane {

class Database;
struct Job;

// What a channel's job (email, push, SMS) needs to send one delivery: the delivery, its user,
// its task (none for a delivery about no task: a digest) and the name of who caused it (a
// share, a change).
struct PendingDelivery
{
    Delivery delivery;
    User user;
    std::optional<Task> task;
    QString actorName;
};

// The delivery `job` names ({"delivery_id"}), ready to send; nullopt when there is nothing to
// send: it was sent already (a retry after the send) or forgotten, or its user or task is gone
// or no longer visible to the user (then it is recorded as failed, saying which). A failed one
// is sent again: an operator retried its dead job.
std::optional<PendingDelivery> loadPendingDelivery(const Database &database, const Job &job);

} // namespace Tasklane
