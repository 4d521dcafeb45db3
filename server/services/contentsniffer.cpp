#include "contentsniffer.h"

#include <QLoggingCategory>

#include <magic.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSniffer, "tasklane.sniffer")

namespace Tasklane {

namespace {

const QString OctetStream = u"application/octet-stream"_s;

// One thread's libmagic handle, opened and loaded on first use, closed when the thread ends.
class MagicHandle
{
public:
    MagicHandle()
    {
        m_cookie = magic_open(MAGIC_MIME_TYPE);
        if (!m_cookie) {
            qCWarning(lcSniffer, "libmagic: cannot open a handle");
            return;
        }
        // The compiled database Debian installs (libmagic-mgc), found by libmagic itself.
        if (magic_load(m_cookie, nullptr) != 0) {
            qCWarning(lcSniffer, "libmagic: cannot load its database: %s", magic_error(m_cookie));
            magic_close(m_cookie);
            m_cookie = nullptr;
        }
    }
    ~MagicHandle()
    {
        if (m_cookie)
            magic_close(m_cookie);
    }
    Q_DISABLE_COPY_MOVE(MagicHandle)

    magic_t cookie() const { return m_cookie; }

private:
    magic_t m_cookie = nullptr;
};

} // namespace

QString ContentSniffer::mimeType(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return OctetStream;
    thread_local MagicHandle handle;
    if (!handle.cookie())
        return OctetStream;
    const qsizetype size = std::min(bytes.size(), SniffBytes);
    const char *type = magic_buffer(handle.cookie(), bytes.data(), size_t(size));
    if (!type) {
        qCWarning(lcSniffer, "libmagic: %s", magic_error(handle.cookie()));
        return OctetStream;
    }
    const QString mime = QString::fromLatin1(type);
    // Not a type: what libmagic says of nothing, or of bytes it could not judge.
    if (mime.isEmpty() || mime == u"application/x-empty" || !mime.contains(u'/'))
        return OctetStream;
    return mime;
}

} // namespace Tasklane
