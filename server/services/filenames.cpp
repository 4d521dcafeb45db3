#include "filenames.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr qsizetype MaxNameBytes = 255; // ext4, XFS, Btrfs, NTFS (in UTF-16 units, more)
// A suffix longer than this is no extension worth keeping whole when the name is cut.
constexpr qsizetype MaxExtensionBytes = 32;

bool isBidiControl(char32_t ch)
{
    return (ch >= 0x202A && ch <= 0x202E) || (ch >= 0x2066 && ch <= 0x2069) || ch == 0x200E
            || ch == 0x200F || ch == 0x061C;
}

bool isControl(char32_t ch)
{
    return ch < 0x20 || (ch >= 0x7F && ch <= 0x9F);
}

bool isWindowsReserved(char32_t ch)
{
    return ch == '<' || ch == '>' || ch == ':' || ch == '"' || ch == '|' || ch == '?' || ch == '*';
}

// CON, PRN, AUX, NUL, COM1-9 and LPT1-9, whatever follows them after a dot.
bool isWindowsDeviceName(const QString &name)
{
    const QString stem = name.section(u'.', 0, 0).trimmed().toUpper();
    if (stem == u"CON" || stem == u"PRN" || stem == u"AUX" || stem == u"NUL")
        return true;
    return stem.size() == 4 && (stem.startsWith(u"COM") || stem.startsWith(u"LPT"))
            && stem.at(3) >= u'1' && stem.at(3) <= u'9';
}

QString stripDotsAndSpaces(const QString &text)
{
    qsizetype begin = 0, end = text.size();
    while (begin < end && (text.at(begin) == u'.' || text.at(begin) == u' '))
        ++begin;
    while (end > begin && (text.at(end - 1) == u'.' || text.at(end - 1) == u' '))
        --end;
    return text.sliced(begin, end - begin);
}

// The longest start of `text` of at most `maxBytes` bytes of UTF-8, cut between code points.
QString leadingBytes(const QString &text, qsizetype maxBytes)
{
    qsizetype bytes = 0, end = 0;
    while (end < text.size()) {
        const char32_t ch = text.at(end).isHighSurrogate() && end + 1 < text.size()
                ? QChar::surrogateToUcs4(text.at(end), text.at(end + 1))
                : text.at(end).unicode();
        const qsizetype width = ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : 4;
        if (bytes + width > maxBytes)
            break;
        bytes += width;
        end += ch >= 0x10000 ? 2 : 1;
    }
    return text.first(end);
}

QString capLength(const QString &name)
{
    if (name.toUtf8().size() <= MaxNameBytes)
        return name;
    const qsizetype dot = name.lastIndexOf(u'.');
    const QString extension = dot > 0 ? name.sliced(dot) : QString();
    const qsizetype extensionBytes = extension.toUtf8().size();
    if (extension.isEmpty() || extensionBytes > MaxExtensionBytes)
        return stripDotsAndSpaces(leadingBytes(name, MaxNameBytes));
    const QString stem
            = stripDotsAndSpaces(leadingBytes(name.first(dot), MaxNameBytes - extensionBytes));
    return stem + extension;
}

} // namespace

QString sanitizeFileName(const QString &name)
{
    // The last path component: a client may send a whole path, in either convention.
    const qsizetype slash = std::max(name.lastIndexOf(u'/'), name.lastIndexOf(u'\\'));
    const QString last = name.sliced(slash + 1).normalized(QString::NormalizationForm_C);

    QString cleaned;
    cleaned.reserve(last.size());
    bool pendingSpace = false;
    for (qsizetype i = 0; i < last.size(); ++i) {
        const QChar unit = last.at(i);
        char32_t ch = unit.unicode();
        if (unit.isHighSurrogate() && i + 1 < last.size() && last.at(i + 1).isLowSurrogate())
            ch = QChar::surrogateToUcs4(unit, last.at(++i));
        else if (unit.isSurrogate())
            continue; // unpaired: no character at all
        // Line breaks and tabs separated words: they become spaces, like any white space.
        if (ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
            || (!isControl(ch) && QChar::isSpace(ch))) {
            pendingSpace = true;
            continue;
        }
        if (isControl(ch) || isBidiControl(ch))
            continue;
        if (pendingSpace && !cleaned.isEmpty())
            cleaned += u' ';
        pendingSpace = false;
        if (isWindowsReserved(ch))
            cleaned += u'_';
        else
            cleaned += QString::fromUcs4(&ch, 1);
    }

    QString result = capLength(stripDotsAndSpaces(cleaned));
    if (isWindowsDeviceName(result))
        result = capLength(u'_' + result);
    return result.isEmpty() ? u"file"_s : result;
}

QByteArray contentDisposition(const QString &name)
{
    const QString safe = sanitizeFileName(name);
    // The fallback for clients without RFC 8187: ASCII letters for accented ones, _ for the
    // rest, and for the characters that would need escaping (" \) or that some clients
    // percent-decode (%).
    QByteArray fallback;
    for (qsizetype i = 0; i < safe.size(); ++i) {
        const QChar unit = safe.at(i);
        if (unit.unicode() >= 0x20 && unit.unicode() < 0x7F) {
            fallback += unit == u'"' || unit == u'\\' || unit == u'%' ? '_' : char(unit.unicode());
            continue;
        }
        if (unit.isHighSurrogate() && i + 1 < safe.size())
            ++i;
        const QString decomposed = QString(unit).normalized(QString::NormalizationForm_KD);
        QByteArray letters;
        for (const QChar part : decomposed) {
            if (part.unicode() < 0x7F && part.isLetterOrNumber())
                letters += char(part.unicode());
        }
        fallback += letters.isEmpty() ? QByteArray("_") : letters;
    }
    // RFC 8187 attr-char unescaped, every other byte of the UTF-8 percent-encoded.
    const QByteArray encoded = safe.toUtf8().toPercentEncoding("!#$&+^`|");
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

} // namespace Tasklane
