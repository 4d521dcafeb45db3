#pragma once

#include "delivery.h"
#include "deliveryrepository.h"
#include "job.h"
#include "page.h"
#include "principal.h"

#include <QList>
#include <QString>

#include <optional>

namespace Tasklane {

class CursorCodec;
class Database;
class JobQueue;

// The administrators' view of background work (GET /admin/jobs, /admin/deliveries): jobs and
// the delivery log, newest first in pages with signed cursors; dead jobs queued again. Who may
// call it is declared at the routes (admins only).
class OperationsService
{
public:
    OperationsService(const Database &database, const JobQueue &jobs, const CursorCodec &cursors);

    Page<Job> jobs(std::optional<JobStatus> status, const QString &kind, const QString &cursor,
                   int limit) const;
    // 404 when there is no such job, 409 when it is not dead or its key is held. Recorded in the
    // activity log as the administrator's.
    Job retry(const Principal &administrator, qint64 id) const;

    Page<DeliveryAttempt> deliveries(const DeliveryRepository::AttemptFilter &filter,
                                     const QString &cursor, int limit) const;

private:
    // The id a cursor continues below, checked against the listing's filter fingerprint.
    qint64 continueBelow(const QString &cursor, const QString &fingerprint) const;

    const Database &m_database;
    const JobQueue &m_jobs;
    const CursorCodec &m_cursors;
};

} // namespace Tasklane
