#pragma once

#include "httpresponse.h"

#include <functional>

namespace Tasklane {

class IdempotencyService;
struct RequestContext;

// Runs a POST handler's write under the request's Idempotency-Key, if it has one: the first
// answer is stored with the write, a retry replays it (with Idempotent-Replayed: true), and
// the same key with another request is 422. Without the header, `write` simply runs.
// `write` must do all its writing through the service's CommitGroup (it runs inside it).
HttpResponse idempotentPost(const RequestContext &request, const IdempotencyService &keys,
                            const std::function<HttpResponse()> &write);

} // namespace Tasklane
