#include "avatarcontroller.h"

#include "apierror.h"
#include "avatarservice.h"
#include "conditionalrequests.h"
#include "multipartupload.h"
#include "router.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
// Room for a multipart envelope around the largest picture.
constexpr qint64 EnvelopeBytes = 64 * 1024;

// The uploaded picture and the type it was declared as: the body and its Content-Type, or the
// part "file" of a multipart/form-data body (what an HTML form sends) and that part's type.
std::pair<QByteArray, QByteArray> uploadOf(const RequestContext &request)
{
    const QByteArray contentType = request.header("Content-Type");
    if (!contentType.trimmed().toLower().startsWith("multipart/form-data"))
        return { request.body, contentType };
    const MultipartForm form = MultipartForm::parse(contentType, request.body);
    const MultipartForm::Part &file = requireFilePart(
            form, u"Send the picture in a part named \"file\" with a filename."_s);
    return { file.body.toByteArray(), file.contentType };
}

HttpResponse withCachingHeaders(HttpResponse response, const QByteArray &etag)
{
    response.setHeader("ETag", '"' + etag + '"');
    // Kept by the client alone (never a shared cache: who may see it depends on who asks),
    // and asked after each time (a 304 while it is unchanged), so that a new picture or a
    // share taken away shows at once.
    response.setHeader("Cache-Control", "private, no-cache");
    return response;
}
} // namespace

void AvatarController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, Executor executor,
                                       auto handler, qint64 maxBodyBytes = 0) {
        Route added{ method, path, RouteAccess::signedIn(), executor,
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } };
        added.maxBodyBytes = maxBodyBytes;
        routes.add(std::move(added));
    };
    // Decoding is CPU work, bounded like password hashing by the hashing pool's threads and
    // queue (a decode takes up to AvatarImage::AllocationLimitMiB).
    route("PUT", u"/api/v1/users/me/avatar"_s, Executor::Hashing, &AvatarController::put,
          AvatarService::MaxUploadBytes + EnvelopeBytes);
    route("DELETE", u"/api/v1/users/me/avatar"_s, Executor::DatabaseWrite,
          &AvatarController::remove);
    route("GET", u"/api/v1/users/me/avatar"_s, Executor::Database, &AvatarController::get);
    route("GET", u"/api/v1/users/{id}/avatar"_s, Executor::Database, &AvatarController::get);
}

// PUT /api/v1/users/me/avatar (image/png, image/jpeg or image/webp, or multipart/form-data
// with the picture in part "file"; at most 5 MiB) -> 200 AvatarInfo
HttpResponse AvatarController::put(const RequestContext &request) const
{
    const auto [upload, contentType] = uploadOf(request);
    if (upload.size() > AvatarService::MaxUploadBytes)
        throw ApiError(ApiError::Kind::PayloadTooLarge, u"A picture may be at most 5 MiB."_s);
    QByteArray png = m_avatars.prepare(upload, contentType);
    return HttpResponse::continueOn(
            Executor::DatabaseWrite,
            [this, principal = request.requirePrincipal(), png = std::move(png)] {
                return HttpResponse::json(200, m_avatars.store(principal, png).toJson());
            });
}

// DELETE /api/v1/users/me/avatar -> 204
HttpResponse AvatarController::remove(const RequestContext &request) const
{
    m_avatars.remove(request.requirePrincipal());
    return HttpResponse::empty(204);
}

// GET /api/v1/users/{id}/avatar (or me) -> 200 image/png, 304 when If-None-Match has it.
HttpResponse AvatarController::get(const RequestContext &request) const
{
    const Principal &viewer = request.requirePrincipal();
    qint64 userId = viewer.user.id;
    if (!request.pathParameters.isEmpty()) {
        const auto id = request.idParameter(u"id"_s);
        if (!id)
            throw ApiError(ApiError::Kind::NotFound, u"There is no such avatar."_s);
        userId = *id;
    }
    StoredAvatar avatar
            = m_avatars.read(viewer, userId, ConditionalRequests::firstIfNoneMatchTag(request));
    if (ConditionalRequests::ifNoneMatchHits(request, avatar.etag))
        return withCachingHeaders(HttpResponse::empty(304), avatar.etag);
    HttpResponse response;
    response.status = 200;
    response.body = std::move(avatar.png);
    response.setHeader("Content-Type", "image/png");
    // Re-encoded by the server, but served as untrusted all the same.
    response.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    return withCachingHeaders(std::move(response), avatar.etag);
}

} // namespace Tasklane
