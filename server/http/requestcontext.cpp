#include "requestcontext.h"

#include "apierror.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
bool isJsonMediaType(const QByteArray &contentType)
{
    const QList<QByteArray> parts = contentType.split(';');
    const QByteArray type = parts.first().trimmed().toLower();
    if (type != "application/json" && !(type.startsWith("application/") && type.endsWith("+json")))
        return false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray parameter = parts.at(i).trimmed().toLower();
        if (parameter.startsWith("charset=") && parameter != "charset=utf-8"
            && parameter != "charset=\"utf-8\"")
            return false;
    }
    return true;
}

// The value of the \uXXXX escape at `at` (the backslash), or -1 when there is none.
int unicodeEscapeAt(const QByteArray &json, qsizetype at)
{
    if (at + 6 > json.size() || json.at(at) != '\\' || json.at(at + 1) != 'u')
        return -1;
    bool ok = false;
    const int value = json.mid(at + 2, 4).toInt(&ok, 16);
    return ok ? value : -1;
}

struct JsonShape
{
    int deepest = 0; // nesting of arrays and objects, counted outside strings
    bool unpairedSurrogate = false; // a \uD800-\uDFFF escape that is not half of a pair
};

// One pass over the raw body for what QJsonDocument does not refuse: nesting (it recurses)
// and unpaired surrogate escapes (it silently turns them into U+FFFD). Stops early past
// `depthLimit`.
JsonShape jsonShape(const QByteArray &json, int depthLimit)
{
    JsonShape shape;
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char ch = json.at(i);
        if (inString) {
            if (ch == '"') {
                inString = false;
            } else if (ch == '\\') {
                const int unit = unicodeEscapeAt(json, i);
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    const int low = unicodeEscapeAt(json, i + 6);
                    if (low < 0xDC00 || low > 0xDFFF) {
                        shape.unpairedSurrogate = true;
                        return shape;
                    }
                    i += 11;
                } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    shape.unpairedSurrogate = true;
                    return shape;
                } else {
                    ++i; // the escaped character (or the u of a plain \uXXXX)
                }
            }
            continue;
        }
        if (ch == '"') {
            inString = true;
        } else if (ch == '{' || ch == '[') {
            shape.deepest = std::max(shape.deepest, ++depth);
            if (shape.deepest > depthLimit)
                return shape;
        } else if (ch == '}' || ch == ']') {
            --depth;
        }
    }
    return shape;
}
} // namespace

std::optional<qint64> RequestContext::idParameter(const QString &name) const
{
    const QString text = pathParameters.value(name);
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id < 1 || text.startsWith(u'+') || text.startsWith(u'0'))
        return std::nullopt;
    return id;
}

QByteArray RequestContext::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject RequestContext::jsonObject() const
{
    if (!isJsonMediaType(header("Content-Type")))
        throw ApiError(ApiError::Kind::UnsupportedMediaType,
                       u"The request body must be application/json (UTF-8)."_s);
    if (body.trimmed().isEmpty())
        throw ApiError(ApiError::Kind::MalformedJson, u"The request needs a JSON object body."_s);
    const JsonShape shape = jsonShape(body, MaxJsonDepth);
    if (shape.deepest > MaxJsonDepth)
        throw ApiError(ApiError::Kind::MalformedJson,
                       u"The JSON body is nested more than %1 levels deep."_s.arg(MaxJsonDepth));
    if (shape.unpairedSurrogate)
        throw ApiError(ApiError::Kind::MalformedJson,
                       u"The JSON body has a \\u escape of half a surrogate pair."_s);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        throw ApiError(ApiError::Kind::MalformedJson,
                       u"The body is not valid JSON: %1 at offset %2."_s.arg(error.errorString())
                               .arg(error.offset));
    if (!document.isObject())
        throw ApiError(ApiError::Kind::MalformedJson, u"The JSON body must be an object."_s);
    return document.object();
}

} // namespace Tasklane
