#include "passwordhasher.h"

#include "argon2arena.h"
#include "securerandom.h"

#include <QByteArray>

#include <sodium.h>

#include <stdexcept>

namespace Tasklane {

PasswordHasher::PasswordHasher(Cost cost) : m_cost(cost)
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium failed to initialise");
    m_dummyHash = hash(SecureRandom::token(24));
}

QString PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    const Argon2ArenaScope arena;
    if (crypto_pwhash_str_alg(out, utf8.constData(), size_t(utf8.size()), m_cost.opsLimit,
                              m_cost.memLimitBytes, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return QString::fromLatin1(out);
}

bool PasswordHasher::verify(const QString &hash, const QString &password) const
{
    const QByteArray stored = hash.toLatin1();
    const QByteArray utf8 = password.toUtf8();
    if (stored.size() >= crypto_pwhash_STRBYTES)
        return false;
    const Argon2ArenaScope arena;
    return crypto_pwhash_str_verify(stored.constData(), utf8.constData(), size_t(utf8.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &hash) const
{
    const QByteArray stored = hash.toLatin1();
    return crypto_pwhash_str_needs_rehash(stored.constData(), m_cost.opsLimit, m_cost.memLimitBytes)
            != 0;
}

void PasswordHasher::verifyDummy(const QString &password) const
{
    (void)verify(m_dummyHash, password);
}

} // namespace Tasklane
