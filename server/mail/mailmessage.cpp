#include "mailmessage.h"

#include <QRandomGenerator>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

// Base64 of 39 bytes is 52 characters, 64 with "=?UTF-8?B?" and "?=": a first word after
// "Subject: " still ends before column 76 (RFC 2047, 2).
constexpr qsizetype MaxWordInputBytes = 39;

// Control characters (CR and LF above all) become spaces, runs of white space one space.
QString cleaned(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text)
        out.append(c.category() == QChar::Other_Control || c == u'\u2028' || c == u'\u2029' ? u' '
                                                                                            : c);
    return out.simplified();
}

bool isPlainAscii(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

// Base64 body lines of 76 characters.
QByteArray base64Lines(const QByteArray &data)
{
    const QByteArray encoded = data.toBase64();
    QByteArray out;
    out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
    for (qsizetype i = 0; i < encoded.size(); i += 76)
        out += encoded.mid(i, 76) + "\r\n";
    return out;
}

// Line ends as CRLF, whatever the template had.
QByteArray crlf(const QString &text)
{
    QString normalised = text;
    normalised.replace(u"\r\n"_s, u"\n"_s).replace(u'\r', u'\n');
    return normalised.toUtf8().replace("\n", "\r\n");
}

} // namespace

bool MailAddress::isValid(const QString &address)
{
    // local@domain: letters, digits and the unquoted specials RFC 5322 allows locally; a
    // domain of dot-separated labels. No quotes, comments, spaces or brackets, nothing above
    // ASCII, at most 254 characters.
    static const QRegularExpression pattern(
            u"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"_s);
    return address.size() <= 254 && pattern.match(address).hasMatch() && !address.startsWith(u'.')
            && !address.contains(u".."_s) && !address.contains(u".@"_s);
}

QString MailAddress::domain() const
{
    return isValid(address) ? address.mid(address.lastIndexOf(u'@') + 1) : QString();
}

QByteArray MailMessage::encodeHeaderText(const QString &text)
{
    const QString clean = cleaned(text);
    if (isPlainAscii(clean))
        return clean.toLatin1();
    // Encoded words of whole characters, each from at most MaxWordInputBytes of UTF-8.
    QList<QByteArray> words;
    QByteArray chunk;
    const QList<uint> characters = clean.toUcs4();
    for (uint character : characters) {
        const QByteArray bytes
                = QString::fromUcs4(reinterpret_cast<const char32_t *>(&character), 1).toUtf8();
        if (chunk.size() + bytes.size() > MaxWordInputBytes) {
            words.append(chunk);
            chunk.clear();
        }
        chunk += bytes;
    }
    if (!chunk.isEmpty())
        words.append(chunk);
    QByteArray out;
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i > 0)
            out += "\r\n "; // folded: white space between encoded words is not displayed
        out += "=?UTF-8?B?" + words.at(i).toBase64() + "?=";
    }
    return out;
}

QByteArray MailMessage::encodeAddress(const MailAddress &address)
{
    const QByteArray addr = address.address.toLatin1();
    const QString name = cleaned(address.displayName);
    if (name.isEmpty())
        return addr;
    // An ASCII name is quoted (it may hold specials such as ',' or '"').
    if (isPlainAscii(name)) {
        QString quoted = name;
        quoted.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s);
        return '"' + quoted.toLatin1() + "\" <" + addr + '>';
    }
    return encodeHeaderText(name) + " <" + addr + '>';
}

QByteArray MailMessage::toBytes(const QByteArray &boundary) const
{
    const QByteArray separator = boundary.isEmpty()
            ? "=_tasklane_" + QByteArray::number(QRandomGenerator::system()->generate64(), 36)
            : boundary;
    QByteArray out;
    const auto header = [&out](const QByteArray &name, const QByteArray &value) {
        out += name + ": " + value + "\r\n";
    };
    header("Date", date.toUTC().toString(Qt::RFC2822Date).toLatin1());
    header("From", encodeAddress(from));
    header("To", encodeAddress(to));
    header("Subject", encodeHeaderText(subject));
    header("Message-ID", '<' + cleaned(messageId).toLatin1() + '>');
    if (!language.isEmpty())
        header("Content-Language", encodeHeaderText(language));
    for (const auto &[name, value] : extraHeaders)
        header(name, encodeHeaderText(value));
    header("MIME-Version", "1.0");
    header("Content-Type", "multipart/alternative; boundary=\"" + separator + '"');
    out += "\r\n";
    const auto part = [&](const QByteArray &type, const QString &body) {
        out += "--" + separator + "\r\n";
        out += "Content-Type: " + type + "; charset=UTF-8\r\n";
        out += "Content-Transfer-Encoding: base64\r\n\r\n";
        out += base64Lines(crlf(body));
    };
    // The last part is the preferred one (RFC 2046, 5.1.4): HTML for those who show it.
    part("text/plain", text);
    part("text/html", html);
    out += "--" + separator + "--\r\n";
    return out;
}

} // namespace Tasklane
