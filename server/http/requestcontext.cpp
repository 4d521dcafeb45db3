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

// Deepest nesting of arrays and objects, counted outside strings, stopping early past `limit`.
int nestingDepth(const QByteArray &json, int limit)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char ch = json.at(i);
        if (inString) {
            if (ch == '\\')
                ++i;
            else if (ch == '"')
                inString = false;
            continue;
        }
        if (ch == '"') {
            inString = true;
        } else if (ch == '{' || ch == '[') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit)
                return deepest;
        } else if (ch == '}' || ch == ']') {
            --depth;
        }
    }
    return deepest;
}
} // namespace

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
    if (nestingDepth(body, MaxJsonDepth) > MaxJsonDepth)
        throw ApiError(ApiError::Kind::MalformedJson,
                       u"The JSON body is nested more than %1 levels deep."_s.arg(MaxJsonDepth));
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
