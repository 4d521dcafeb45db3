#pragma once

#include <QByteArray>
#include <QString>

namespace Tasklane {

// A file name a client sent, made safe to keep, show and send back: the last path component
// only (split on / and \), in NFC, without control characters (line breaks and tabs become
// spaces), bidi overrides, isolates and marks, with the characters Windows refuses (< > : " | ?
// *) as _, white space collapsed, no leading or trailing dots and spaces, a Windows device name
// (CON, NUL, COM1, ...) prefixed with _, at most 255 bytes of UTF-8 keeping its extension; never
// empty, "." or "..": "file" then. Idempotent.
QString sanitizeFileName(const QString &name);

// The value of a Content-Disposition header that offers `name` (sanitized first) as a download
// (RFC 6266): attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 8187 encoding>.
// Only printable ASCII: safe in any header.
QByteArray contentDisposition(const QString &name);

} // namespace Tasklane
