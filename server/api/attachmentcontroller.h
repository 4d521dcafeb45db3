#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class AttachmentService;
class IdempotencyService;
class RouteTable;

// /api/v1/tasks/{id}/attachments: files attached to a task. Uploads are multipart/form-data
// with the file in the part named "file", under their own body cap.
class AttachmentController
{
public:
    AttachmentController(const AttachmentService &attachments,
                         const IdempotencyService &idempotency, qint64 maxUploadBytes)
        : m_attachments(attachments), m_idempotency(idempotency), m_maxUploadBytes(maxUploadBytes)
    { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse upload(const RequestContext &request) const;
    HttpResponse list(const RequestContext &request) const;
    HttpResponse download(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const AttachmentService &m_attachments;
    const IdempotencyService &m_idempotency;
    qint64 m_maxUploadBytes;
};

} // namespace Tasklane
