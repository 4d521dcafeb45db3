#pragma once

#include "principal.h"

#include <QByteArray>
#include <QSemaphore>

namespace Tasklane {

class Database;

// GET /users/me/export (issue 11, point 8): everything the server keeps about one user, as one
// JSON document: the profile, notification settings and SMS number, categories, the tasks they
// own (trash included) each with its history, the attachments' list (not their bytes), in-app
// notifications, their activity log and live sessions. Secrets (password hash, 2FA secret,
// recovery codes, tokens) and push subscriptions' keys are not data about the user and stay
// out. Throws ApiError.
class AccountExportService
{
public:
    static constexpr int TaskChunk = 100; // tasks (and their history) read at a time: at most
                                          // TaskRepository::MaxBulkRead
    static constexpr int PageSize = 1000; // notifications and activity entries read at a time
    static constexpr int RetryAfterSeconds = 5;

    // `concurrentExports`: how many documents this process builds at once (each holds its
    // whole text in memory); more are refused with ServerBusy until one is done.
    AccountExportService(const Database &database, int concurrentExports = 1);

    // The document, compact JSON. The sections are read one after another without a common
    // snapshot: a change committing meanwhile may show in one section and not another.
    QByteArray exportOf(const Principal &principal) const;
    // The activity entry of an export, once its document was built.
    void recordExport(const Principal &principal, qsizetype bytes) const;

private:
    void appendTasks(QByteArray &out, qint64 userId) const;

    const Database &m_database;
    mutable QSemaphore m_slots;
};

} // namespace Tasklane
