#include "secretbox.h"

#include "securerandom.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace Tasklane {

namespace {
constexpr char Version = 1;
constexpr int NonceBytes = 12;
constexpr int TagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext()
{
    CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (!context)
        throw std::bad_alloc();
    return context;
}

const auto *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

auto *bytes(QByteArray &data)
{
    return reinterpret_cast<unsigned char *>(data.data());
}
} // namespace

SecretBox::SecretBox(const QByteArray &key) : m_key(key)
{
    if (key.size() != KeyBytes)
        throw std::invalid_argument("an AES-256 key has 32 bytes");
}

SecretBox::~SecretBox()
{
    sodium_memzero(m_key.data(), size_t(m_key.size()));
}

QByteArray SecretBox::seal(const QByteArray &plaintext, const QByteArray &context) const
{
    const QByteArray nonce = SecureRandom::bytes(NonceBytes);
    QByteArray ciphertext(plaintext.size(), Qt::Uninitialized);
    QByteArray tag(TagBytes, Qt::Uninitialized);
    const CipherContext cipher = newContext();
    int length = 0;
    bool ok = EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, bytes(m_key),
                                 bytes(nonce))
                    == 1
            && EVP_EncryptUpdate(cipher.get(), nullptr, &length, bytes(context),
                                 int(context.size()))
                    == 1
            && EVP_EncryptUpdate(cipher.get(), bytes(ciphertext), &length, bytes(plaintext),
                                 int(plaintext.size()))
                    == 1
            && EVP_EncryptFinal_ex(cipher.get(), bytes(ciphertext) + length, &length) == 1
            && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, TagBytes, tag.data()) == 1;
    if (!ok)
        throw std::runtime_error("AES-256-GCM sealing failed");
    return base64UrlEncode(QByteArray(1, Version) + nonce + ciphertext + tag);
}

std::optional<QByteArray> SecretBox::open(const QByteArray &sealed, const QByteArray &context) const
{
    bool decoded = false;
    const QByteArray raw = base64UrlDecode(sealed, &decoded);
    if (!decoded || raw.size() < 1 + NonceBytes + TagBytes || raw.at(0) != Version)
        return std::nullopt;
    const QByteArray nonce = raw.mid(1, NonceBytes);
    const QByteArray ciphertext = raw.mid(1 + NonceBytes, raw.size() - 1 - NonceBytes - TagBytes);
    QByteArray tag = raw.right(TagBytes);
    QByteArray plaintext(ciphertext.size(), Qt::Uninitialized);
    const CipherContext cipher = newContext();
    int length = 0;
    // The tag is checked by the final step: nothing is returned unless it holds.
    const bool ok = EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, bytes(m_key),
                                       bytes(nonce))
                    == 1
            && EVP_DecryptUpdate(cipher.get(), nullptr, &length, bytes(context),
                                 int(context.size()))
                    == 1
            && EVP_DecryptUpdate(cipher.get(), bytes(plaintext), &length, bytes(ciphertext),
                                 int(ciphertext.size()))
                    == 1
            && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, tag.data()) == 1
            && EVP_DecryptFinal_ex(cipher.get(), bytes(plaintext) + length, &length) == 1;
    if (!ok) {
        sodium_memzero(plaintext.data(), size_t(plaintext.size()));
        return std::nullopt;
    }
    return plaintext;
}

std::optional<QByteArray> SecretBox::keyFromText(const QByteArray &text)
{
    const QByteArray trimmed = text.trimmed();
    if (trimmed.size() != 2 * KeyBytes)
        return std::nullopt;
    for (const char c : trimmed)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
    return QByteArray::fromHex(trimmed);
}

} // namespace Tasklane
