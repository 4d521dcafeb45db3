#include "jsontext.h"

#include "user.h"

#include <QChar>
#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace Tasklane::JsonText {

namespace {
char hexDigit(uint value)
{
    return char(value < 10 ? '0' + value : 'a' + value - 10);
}

// Room for `count` more bytes at the end of `out`; returns where they start.
char *grow(QByteArray &out, qsizetype count)
{
    const qsizetype at = out.size();
    out.resize(at + count);
    return out.data() + at;
}

char *escapeAscii(char *cursor, char16_t unit)
{
    *cursor++ = '\\';
    switch (unit) {
    case u'"': *cursor++ = '"'; break;
    case u'\\': *cursor++ = '\\'; break;
    case u'\b': *cursor++ = 'b'; break;
    case u'\f': *cursor++ = 'f'; break;
    case u'\n': *cursor++ = 'n'; break;
    case u'\r': *cursor++ = 'r'; break;
    case u'\t': *cursor++ = 't'; break;
    default:
        *cursor++ = 'u';
        *cursor++ = '0';
        *cursor++ = '0';
        *cursor++ = hexDigit(unit >> 4);
        *cursor++ = hexDigit(unit & 0xf);
    }
    return cursor;
}

void appendDigits(char *cursor, qint64 value, int digits)
{
    for (int i = digits - 1; i >= 0; --i) {
        cursor[i] = char('0' + value % 10);
        value /= 10;
    }
}

} // namespace

void appendString(QByteArray &out, QStringView text)
{
    char *const start = grow(out, 2 + 6 * text.size());
    char *cursor = start;
    *cursor++ = '"';
    const char16_t *source = text.utf16();
    const char16_t *const end = source + text.size();
    while (source != end) {
        const char16_t unit = *source++;
        if (unit < 0x80) {
            if (unit >= 0x20 && unit != u'"' && unit != u'\\')
                *cursor++ = char(unit);
            else
                cursor = escapeAscii(cursor, unit);
        } else if (unit < 0x800) {
            *cursor++ = char(0xc0 | (unit >> 6));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (!QChar::isSurrogate(unit)) {
            *cursor++ = char(0xe0 | (unit >> 12));
            *cursor++ = char(0x80 | ((unit >> 6) & 0x3f));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (QChar::isHighSurrogate(unit) && source != end
                   && QChar::isLowSurrogate(*source)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *source++);
            *cursor++ = char(0xf0 | (point >> 18));
            *cursor++ = char(0x80 | ((point >> 12) & 0x3f));
            *cursor++ = char(0x80 | ((point >> 6) & 0x3f));
            *cursor++ = char(0x80 | (point & 0x3f));
        } else {
            *cursor++ = '\\';
            *cursor++ = 'u';
            *cursor++ = hexDigit(unit >> 12);
            *cursor++ = hexDigit((unit >> 8) & 0xf);
            *cursor++ = hexDigit((unit >> 4) & 0xf);
            *cursor++ = hexDigit(unit & 0xf);
        }
    }
    *cursor++ = '"';
    out.resize(out.size() - (2 + 6 * text.size()) + (cursor - start));
}

void appendLatin1String(QByteArray &out, QByteArrayView text)
{
    char *const start = grow(out, 2 + 6 * text.size());
    char *cursor = start;
    *cursor++ = '"';
    for (const char byte : text) {
        const auto unit = char16_t(uchar(byte));
        if (unit >= 0x80) {
            *cursor++ = char(0xc0 | (unit >> 6));
            *cursor++ = char(0x80 | (unit & 0x3f));
        } else if (unit >= 0x20 && unit != u'"' && unit != u'\\') {
            *cursor++ = byte;
        } else {
            cursor = escapeAscii(cursor, unit);
        }
    }
    *cursor++ = '"';
    out.resize(out.size() - (2 + 6 * text.size()) + (cursor - start));
}

void appendDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value))
        out += "null";
    else if (std::trunc(value) == value && std::abs(value) < 9007199254740992.0)
        out += QByteArray::number(qint64(value));
    else
        out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

void appendInteger(QByteArray &out, qint64 value)
{
    out += QByteArray::number(value);
}

void appendTime(QByteArray &out, qint64 msecs)
{
    // Days to a civil date by Howard Hinnant's algorithm: no QDateTime, no formatting call.
    constexpr qint64 MsPerDay = 86'400'000;
    qint64 days = msecs / MsPerDay;
    qint64 ms = msecs % MsPerDay;
    if (ms < 0) {
        ms += MsPerDay;
        --days;
    }
    days += 719'468;
    const qint64 era = (days >= 0 ? days : days - 146'096) / 146'097;
    const qint64 dayOfEra = days - era * 146'097;
    const qint64 yearOfEra
            = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 shiftedMonth = (5 * dayOfYear + 2) / 153;
    const qint64 day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    const qint64 month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

    if (year < 0 || year > 9999) { // never from the API's own checks; as toApiTimestamp writes it
        appendString(out, toApiTimestamp(QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC)));
        return;
    }
    char *cursor = grow(out, 26);
    *cursor++ = '"';
    appendDigits(cursor, year, 4);
    cursor[4] = '-';
    appendDigits(cursor + 5, month, 2);
    cursor[7] = '-';
    appendDigits(cursor + 8, day, 2);
    cursor[10] = 'T';
    appendDigits(cursor + 11, ms / 3'600'000, 2);
    cursor[13] = ':';
    appendDigits(cursor + 14, ms / 60'000 % 60, 2);
    cursor[16] = ':';
    appendDigits(cursor + 17, ms / 1000 % 60, 2);
    cursor[19] = '.';
    appendDigits(cursor + 20, ms % 1000, 3);
    cursor[23] = 'Z';
    cursor[24] = '"';
}

} // namespace Tasklane::JsonText
