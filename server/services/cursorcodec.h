#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Tasklane {

// Opaque, tamper-proof page cursors: a JSON payload, base64url-encoded and signed with
// HMAC-SHA256 under a key of the server's own, so that a client can hand a cursor back but
// never forge or alter one (a changed cursor is refused, not followed).
class CursorCodec
{
public:
    // `secret`: the server's signing secret; the cursor key is derived from it for this use
    // alone, so a cursor's signature can never pass as a token's.
    explicit CursorCodec(const QByteArray &secret);

    // Longer cursors are refused unread (TaskQuery::MaxCursorLength, the longest a listing
    // makes).
    static constexpr int MaxLength = 4096;

    QString encode(const QJsonObject &payload) const;
    // The payload, or nullopt when the cursor is malformed or its signature does not match.
    std::optional<QJsonObject> decode(const QString &cursor) const;

private:
    QByteArray sign(const QByteArray &data) const;

    QByteArray m_key;
};

} // namespace Tasklane
