#include "attachmentcontroller.h"

#include "apierror.h"
#include "attachmentservice.h"
#include "filenames.h"
#include "idempotentpost.h"
#include "multipartform.h"
#include "multipartupload.h"
#include "router.h"
#include "taskcontroller.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {
qint64 attachmentIdOf(const RequestContext &request)
{
    const auto id = request.idParameter(u"attachment_id"_s);
    if (!id)
        throw ApiError(ApiError::Kind::NotFound, u"There is no such attachment."_s);
    return *id;
}
} // namespace

void AttachmentController::registerRoutes(RouteTable &routes) const
{
    const auto route = [this, &routes](const char *method, const QString &path, auto handler,
                                       qint64 maxBodyBytes = 0) {
        Route added{ method, path, RouteAccess::signedIn(), executorFor(method),
                     [this, handler](const RequestContext &request) {
                         return (this->*handler)(request);
                     } };
        added.maxBodyBytes = maxBodyBytes;
        routes.add(std::move(added));
    };
    route("POST", u"/api/v1/tasks/{id}/attachments"_s, &AttachmentController::upload,
          m_maxUploadBytes);
    route("GET", u"/api/v1/tasks/{id}/attachments"_s, &AttachmentController::list);
    route("GET", u"/api/v1/tasks/{id}/attachments/{attachment_id}"_s,
          &AttachmentController::download);
    route("DELETE", u"/api/v1/tasks/{id}/attachments/{attachment_id}"_s,
          &AttachmentController::remove);
}

// POST /api/v1/tasks/{id}/attachments (multipart/form-data, the file in part "file")
// -> 201 Attachment; Idempotency-Key honoured.
HttpResponse AttachmentController::upload(const RequestContext &request) const
{
    const qint64 taskId = TaskController::taskIdOf(request);
    const QByteArray contentType = request.header("Content-Type");
    if (!contentType.trimmed().toLower().startsWith("multipart/form-data"))
        throw ApiError(ApiError::Kind::UnsupportedMediaType,
                       u"Upload a file as multipart/form-data, in a part named \"file\"."_s);
    const MultipartForm form = MultipartForm::parse(contentType, request.body);
    const MultipartForm::Part &file
            = requireFilePart(form, u"Send the file in a part named \"file\" with a filename."_s);
    if (file.body.isEmpty())
        throw ApiError::validation({ { u"file"_s, u"empty"_s, u"The file is empty."_s } });
    return idempotentPost(request, m_idempotency, [&] {
        const Attachment attachment
                = m_attachments.add(request.requirePrincipal(), taskId, file.fileName, file.body);
        HttpResponse response = HttpResponse::json(201, attachment.toJson());
        response.setHeader("Location",
                           "/api/v1/tasks/" + QByteArray::number(taskId) + "/attachments/"
                                   + QByteArray::number(attachment.id));
        return response;
    });
}

// GET /api/v1/tasks/{id}/attachments -> 200 {items: [Attachment], next_cursor: null}
HttpResponse AttachmentController::list(const RequestContext &request) const
{
    QJsonArray items;
    const QList<Attachment> attachments
            = m_attachments.list(request.requirePrincipal(), TaskController::taskIdOf(request));
    for (const Attachment &attachment : attachments)
        items.append(attachment.toJson());
    return HttpResponse::json(
            200, { { u"items"_s, items }, { u"next_cursor"_s, QJsonValue(QJsonValue::Null) } });
}

// GET /api/v1/tasks/{id}/attachments/{attachment_id} -> 200 the file, as a download.
HttpResponse AttachmentController::download(const RequestContext &request) const
{
    auto file = m_attachments.download(request.requirePrincipal(),
                                       TaskController::taskIdOf(request), attachmentIdOf(request));
    HttpResponse response;
    response.status = 200;
    response.body = std::move(file.bytes);
    // The type libmagic found, never the client's; always a download, never shown inline
    // (an uploaded HTML or SVG file must not run in the API's origin), with nosniff (a standard
    // header) and a sandbox for a browser that renders it anyway.
    response.setHeader("Content-Type", file.attachment.contentType.toLatin1());
    response.setHeader("Content-Disposition", contentDisposition(file.attachment.fileName));
    response.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    response.setHeader("ETag", '"' + file.attachment.sha256.toLatin1() + '"');
    return response;
}

// DELETE /api/v1/tasks/{id}/attachments/{attachment_id} -> 204
HttpResponse AttachmentController::remove(const RequestContext &request) const
{
    m_attachments.remove(request.requirePrincipal(), TaskController::taskIdOf(request),
                         attachmentIdOf(request));
    return HttpResponse::empty(204);
}

} // namespace Tasklane
