#include "taskevents.h"

#include "eventrepository.h"
#include "jsontext.h"
#include "realtimeevent.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Tasklane {

QByteArrayView TaskEvents::typeOf(QStringView action)
{
    if (action == u"created")
        return EventType::TaskCreated;
    if (action == u"completed")
        return EventType::TaskCompleted;
    if (action == u"trashed" || action == u"purged")
        return EventType::TaskDeleted;
    if (action == u"restored")
        return EventType::TaskRestored;
    if (action == u"shared")
        return EventType::TaskShared;
    if (action == u"unshared")
        return EventType::TaskUnshared;
    return EventType::TaskUpdated; // updated, skipped, attachment_added, attachment_removed
}

QByteArray TaskEvents::dataOf(qint64 taskId, qint64 version, qint64 actorId, QStringView action,
                              const QList<FieldChange> &changes)
{
    QByteArray out = R"({"task_id":)";
    JsonText::appendInteger(out, taskId);
    out += R"(,"version":)";
    JsonText::appendInteger(out, version);
    out += R"(,"actor_id":)";
    if (actorId > 0)
        JsonText::appendInteger(out, actorId);
    else
        out += "null";
    out += R"(,"action":)";
    JsonText::appendString(out, action);
    if (action == u"purged")
        out += R"(,"purged":true)";
    out += R"(,"changes":)";
    JsonText::appendArray(out, changes, [](QByteArray &to, const FieldChange &change) {
        to += QJsonDocument(change.toJson()).toJson(QJsonDocument::Compact);
    });
    out += '}';
    return out;
}

void TaskEvents::changed(qint64 taskId, qint64 version, qint64 actorId, QStringView action,
                         const QList<FieldChange> &changes,
                         const QList<qint64> &formerReaders) const
{
    EventRepository(m_database)
            .append(typeOf(action), taskId, dataOf(taskId, version, actorId, action, changes),
                    // A purged task is gone: its readers' resumes find its end by their ids.
                    { taskId, formerReaders, action == u"purged" },
                    QDateTime::currentDateTimeUtc());
}

} // namespace Tasklane
