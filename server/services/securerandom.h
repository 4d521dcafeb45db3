#pragma once

#include <QByteArray>
#include <QString>

namespace Tasklane {

// Randomness and digests for tokens, from libsodium's CSPRNG and OpenSSL's SHA-256.
namespace SecureRandom {
QByteArray bytes(qsizetype count);
// `count` random bytes as unpadded base64url text.
QString token(qsizetype count);
} // namespace SecureRandom

QString sha256Hex(const QByteArray &data);
QByteArray base64UrlEncode(const QByteArray &data);
// Strict: nullopt-like empty result plus *ok=false on any character outside the alphabet.
QByteArray base64UrlDecode(const QByteArray &text, bool *ok);
// Constant-time equality of two byte strings (the length is not secret).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace Tasklane
