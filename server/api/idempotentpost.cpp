#include "idempotentpost.h"

#include "apierror.h"
#include "idempotencyservice.h"
#include "requestcontext.h"

#include <QCryptographicHash>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// What makes two requests "the same": method, path, media type, precondition and body.
QString requestHash(const RequestContext &request)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(request.method);
    hash.addData(QByteArrayView("\n"));
    hash.addData(request.path.toUtf8());
    hash.addData(QByteArrayView("\n"));
    hash.addData(request.header("Content-Type"));
    hash.addData(QByteArrayView("\n"));
    hash.addData(request.header("If-Match"));
    hash.addData(QByteArrayView("\n"));
    hash.addData(request.body);
    return QString::fromLatin1(hash.result().toHex());
}

// The headers a replay repeats.
constexpr std::array<const char *, 3> ReplayedHeaders{ "Content-Type", "Location", "ETag" };
} // namespace

HttpResponse idempotentPost(const RequestContext &request, const IdempotencyService &keys,
                            const std::function<HttpResponse()> &write)
{
    const QByteArray key = request.header("Idempotency-Key");
    if (key.isNull())
        return write();
    if (!IdempotencyService::isValidKey(key))
        throw ApiError(ApiError::Kind::BadRequest,
                       u"Idempotency-Key must be 1 to 255 visible ASCII characters."_s,
                       { { u"Idempotency-Key"_s, u"invalid_format"_s,
                           u"Use a fresh random value, such as a UUID, per request."_s } });
    const auto result = keys.run(request.requirePrincipal().user.id, QString::fromLatin1(key),
                                 requestHash(request), [&write] {
                                     const HttpResponse response = write();
                                     StoredAnswer answer;
                                     answer.status = response.status;
                                     answer.body = response.body;
                                     for (const char *name : ReplayedHeaders) {
                                         const QByteArray value = response.header(name);
                                         if (!value.isEmpty())
                                             answer.headers.append({ name, value });
                                     }
                                     return answer;
                                 });
    HttpResponse response;
    response.status = result.answer.status;
    response.body = result.answer.body;
    response.headers = result.answer.headers;
    if (result.replayed)
        response.setHeader("Idempotent-Replayed", "true");
    return response;
}

} // namespace Tasklane
