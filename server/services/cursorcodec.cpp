#include "cursorcodec.h"

#include "securerandom.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>

namespace Tasklane {

namespace {
constexpr qsizetype SignatureBytes = 16; // 128 bits of HMAC-SHA256: unforgeable, short
} // namespace

CursorCodec::CursorCodec(const QByteArray &secret)
    : m_key(QMessageAuthenticationCode::hash("tasklane page cursor v1", secret,
                                             QCryptographicHash::Sha256))
{ }

QByteArray CursorCodec::sign(const QByteArray &data) const
{
    return QMessageAuthenticationCode::hash(data, m_key, QCryptographicHash::Sha256)
            .left(SignatureBytes);
}

QString CursorCodec::encode(const QJsonObject &payload) const
{
    const QByteArray data = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(base64UrlEncode(data) + '.' + base64UrlEncode(sign(data)));
}

std::optional<QJsonObject> CursorCodec::decode(const QString &cursor) const
{
    const QByteArray text = cursor.toLatin1();
    const qsizetype dot = text.indexOf('.');
    if (dot < 0 || cursor.size() > MaxLength)
        return std::nullopt;
    bool ok = false;
    const QByteArray data = base64UrlDecode(text.left(dot), &ok);
    if (!ok)
        return std::nullopt;
    const QByteArray signature = base64UrlDecode(text.mid(dot + 1), &ok);
    if (!ok || !constantTimeEquals(signature, sign(data)))
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(data);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace Tasklane
