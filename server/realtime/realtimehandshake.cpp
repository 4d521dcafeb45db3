#include "realtimehandshake.h"

#include "corspolicy.h"
#include "httpsyntax.h"

#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Tasklane::RealtimeHandshake {

namespace {

RealtimeAdmission refuse(ApiError::Kind kind, const QString &detail,
                         QList<std::pair<QByteArray, QByteArray>> headers = {})
{
    RealtimeAdmission admission;
    admission.refusal = ApiError(kind, detail);
    admission.refusalHeaders = std::move(headers);
    return admission;
}

// A strict event id: 1 to 18 ASCII digits.
std::optional<qint64> eventId(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 18
        || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return text.toLongLong();
}

bool isWebSocketKey(const QByteArray &key)
{
    // A base64 encoding of 16 bytes: 22 characters and "==".
    if (key.size() != 24 || !key.endsWith("=="))
        return false;
    const auto decoded
            = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    return decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok
            && decoded.decoded.size() == 16;
}

} // namespace

std::variant<RealtimeAdmission, Parameters> check(const RealtimeRequest &request,
                                                  const CorsPolicy *cors)
{
    using K = ApiError::Kind;
    if (request.kind == RealtimeRequest::Kind::WebSocket) {
        if (!request.upgrade)
            return refuse(K::UpgradeRequired,
                          u"This path serves WebSocket connections only: send a WebSocket "
                          "handshake."_s,
                          { { "Upgrade", "websocket" } });
        if (request.method != "GET" || request.http10 || request.bodyAnnounced)
            return refuse(K::BadRequest,
                          u"A WebSocket handshake is an HTTP/1.1 GET without a body."_s);
        if (request.webSocketVersion != "13")
            return refuse(K::UpgradeRequired, u"Only WebSocket version 13 is served."_s,
                          { { "Sec-WebSocket-Version", "13" } });
        if (!isWebSocketKey(request.webSocketKey))
            return refuse(K::BadRequest,
                          u"Sec-WebSocket-Key must be the base64 encoding of 16 bytes."_s);
    } else {
        if (request.upgrade)
            return refuse(K::UpgradeNotSupported,
                          u"The event stream is plain HTTP; WebSocket is at /api/v1/ws."_s);
        if (request.bodyAnnounced)
            return refuse(K::BadRequest, u"An event stream request has no body."_s);
    }
    // A browser names the page's origin: only pages the CORS list allows may connect (a
    // WebSocket is not subject to the same-origin policy, so the server must check).
    if (!request.origin.isEmpty() && !(cors && cors->allows(request.origin)))
        return refuse(K::Forbidden, u"This origin may not open real-time connections."_s);

    Parameters parameters;
    const qsizetype question = request.target.indexOf('?');
    const QUrlQuery query(question < 0 ? QString()
                                       : QString::fromUtf8(request.target.sliced(question + 1)));
    if (query.hasQueryItem(u"since"_s)) {
        parameters.since = eventId(query.queryItemValue(u"since"_s, QUrl::FullyDecoded).toUtf8());
        if (!parameters.since)
            return refuse(K::BadRequest, u"since must be an event id (a non-negative integer)."_s);
    }
    if (!request.lastEventId.isNull()) {
        parameters.since = eventId(request.lastEventId);
        if (!parameters.since)
            return refuse(K::BadRequest,
                          u"Last-Event-ID must be an event id (a non-negative integer)."_s);
    }
    if (QByteArray token = HttpSyntax::bearerCredentials(request.authorization); !token.isEmpty()) {
        parameters.credential = Parameters::Credential::BearerToken;
        parameters.secret = std::move(token);
    } else if (query.hasQueryItem(u"ticket"_s)) {
        parameters.credential = Parameters::Credential::Ticket;
        parameters.secret = query.queryItemValue(u"ticket"_s, QUrl::FullyDecoded).toUtf8();
    }
    if (parameters.secret.isEmpty())
        return refuse(K::Unauthorized,
                      u"A bearer token (Authorization header) or a ticket (?ticket=, from POST "
                      "/api/v1/realtime/ticket) is required."_s);
    return parameters;
}

} // namespace Tasklane::RealtimeHandshake
