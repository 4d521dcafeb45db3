#pragma once

#include <QByteArrayView>
#include <QString>

namespace Tasklane {

// The media type of bytes judged from the bytes themselves (libmagic), never from what a client
// claims: what an upload is recorded and served as.
class ContentSniffer
{
public:
    // How much of a buffer is looked at: enough for every signature libmagic knows.
    static constexpr qsizetype SniffBytes = 64 * 1024;

    // The MIME type of the first SniffBytes of `bytes`, such as image/png or text/plain;
    // application/octet-stream when they are empty, unknown, or libmagic fails. Safe from any
    // thread: each thread loads its own libmagic handle on first use (about 1 ms and 220 KiB
    // once per thread; a handle is not thread-safe, and a text buffer can take libmagic 5 ms,
    // too long to hold a shared handle's lock).
    static QString mimeType(QByteArrayView bytes);
};

} // namespace Tasklane
