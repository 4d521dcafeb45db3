#pragma once

#include <QByteArray>

#include <optional>

namespace Tasklane {

// Seals small secrets for storage (TOTP secrets) with AES-256-GCM through OpenSSL. A sealed
// value is base64url text of a version byte, a random 96-bit nonce, the ciphertext and the
// 128-bit tag. `context` is authenticated but not stored (associated data): a value sealed for
// one account's row does not open for another's, so rows cannot be swapped in the database.
class SecretBox
{
public:
    static constexpr qsizetype KeyBytes = 32;

    // Throws std::invalid_argument unless the key has KeyBytes bytes.
    explicit SecretBox(const QByteArray &key);
    ~SecretBox();
    SecretBox(const SecretBox &) = delete;
    SecretBox &operator=(const SecretBox &) = delete;

    QByteArray seal(const QByteArray &plaintext, const QByteArray &context) const;
    // nullopt when the value was changed, sealed under another key or for another context.
    std::optional<QByteArray> open(const QByteArray &sealed, const QByteArray &context) const;

    // The key in a key file or setting: 64 hex digits; nullopt when it is not that.
    static std::optional<QByteArray> keyFromText(const QByteArray &text);

private:
    QByteArray m_key;
};

} // namespace Tasklane
