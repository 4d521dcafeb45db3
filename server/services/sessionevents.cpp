#include "sessionevents.h"

#include "eventrepository.h"
#include "jsontext.h"
#include "realtimeevent.h"

namespace Tasklane::SessionEvents {

void tokenRevoked(const Database &database, qint64 userId, const QString &jti)
{
    QByteArray data = R"({"jti":)";
    JsonText::appendString(data, jti);
    data += '}';
    EventRepository(database).append(EventType::SessionEnded, 0, data, { 0, { userId } },
                                     QDateTime::currentDateTimeUtc());
}

void tokensInvalidated(const Database &database, qint64 userId, const QDateTime &cutoff)
{
    QByteArray data = R"({"issued_until_ms":)";
    JsonText::appendInteger(data, cutoff.toMSecsSinceEpoch());
    data += '}';
    EventRepository(database).append(EventType::SessionEnded, 0, data, { 0, { userId } },
                                     QDateTime::currentDateTimeUtc());
}

void sessionsEnded(const Database &database, qint64 userId, const QList<qint64> &sessionIds)
{
    QByteArray data = R"({"session_ids":[)";
    for (qsizetype i = 0; i < sessionIds.size(); ++i) {
        if (i > 0)
            data += ',';
        JsonText::appendInteger(data, sessionIds.at(i));
    }
    data += "]}";
    EventRepository(database).append(EventType::SessionEnded, 0, data, { 0, { userId } },
                                     QDateTime::currentDateTimeUtc());
}

} // namespace Tasklane::SessionEvents
