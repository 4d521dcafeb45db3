#include "multipartform.h"

#include "httpsyntax.h"

#include <QStringDecoder>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

constexpr qsizetype MaxBoundaryBytes = 70; // RFC 2046, section 5.1.1

// RFC 2046: bcharsnospace, and the space (never last).
bool isBoundaryChar(char ch)
{
    constexpr std::string_view Symbols = "'()+_,-./:=? ";
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || Symbols.find(ch) != std::string_view::npos;
}

// RFC 8187: attr-char.
bool isAttrChar(char ch)
{
    constexpr std::string_view Symbols = "!#$&+-.^_`|~";
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || Symbols.find(ch) != std::string_view::npos;
}

bool isWhiteSpace(char ch)
{
    return ch == ' ' || ch == '\t';
}

int hexValue(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

// Bytes that must be UTF-8, decoded; nullopt when they are not.
std::optional<QString> strictUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless
                                   | QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

struct Parameter
{
    QByteArray name; // in lower case
    QByteArray value; // unquoted
};

// A header value of the form `type *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )`
// (RFC 9110, section 5.6.6): its type and parameters, or a reason in `error`.
struct HeaderValue
{
    QByteArrayView type;
    QList<Parameter> parameters;
    QString error;

    const Parameter *find(QByteArrayView name) const
    {
        for (const Parameter &parameter : parameters) {
            if (parameter.name == name)
                return &parameter;
        }
        return nullptr;
    }
};

HeaderValue parseHeaderValue(QByteArrayView text)
{
    HeaderValue parsed;
    qsizetype i = 0;
    const qsizetype size = text.size();
    const auto skipSpace = [&] {
        while (i < size && isWhiteSpace(text[i]))
            ++i;
    };
    skipSpace();
    const qsizetype typeStart = i;
    while (i < size && text[i] != ';')
        ++i;
    parsed.type = text.sliced(typeStart, i - typeStart).trimmed();
    while (i < size) {
        // At a ';' (or at white space before one).
        skipSpace();
        if (i == size)
            break;
        if (text[i] != ';') {
            parsed.error = u"Malformed parameters."_s;
            return parsed;
        }
        ++i;
        skipSpace();
        if (i == size || text[i] == ';')
            continue; // an empty parameter (allowed by RFC 9110)
        const qsizetype nameStart = i;
        while (i < size && HttpSyntax::isTokenChar(text[i]))
            ++i;
        const QByteArrayView name = text.sliced(nameStart, i - nameStart);
        if (name.isEmpty() || i == size || text[i] != '=') {
            parsed.error = u"Malformed parameters."_s;
            return parsed;
        }
        ++i;
        QByteArray value;
        if (i < size && text[i] == '"') {
            ++i;
            bool closed = false;
            while (i < size) {
                const char ch = text[i++];
                if (ch == '"') {
                    closed = true;
                    break;
                }
                // Only \" and \\ are taken as escapes: browsers send a backslash in a file name
                // as it is (WHATWG's multipart/form-data encoding escapes nothing but quotes,
                // as %22), so any other one is kept.
                if (ch == '\\' && i < size && (text[i] == '"' || text[i] == '\\')) {
                    value.append(text[i++]);
                    continue;
                }
                const auto byte = uchar(ch);
                if ((byte < 0x20 && ch != '\t') || byte == 0x7f) {
                    parsed.error = u"A control character in a quoted parameter."_s;
                    return parsed;
                }
                value.append(ch);
            }
            if (!closed) {
                parsed.error = u"An unterminated quoted parameter."_s;
                return parsed;
            }
        } else {
            const qsizetype valueStart = i;
            while (i < size && HttpSyntax::isTokenChar(text[i]))
                ++i;
            if (i == valueStart) {
                parsed.error = u"Malformed parameters."_s;
                return parsed;
            }
            value = text.sliced(valueStart, i - valueStart).toByteArray();
        }
        const QByteArray lowerName = name.toByteArray().toLower();
        if (parsed.find(lowerName)) {
            parsed.error = u"The parameter %1 is repeated."_s.arg(QString::fromLatin1(lowerName));
            return parsed;
        }
        parsed.parameters.append({ lowerName, std::move(value) });
    }
    return parsed;
}

// RFC 8187 ext-value: charset "'" [ language ] "'" value-chars, in UTF-8 or ISO-8859-1.
std::optional<QString> decodeExtValue(QByteArrayView text)
{
    const qsizetype first = text.indexOf('\'');
    const qsizetype second = first < 0 ? -1 : text.indexOf('\'', first + 1);
    if (second < 0)
        return std::nullopt;
    const QByteArray charset = text.first(first).toByteArray().toLower();
    if (charset != "utf-8" && charset != "iso-8859-1")
        return std::nullopt;
    QByteArray bytes;
    for (qsizetype i = second + 1; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '%') {
            const int high = i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
            const int low = high < 0 ? -1 : hexValue(text[i + 2]);
            if (low < 0)
                return std::nullopt;
            bytes.append(char(high * 16 + low));
            i += 2;
        } else if (isAttrChar(ch)) {
            bytes.append(ch);
        } else {
            return std::nullopt;
        }
    }
    if (charset == "iso-8859-1")
        return QString::fromLatin1(bytes);
    return strictUtf8(bytes);
}

} // namespace

const MultipartForm::Part *MultipartForm::part(QStringView name) const
{
    for (const Part &candidate : m_parts) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

MultipartForm MultipartForm::parse(QByteArrayView contentType, const QByteArray &body,
                                   const Limits &limits)
{
    MultipartForm form;
    const auto fail = [&form](const QString &reason) {
        form.m_parts.clear();
        form.m_error = reason;
        return form;
    };

    const HeaderValue type = parseHeaderValue(contentType);
    if (type.type.compare("multipart/form-data", Qt::CaseInsensitive) != 0)
        return fail(u"The body must be multipart/form-data."_s);
    if (!type.error.isEmpty())
        return fail(u"The Content-Type header: "_s + type.error);
    const Parameter *boundaryParameter = type.find("boundary");
    if (!boundaryParameter)
        return fail(u"The Content-Type header has no boundary."_s);
    const QByteArray &boundary = boundaryParameter->value;
    if (boundary.isEmpty() || boundary.size() > MaxBoundaryBytes || boundary.endsWith(' ')
        || !std::all_of(boundary.begin(), boundary.end(), isBoundaryChar))
        return fail(u"The boundary must be 1 to 70 characters of those RFC 2046 allows."_s);

    form.m_body = body; // shared, not copied: the parts' views point into it
    const QByteArrayView data(form.m_body);
    const QByteArray dashBoundary = "--" + boundary;
    const QByteArray delimiter = "\r\n" + dashBoundary;

    // The first boundary opens the body, or ends a preamble (which is ignored).
    qsizetype pos = 0;
    if (data.startsWith(dashBoundary)) {
        pos = dashBoundary.size();
    } else {
        const qsizetype found = data.indexOf(delimiter);
        if (found < 0)
            return fail(u"The body does not contain its boundary."_s);
        pos = found + delimiter.size();
    }

    while (true) {
        // Right after a boundary: "--" closes the body (an epilogue after it is ignored), else
        // optional white space and CRLF begin the next part.
        if (data.sliced(pos).startsWith("--")) {
            if (form.m_parts.isEmpty())
                return fail(u"The body has no parts."_s);
            return form;
        }
        while (pos < data.size() && isWhiteSpace(data[pos]))
            ++pos;
        if (!data.sliced(pos).startsWith("\r\n"))
            return fail(u"A boundary line must end with CRLF."_s);
        pos += 2;
        if (form.m_parts.size() == limits.maxParts)
            return fail(u"The body has more than %1 parts."_s.arg(limits.maxParts));

        // The part's header section ends at the first blank line (at once when it is empty);
        // it is looked for within the limit only, never through a whole large body.
        qsizetype headersEnd = pos; // just after the last header line's CRLF
        if (!data.sliced(pos).startsWith("\r\n")) {
            const QByteArrayView window
                    = data.sliced(pos, std::min(data.size() - pos, limits.maxPartHeaderBytes + 4));
            const qsizetype blank = window.indexOf("\r\n\r\n");
            if (blank < 0 || blank + 2 > limits.maxPartHeaderBytes)
                return fail(data.size() - pos > limits.maxPartHeaderBytes
                                    ? u"A part's header section exceeds %1 bytes."_s.arg(
                                            limits.maxPartHeaderBytes)
                                    : u"A part's header section is not terminated."_s);
            headersEnd = pos + blank + 2;
        }

        Part part;
        bool hasDisposition = false, hasType = false;
        for (qsizetype lineStart = pos; lineStart < headersEnd;) {
            const qsizetype lineEnd = data.indexOf("\r\n", lineStart);
            const QByteArrayView line = data.sliced(lineStart, lineEnd - lineStart);
            lineStart = lineEnd + 2;
            const qsizetype colon = line.indexOf(':');
            if (line.contains('\r') || line.contains('\n') || colon <= 0
                || !HttpSyntax::isToken(line.first(colon)))
                return fail(u"A part has a malformed header line."_s);
            const QByteArrayView name = line.first(colon);
            const QByteArrayView value = line.sliced(colon + 1).trimmed();
            if (name.compare("content-disposition", Qt::CaseInsensitive) == 0) {
                if (std::exchange(hasDisposition, true))
                    return fail(u"A part has more than one Content-Disposition."_s);
                const HeaderValue disposition = parseHeaderValue(value);
                if (disposition.type.compare("form-data", Qt::CaseInsensitive) != 0)
                    return fail(u"A part's Content-Disposition is not form-data."_s);
                if (!disposition.error.isEmpty())
                    return fail(u"A part's Content-Disposition: "_s + disposition.error);
                const Parameter *fieldName = disposition.find("name");
                const auto decodedName = fieldName ? strictUtf8(fieldName->value) : std::nullopt;
                if (!decodedName || decodedName->isEmpty())
                    return fail(u"A part has no name, or one that is not UTF-8."_s);
                part.name = *decodedName;
                if (const Parameter *extended = disposition.find("filename*")) {
                    const auto decoded = decodeExtValue(extended->value);
                    if (!decoded)
                        return fail(u"A part's filename* is malformed."_s);
                    part.fileName = *decoded;
                } else if (const Parameter *plain = disposition.find("filename")) {
                    const auto decoded = strictUtf8(plain->value);
                    if (!decoded)
                        return fail(u"A part's filename is not UTF-8."_s);
                    // Not null even when empty: an empty file input sends filename="".
                    part.fileName = decoded->isNull() ? u""_s : *decoded;
                }
            } else if (name.compare("content-type", Qt::CaseInsensitive) == 0) {
                if (std::exchange(hasType, true))
                    return fail(u"A part has more than one Content-Type."_s);
                part.contentType = value.toByteArray();
            } else if (name.compare("content-transfer-encoding", Qt::CaseInsensitive) == 0) {
                // RFC 7578, section 4.7: deprecated; only the identity encodings are taken.
                if (value.compare("binary", Qt::CaseInsensitive) != 0
                    && value.compare("8bit", Qt::CaseInsensitive) != 0
                    && value.compare("7bit", Qt::CaseInsensitive) != 0)
                    return fail(u"A part has an unsupported Content-Transfer-Encoding."_s);
            }
            // Any other header field is ignored (RFC 7578, section 4.8).
        }
        if (!hasDisposition)
            return fail(u"A part has no Content-Disposition."_s);

        // The blank line ending the headers may be the CRLF that begins the next delimiter: then
        // the part has no body at all.
        const qsizetype next = data.indexOf(delimiter, headersEnd);
        if (next < 0)
            return fail(u"The body's closing boundary is missing."_s);
        const qsizetype bodyStart = next == headersEnd ? headersEnd : headersEnd + 2;
        part.body = data.sliced(bodyStart, next - bodyStart);
        form.m_parts.append(std::move(part));
        pos = next + delimiter.size();
    }
}

} // namespace Tasklane
