#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>
#include <QtGlobal>

// JSON text written straight into a byte array, for the few places that write a lot of it (the
// log, task responses, rows bound to a statement): QJsonObject builds a tree first and costs
// several times more. Each function writes the same bytes as QJsonDocument::toJson(Compact)
// writes for the same value.
namespace Tasklane::JsonText {

// A JSON string in UTF-8: ", \ and control characters escaped, and any UTF-16 unit that is not
// part of a valid surrogate pair as \uXXXX.
void appendString(QByteArray &out, QStringView text);
// The same for Latin-1 text, as QString::fromLatin1 would give.
void appendLatin1String(QByteArray &out, QByteArrayView text);
void appendInteger(QByteArray &out, qint64 value);
// As QJsonValue(double): integral values as integers, others shortest, NaN and infinities null.
void appendDouble(QByteArray &out, double value);
// `items` as a JSON array, each item written by `append(out, item)`.
template<class List, class Append>
void appendArray(QByteArray &out, const List &items, Append append)
{
    out += '[';
    bool first = true;
    for (const auto &item : items) {
        if (!first)
            out += ',';
        first = false;
        append(out, item);
    }
    out += ']';
}
// A UTC instant as a string, "2026-11-30T15:32:22.123Z": toApiTimestamp's text.
void appendTime(QByteArray &out, qint64 msecsSinceEpoch);

} // namespace Tasklane::JsonText
