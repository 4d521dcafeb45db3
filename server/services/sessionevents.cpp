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

} // namespace Tasklane::SessionEvents
