#include "webpushcrypto.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

using namespace Qt::StringLiterals;

namespace Tasklane {

namespace {

[[noreturn]] void fail(const char *what)
{
    throw WebPushError(std::string("web push: ") + what);
}

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Group = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

std::shared_ptr<EVP_PKEY> ownKey(EVP_PKEY *key)
{
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

// An EC key from its parts: the uncompressed public point, and the private scalar if any.
EVP_PKEY *ecKeyFrom(const QByteArray &point, const BIGNUM *priv)
{
    ParamBld builder(OSSL_PARAM_BLD_new());
    if (!builder
        || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0)
        || !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                             point.constData(), size_t(point.size()))
        || (priv && !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv)))
        fail("cannot build key parameters");
    Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    PkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *key = nullptr;
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0
        || EVP_PKEY_fromdata(context.get(), &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                             params.get())
                <= 0)
        return nullptr;
    return key;
}

} // namespace

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> fromBase64Url(const QString &text)
{
    const auto decoded = QByteArray::fromBase64Encoding(
            text.toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || text.contains(u'+') || text.contains(u'/'))
        return std::nullopt;
    return *decoded;
}

P256Key P256Key::generate()
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!key)
        fail("cannot generate a P-256 key");
    return P256Key(ownKey(key));
}

P256Key P256Key::fromPrivate(const QByteArray &scalar)
{
    if (scalar.size() != 32)
        fail("a P-256 private key has 32 bytes");
    Bignum priv(BN_bin2bn(bytes(scalar), 32, nullptr));
    Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!priv || !group)
        fail("out of memory");
    Point point(EC_POINT_new(group.get()));
    unsigned char encoded[65];
    if (!point || !EC_POINT_mul(group.get(), point.get(), priv.get(), nullptr, nullptr, nullptr)
        || EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, encoded,
                              sizeof encoded, nullptr)
                != sizeof encoded)
        fail("not a P-256 private key");
    EVP_PKEY *key = ecKeyFrom(QByteArray(reinterpret_cast<const char *>(encoded), 65), priv.get());
    if (!key)
        fail("not a P-256 private key");
    return P256Key(ownKey(key));
}

std::optional<P256Key> P256Key::fromPublic(const QByteArray &point)
{
    if (point.size() != 65 || point.at(0) != 0x04)
        return std::nullopt;
    EVP_PKEY *key = ecKeyFrom(point, nullptr);
    if (!key)
        return std::nullopt;
    P256Key result(ownKey(key));
    PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return std::nullopt; // not on the curve
    return result;
}

QByteArray P256Key::publicBytes() const
{
    QByteArray out(65, Qt::Uninitialized);
    size_t length = 0;
    if (!EVP_PKEY_get_octet_string_param(m_key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                         reinterpret_cast<unsigned char *>(out.data()), 65, &length)
        || length != 65)
        fail("cannot read a public key");
    return out;
}

QByteArray P256Key::privateBytes() const
{
    BIGNUM *priv = nullptr;
    if (!EVP_PKEY_get_bn_param(m_key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &priv))
        fail("not a private key");
    Bignum owned(priv);
    QByteArray out(32, Qt::Uninitialized);
    BN_bn2binpad(priv, reinterpret_cast<unsigned char *>(out.data()), 32);
    return out;
}

QByteArray P256Key::agree(const P256Key &peer) const
{
    PkeyCtx context(EVP_PKEY_CTX_new_from_pkey(nullptr, m_key.get(), nullptr));
    size_t length = 0;
    if (!context || EVP_PKEY_derive_init(context.get()) <= 0
        || EVP_PKEY_derive_set_peer_ex(context.get(), peer.m_key.get(), 1) <= 0
        || EVP_PKEY_derive(context.get(), nullptr, &length) <= 0)
        fail("ECDH failed");
    QByteArray secret(qsizetype(length), Qt::Uninitialized);
    if (EVP_PKEY_derive(context.get(), reinterpret_cast<unsigned char *>(secret.data()), &length)
        <= 0)
        fail("ECDH failed");
    secret.resize(qsizetype(length));
    return secret;
}

QByteArray P256Key::signEs256(const QByteArray &input) const
{
    MdCtx context(EVP_MD_CTX_new());
    size_t length = 0;
    if (!context
        || EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, m_key.get(),
                                 nullptr)
                <= 0
        || EVP_DigestSign(context.get(), nullptr, &length, bytes(input), size_t(input.size())) <= 0)
        fail("cannot sign");
    QByteArray der(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(der.data()), &length,
                       bytes(input), size_t(input.size()))
        <= 0)
        fail("cannot sign");
    // OpenSSL writes a DER ECDSA-Sig-Value; JWS wants r and s, each padded to 32 bytes.
    const unsigned char *cursor = bytes(der);
    Sig sig(d2i_ECDSA_SIG(nullptr, &cursor, long(length)));
    if (!sig)
        fail("cannot read a signature");
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray raw(64, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
        fail("cannot write a signature");
    return raw;
}

QByteArray WebPushCrypto::hkdf(const QByteArray &salt, const QByteArray &ikm,
                               const QByteArray &info, int length)
{
    Kdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtx context(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!context)
        fail("no HKDF");
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(ikm.constData()),
                                          size_t(ikm.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.constData()),
                                          size_t(salt.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char *>(info.constData()),
                                          size_t(info.size())),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(length, Qt::Uninitialized);
    if (EVP_KDF_derive(context.get(), reinterpret_cast<unsigned char *>(out.data()), size_t(length),
                       params)
        <= 0)
        fail("HKDF failed");
    return out;
}

QByteArray WebPushCrypto::encrypt(const QByteArray &plaintext, const QByteArray &uaPublic,
                                  const QByteArray &authSecret)
{
    QByteArray salt(16, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), 16) != 1)
        fail("no random bytes");
    return encrypt(plaintext, uaPublic, authSecret, P256Key::generate(), salt);
}

QByteArray WebPushCrypto::encrypt(const QByteArray &plaintext, const QByteArray &uaPublic,
                                  const QByteArray &authSecret, const P256Key &senderKey,
                                  const QByteArray &salt)
{
    if (plaintext.size() > MaxPlaintext)
        fail("the message is too long for one record");
    if (authSecret.size() != 16)
        fail("the subscription's auth secret is not 16 bytes");
    const auto receiver = P256Key::fromPublic(uaPublic);
    if (!receiver)
        fail("the subscription's p256dh is not a P-256 public key");
    const QByteArray asPublic = senderKey.publicBytes();
    const QByteArray ecdhSecret = senderKey.agree(*receiver);
    // RFC 8291 §3.3: the receiver's key first, then the sender's; no length prefixes.
    const QByteArray ikm = hkdf(authSecret, ecdhSecret,
                                QByteArray("WebPush: info", 13) + '\0' + uaPublic + asPublic, 32);
    const QByteArray cek
            = hkdf(salt, ikm, QByteArray("Content-Encoding: aes128gcm", 27) + '\0', 16);
    const QByteArray nonce = hkdf(salt, ikm, QByteArray("Content-Encoding: nonce", 23) + '\0', 12);

    const QByteArray record = plaintext + '\x02'; // the last (and only) record, no padding
    CipherCtx context(EVP_CIPHER_CTX_new());
    QByteArray ciphertext(record.size(), Qt::Uninitialized);
    int written = 0;
    int finalWritten = 0;
    unsigned char tag[16];
    if (!context
        || EVP_EncryptInit_ex2(context.get(), EVP_aes_128_gcm(), bytes(cek), bytes(nonce), nullptr)
                != 1
        || EVP_EncryptUpdate(context.get(), reinterpret_cast<unsigned char *>(ciphertext.data()),
                             &written, bytes(record), int(record.size()))
                != 1
        || EVP_EncryptFinal_ex(context.get(),
                               reinterpret_cast<unsigned char *>(ciphertext.data()) + written,
                               &finalWritten)
                != 1
        || EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
        fail("AES-GCM failed");
    ciphertext.resize(written + finalWritten);

    // RFC 8188 §2.1: salt, record size (big-endian), key id length, key id (the sender key).
    QByteArray body = salt;
    const quint32 rs = RecordSize;
    body += char(rs >> 24);
    body += char(rs >> 16);
    body += char(rs >> 8);
    body += char(rs);
    body += char(asPublic.size());
    body += asPublic;
    body += ciphertext;
    body += QByteArray(reinterpret_cast<const char *>(tag), 16);
    return body;
}

QByteArray WebPushCrypto::vapidAuthorization(const P256Key &key, const QString &audience,
                                             const QString &subject, const QDateTime &expires)
{
    const QByteArray header = base64Url(R"({"typ":"JWT","alg":"ES256"})");
    const QByteArray claims
            = base64Url(QJsonDocument(QJsonObject{ { u"aud"_s, audience },
                                                   { u"exp"_s, expires.toSecsSinceEpoch() },
                                                   { u"sub"_s, subject } })
                                .toJson(QJsonDocument::Compact));
    const QByteArray input = header + '.' + claims;
    return "vapid t=" + input + '.' + base64Url(key.signEs256(input))
            + ", k=" + base64Url(key.publicBytes());
}

} // namespace Tasklane
