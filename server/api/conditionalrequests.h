#pragma once

#include <QByteArray>

#include <optional>

namespace Tasklane {

struct HttpResponse;
struct RequestContext;

// ETags of versioned resources (a task's version) and of content (an avatar), and their
// If-Match / If-None-Match checks.
namespace ConditionalRequests {

// The strong ETag of a version: "7".
QByteArray etag(qint64 version);
// The version an If-Match header asks for: nullopt without the header or for "*" (any), -1
// for a header that names no version of ours (so that it never matches).
std::optional<qint64> ifMatchVersion(const RequestContext &request);
// Whether If-None-Match names this version (or "*"): a GET can answer 304.
bool ifNoneMatchHits(const RequestContext &request, qint64 version);
// Whether If-None-Match names the entity tag whose opaque part (between the quotes) is
// `opaqueTag`, or "*".
bool ifNoneMatchHits(const RequestContext &request, QByteArrayView opaqueTag);
// The opaque part of the first entity tag If-None-Match names; empty without one.
QByteArray firstIfNoneMatchTag(const RequestContext &request);

} // namespace ConditionalRequests

} // namespace Tasklane
