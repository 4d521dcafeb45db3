#include "realtimetypes.h"

namespace Tasklane {

EventBatch::Item EventBatch::itemOf(StoredEvent event)
{
    Item item;
    const QByteArray message = event.wireText();
    item.webSocketFrame = webSocketTextFrame(message);
    item.sseFrame = sseFrame(event.id, event.type, message);
    item.event = std::move(event);
    return item;
}

QByteArray EventBatch::webSocketTextFrame(QByteArrayView message)
{
    QByteArray frame;
    frame.reserve(message.size() + 10);
    frame += char(0x81); // FIN, text
    const quint64 length = quint64(message.size());
    if (length < 126) {
        frame += char(length);
    } else if (length <= 0xffff) {
        frame += char(126);
        frame += char(length >> 8);
        frame += char(length & 0xff);
    } else {
        frame += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame += char((length >> shift) & 0xff);
    }
    frame += message;
    return frame;
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
