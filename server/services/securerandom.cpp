#include "securerandom.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sodium.h>

namespace Tasklane {

QByteArray SecureRandom::bytes(qsizetype count)
{
    QByteArray buffer(count, Qt::Uninitialized);
    randombytes_buf(buffer.data(), size_t(count));
    return buffer;
}

QString SecureRandom::token(qsizetype count)
{
    return QString::fromLatin1(base64UrlEncode(bytes(count)));
}

QString sha256Hex(const QByteArray &data)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size()), digest);
    return QString::fromLatin1(
            QByteArray(reinterpret_cast<const char *>(digest), SHA256_DIGEST_LENGTH).toHex());
}

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray base64UrlDecode(const QByteArray &text, bool *ok)
{
    auto result = QByteArray::fromBase64Encoding(
            text, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    *ok = bool(result) && !text.contains('=');
    return *ok ? result.decoded : QByteArray();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size()
            && CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace Tasklane
