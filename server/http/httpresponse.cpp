#include "httpresponse.h"

#include "problem.h"

#include <QJsonDocument>

namespace Tasklane {

HttpResponse HttpResponse::continueOn(Executor executor, std::function<HttpResponse()> work)
{
    HttpResponse response;
    response.continuation
            = std::make_shared<Continuation>(Continuation{ executor, std::move(work) });
    return response;
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return jsonBytes(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

HttpResponse HttpResponse::jsonBytes(int status, const QByteArray &json)
{
    HttpResponse response;
    response.status = status;
    response.body = json;
    response.headers.emplaceBack(QByteArrayLiteral("Content-Type"),
                                 QByteArrayLiteral("application/json"));
    return response;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse response;
    response.status = status;
    return response;
}

HttpResponse HttpResponse::problem(const Problem &problem)
{
    HttpResponse response;
    response.status = problem.status;
    response.body = problem.toJsonBytes();
    response.headers.emplaceBack("Content-Type", QByteArray(Problem::MediaType.data()));
    return response;
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&name](const auto &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    headers.append({ name, value });
}

void HttpResponse::addStandardHeaders(const QByteArray &requestId)
{
    // Handlers never set these (but Cache-Control): appended without a search, on the hot path.
    // Literals: static data, shared by every response without an allocation.
    headers.reserve(headers.size() + 5);
    headers.emplaceBack(QByteArrayLiteral("X-Request-Id"), requestId);
    headers.emplaceBack(QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff"));
    headers.emplaceBack(QByteArrayLiteral("Content-Security-Policy"),
                        QByteArrayLiteral("frame-ancestors 'none'"));
    headers.emplaceBack(QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("no-referrer"));
    if (header("Cache-Control").isEmpty())
        headers.emplaceBack(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
}

QByteArray HttpResponse::serialize(bool headOnly, bool closeConnection,
                                   bool announceKeepAlive) const
{
    QByteArray out;
    out.reserve(256 + (headOnly ? 0 : body.size()));
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    // 1xx, 204 and 304 have no body and no length (RFC 9110 8.6).
    if (status >= 200 && status != 204 && status != 304)
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (closeConnection)
        out += "Connection: close\r\n";
    else if (announceKeepAlive)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!headOnly)
        out += body;
    return out;
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default: return "Status";
    }
}

} // namespace Tasklane
