#pragma once

#include <QByteArray>

namespace Tasklane {

// Request ids: the client's own X-Request-Id when it is short and plain, otherwise a new one.
// New ids are a random per-process prefix and a counter: unique and cheap (no system call),
// not secret.
namespace RequestIds {
QByteArray next();
QByteArray acceptOrCreate(const QByteArray &clientValue);
} // namespace RequestIds

} // namespace Tasklane
