#include "realtimetypes.h"

namespace Tasklane {

EventBatch::Item EventBatch::itemOf(StoredEvent event)
{
    Item item;
    const QByteArray message = event.wireText();
    item.webSocketText = QString::fromUtf8(message);
    item.sseFrame = sseFrame(event.id, event.type, message);
    item.event = std::move(event);
    return item;
}

QByteArray EventBatch::sseFrame(qint64 id, QByteArrayView type, QByteArrayView message)
{
    // The message is one line of JSON (no raw newline can be in it): one data line.
    QByteArray frame;
    frame.reserve(message.size() + type.size() + 40);
    if (id > 0) {
        frame += "id: ";
        frame += QByteArray::number(id);
        frame += '\n';
    }
    frame += "event: ";
    frame += type;
    frame += "\ndata: ";
    frame += message;
    frame += "\n\n";
    return frame;
}

} // namespace Tasklane
