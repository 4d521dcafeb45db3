#include "accountexportservice.h"

#include "accounterasurerepository.h"
#include "activitylog.h"
#include "activityrepository.h"
#include "apierror.h"
#include "attachmentrepository.h"
#include "categoryrepository.h"
#include "database.h"
#include "notificationrepository.h"
#include "notificationsettingsrepository.h"
#include "phonerepository.h"
#include "sessionrepository.h"
#include "taskhistoryrepository.h"
#include "taskrepository.h"
#include "userrepository.h"

#include <QJsonArray>
#include <QJsonDocument>

static_assert(Tasklane::AccountExportService::TaskChunk <= Tasklane::TaskRepository::MaxBulkRead);

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray quoted(const QString &text)
{
    // A one-element array's text, less its brackets: the string as JSON writes it.
    const QByteArray array = QJsonDocument(QJsonArray{ text }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// `"name":[` + each item's JSON, comma-separated + `]`.
template<typename Items>
void appendArray(QByteArray &out, const char *name, const Items &items)
{
    out += ",\"";
    out += name;
    out += "\":[";
    bool first = true;
    for (const auto &item : items) {
        if (!first)
            out += ',';
        first = false;
        out += compact(item.toJson());
    }
    out += ']';
}
} // namespace

AccountExportService::AccountExportService(const Database &database, int concurrentExports)
    : m_database(database), m_slots(concurrentExports)
{ }

QByteArray AccountExportService::exportOf(const Principal &principal) const
{
    if (!m_slots.tryAcquire())
        throw ApiError(ApiError::Kind::ServerBusy,
                       u"Another export is being made; try again in a few seconds."_s)
                .withRetryAfter(RetryAfterSeconds);
    const QSemaphoreReleaser release(m_slots);
    const qint64 userId = principal.user.id;
    const auto user = UserRepository(m_database).findById(userId);
    if (!user)
        throw ApiError(ApiError::Kind::Unauthorized,
                       u"The access token's user no longer exists."_s);

    QByteArray out;
    out += "{\"format\":\"tasklane-export\",\"version\":1,\"exported_at\":";
    out += quoted(toApiTimestamp(QDateTime::currentDateTimeUtc()));
    out += ",\"profile\":" + compact(user->user.toJson());
    out += ",\"notification_settings\":"
            + compact(NotificationSettingsRepository(m_database).find(userId).toJson());
    const auto phone = PhoneRepository(m_database).verifiedPhone(userId);
    out += ",\"sms_phone\":" + (phone ? quoted(*phone) : QByteArray("null"));
    appendArray(out, "categories", CategoryRepository(m_database).list(userId));
    appendTasks(out, userId);
    appendArray(out, "attachments", AttachmentRepository(m_database).forOwner(userId));

    const NotificationRepository notifications(m_database);
    out += ",\"notifications\":[";
    qint64 before = 0;
    bool first = true;
    for (;;) {
        const QList<Notification> page = notifications.list(userId, false, before, PageSize);
        for (const Notification &notification : page) {
            out += first ? "" : ",";
            first = false;
            out += compact(notification.toJson());
        }
        if (page.size() < PageSize)
            break;
        before = page.last().id;
    }
    out += ']';

    const ActivityRepository activity(m_database);
    ActivityRepository::Filter own;
    own.userId = userId;
    out += ",\"activity\":[";
    before = 0;
    first = true;
    for (;;) {
        const QList<ActivityEntry> page = activity.list(own, before, PageSize);
        for (const ActivityEntry &entry : page) {
            out += first ? "" : ",";
            first = false;
            out += compact(entry.toJson());
        }
        if (page.size() < PageSize)
            break;
        before = page.last().id;
    }
    out += ']';

    QList<Session> sessions;
    for (const SessionRecord &record :
         SessionRepository(m_database).listLive(userId, QDateTime::currentDateTimeUtc())) {
        Session session = record.session;
        session.current = session.id == principal.token.sessionId;
        sessions.append(session);
    }
    appendArray(out, "sessions", sessions);
    out += '}';
    return out;
}

void AccountExportService::appendTasks(QByteArray &out, qint64 userId) const
{
    const QList<qint64> owned = AccountErasureRepository(m_database).ownedTaskIds(userId);
    const TaskRepository tasks(m_database);
    const TaskHistoryRepository history(m_database);
    out += ",\"tasks\":[";
    bool first = true;
    for (qsizetype at = 0; at < owned.size(); at += TaskChunk) {
        const QList<qint64> chunk = owned.mid(at, TaskChunk);
        const QHash<qint64, TaskRecord> records = tasks.findMany(chunk);
        QHash<qint64, QJsonArray> histories;
        for (const TaskHistoryRecord &record : history.forTasks(chunk))
            histories[record.taskId].append(record.toJson());
        for (qint64 id : chunk) {
            const auto found = records.constFind(id);
            if (found == records.cend())
                continue; // purged meanwhile
            QJsonObject task = found->task.toJson();
            task.insert(u"history"_s, histories.value(id));
            out += first ? "" : ",";
            first = false;
            out += compact(task);
        }
    }
    out += ']';
}

void AccountExportService::recordExport(const Principal &principal, qsizetype bytes) const
{
    ActivityEntry entry = ActivityLog::entry(ActivityAction::DataExported, principal);
    entry.details = { { u"bytes"_s, bytes } };
    ActivityLog::record(m_database, entry);
}

} // namespace Tasklane
