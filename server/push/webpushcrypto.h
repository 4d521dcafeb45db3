#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <memory>
#include <optional>
#include <stdexcept>

typedef struct evp_pkey_st EVP_PKEY;

namespace Tasklane {

class WebPushError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// A P-256 key pair on OpenSSL 3: the server's long-lived VAPID key (RFC 8292), or a message's
// ephemeral key (RFC 8291). Immutable once made: safe to use from several threads.
class P256Key
{
public:
    static P256Key generate();
    // From its 32-byte private scalar (the VAPID key as stored; test vectors).
    static P256Key fromPrivate(const QByteArray &scalar);
    // A peer's public key from its 65 uncompressed bytes (0x04 x y), checked to be on the
    // curve; nullopt when it is not one.
    static std::optional<P256Key> fromPublic(const QByteArray &point);

    QByteArray publicBytes() const; // 65 bytes, uncompressed
    QByteArray privateBytes() const; // 32 bytes
    // ECDH with `peer`: the 32-byte shared secret.
    QByteArray agree(const P256Key &peer) const;
    // An ES256 JWS signature of `input`: raw r || s, 64 bytes (RFC 7518 §3.4), not OpenSSL's DER.
    QByteArray signEs256(const QByteArray &input) const;

private:
    explicit P256Key(std::shared_ptr<EVP_PKEY> key) : m_key(std::move(key)) { }
    std::shared_ptr<EVP_PKEY> m_key;
};

// Web Push message encryption, "aes128gcm" (RFC 8291 with RFC 8188): one record, the whole
// body as a push service takes it. `senderKey` and `salt` are fresh for every message; given
// only by tests reproducing the RFC's example.
class WebPushCrypto
{
public:
    static constexpr int RecordSize = 4096;
    // The most plaintext a 4096-byte message holds (86 bytes of header, a delimiter, the tag).
    static constexpr int MaxPlaintext = RecordSize - 86 - 1 - 16;

    // Throws WebPushError for a bad subscription key or an oversized plaintext.
    static QByteArray encrypt(const QByteArray &plaintext, const QByteArray &uaPublic,
                              const QByteArray &authSecret);
    static QByteArray encrypt(const QByteArray &plaintext, const QByteArray &uaPublic,
                              const QByteArray &authSecret, const P256Key &senderKey,
                              const QByteArray &salt);

    // HKDF-SHA256 (RFC 5869), `length` bytes.
    static QByteArray hkdf(const QByteArray &salt, const QByteArray &ikm, const QByteArray &info,
                           int length);

    // The Authorization header value of a push request: "vapid t=<JWT>, k=<public key>" with
    // a JWT for the endpoint's origin (`audience`), signed by `key`, valid until `expires`
    // (at most 24 h ahead, RFC 8292 §2), naming `subject` (mailto: or https:).
    static QByteArray vapidAuthorization(const P256Key &key, const QString &audience,
                                         const QString &subject, const QDateTime &expires);
};

QByteArray base64Url(const QByteArray &data);
// nullopt when `text` is not base64url (padding tolerated).
std::optional<QByteArray> fromBase64Url(const QString &text);

} // namespace Tasklane
