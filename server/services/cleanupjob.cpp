#include "cleanupjob.h"

#include "accountmaillogrepository.h"
#include "activityrepository.h"
#include "attachmentrepository.h"
#include "attachmentstore.h"
#include "authservice.h"
#include "database.h"
#include "deliveryrepository.h"
#include "eventrepository.h"
#include "idempotencyservice.h"
#include "jobqueue.h"
#include "jobrepository.h"
#include "loginthrottlerepository.h"
#include "logstore.h"
#include "notificationrepository.h"
#include "ratelimitrepository.h"
#include "realtimeticketrepository.h"
#include "tasklistservice.h"
#include "taskservice.h"

#include <QLoggingCategory>
#include <QStringList>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCleanup, "tasklane.cleanup")

namespace Tasklane {

const QString CleanupJob::Kind = u"cleanup"_s;

CleanupJob::CleanupJob(const Database &database, const AuthService &auth,
                       const IdempotencyService &idempotency, const TaskListService &listing,
                       const TaskService &tasks, const AttachmentStore &files, const LogStore &logs,
                       Periods periods)
    : m_database(database), m_auth(auth), m_idempotency(idempotency), m_listing(listing),
      m_tasks(tasks), m_files(files), m_logs(logs), m_periods(periods)
{ }

JobResult CleanupJob::run(const Job &) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const struct Step
    {
        const char *what;
        std::function<int()> remove;
    } steps[] = {
        { "expired tokens", [&] { return m_auth.purgeExpiredTokens(now); } },
        { "tasks from the trash",
          [&] {
              return m_tasks.purgeTrashedBefore(now.addDays(-m_periods.trashRetentionDays),
                                                TrashPurgeBatch);
          } },
        { "orphaned attachment files",
          [&] {
              // A file no attachment names, an hour old: its upload failed before its row
              // committed, or a purge's removal failed.
              const QStringList names = m_files.storedNamesOlderThan(std::chrono::hours(1));
              const QSet<QString> known = AttachmentRepository(m_database).knownStoredNames(names);
              int removed = 0;
              for (const QString &name : names)
                  removed += !known.contains(name) && m_files.remove(name);
              return removed + m_files.removeStaleTemporaries();
          } },
        { "rate-limit counts of ended windows",
          [&] {
              const qint64 unixNow = now.toSecsSinceEpoch();
              const qint64 window = std::max<qint64>(1, m_periods.rateWindowSeconds);
              return RateLimitRepository(m_database).purgeBefore(unixNow - unixNow % window);
          } },
        { "old sign-in failures",
          [&] {
              return LoginThrottleRepository(m_database)
                      .purge(now.addSecs(-m_periods.lockSeconds), now);
          } },
        { "expired idempotency keys", [&] { return m_idempotency.purgeExpired(now); } },
        { "task sort keys of expired cursors",
          [&] { return m_listing.pruneExpiredSnapshots(now); } },
        { "read notifications",
          [&] {
              return NotificationRepository(m_database)
                      .purgeRead(now.addDays(-m_periods.readNotificationRetentionDays));
          } },
        { "delivery records",
          [&] {
              return DeliveryRepository(m_database)
                      .purgeOlderThan(now.addDays(-m_periods.jobRetentionDays));
          } },
        { "log records",
          [&] {
              return m_logs.prune(now.addDays(-m_periods.logRetentionDays),
                                  m_periods.logMaxRecords);
          } },
        { "activity entries",
          [&] {
              const ActivityRepository activity(m_database);
              const QDateTime before = now.addDays(-m_periods.activityRetentionDays);
              int removed = 0;
              for (int batch = EventPruneBatch;
                   batch == EventPruneBatch && removed < EventPruneLimit;) {
                  batch = activity.pruneOldest(before, EventPruneBatch);
                  removed += batch;
              }
              return removed;
          } },
        { "real-time events",
          [&] {
              const EventRepository events(m_database);
              const QDateTime before = now.addDays(-m_periods.eventRetentionDays);
              int removed = 0;
              for (int batch = EventPruneBatch;
                   batch == EventPruneBatch && removed < EventPruneLimit;) {
                  batch = events.pruneBefore(before, EventPruneBatch);
                  removed += batch;
              }
              return removed;
          } },
        { "account mail records",
          [&] { return AccountMailLogRepository(m_database).purgeBefore(now.addDays(-1)); } },
        { "expired real-time tickets",
          [&] { return RealtimeTicketRepository(m_database).purgeExpired(now); } },
        { "finished jobs",
          [&] {
              return JobRepository(m_database)
                      .purgeFinished(now.addDays(-m_periods.jobRetentionDays));
          } },
    };
    QStringList removed;
    for (const Step &step : steps) {
        try {
            removed.append(u"%1 %2"_s.arg(step.remove()).arg(QLatin1StringView(step.what)));
        } catch (const DatabaseError &error) {
            qCWarning(lcCleanup, "cleanup: could not delete %s (the next run tries again): %s",
                      step.what, error.what());
        }
    }
    qCInfo(lcCleanup, "cleanup: deleted %s", qUtf8Printable(removed.join(u", "_s)));
    return JobFollowUp{ Kind, {}, now.addSecs(m_periods.intervalSeconds), Kind };
}

void CleanupJob::schedule(const JobQueue &queue) const
{
    queue.enqueue(Kind, {}, QDateTime::currentDateTimeUtc(), Kind);
}

} // namespace Tasklane
