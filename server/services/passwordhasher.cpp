#include "passwordhasher.h"

#include "argon2arena.h"
#include "securerandom.h"

#include <QByteArray>
#include <QLoggingCategory>

#include <sodium.h>

#include <stdexcept>

namespace Tasklane {

Q_LOGGING_CATEGORY(lcHasher, "tasklane.hasher")

namespace {
// The memory parameter of a stored hash ("$argon2id$v=19$m=19456,t=2,p=1$..."), in KiB; 0 when
// there is none.
quint64 memoryKiBOf(const QByteArray &stored)
{
    const qsizetype start = stored.indexOf("$m=");
    if (start < 0)
        return 0;
    const qsizetype end = stored.indexOf(',', start);
    bool ok = false;
    const quint64 kib = stored.mid(start + 3, end < 0 ? -1 : end - start - 3).toULongLong(&ok);
    return ok ? kib : 0;
}
} // namespace

PasswordHasher::PasswordHasher(Cost cost) : m_cost(cost)
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium failed to initialise");
    m_dummyHash = hash(SecureRandom::token(24));
    // The dummy hash doubles as a check that libsodium's memory really comes from the arena in
    // this process (it would not if the interposition stopped working): hashing still works
    // then, at about twice the cost.
    if (!Argon2ArenaScope::threadArena(nullptr))
        qCWarning(lcHasher, "Argon2id memory is not kept between hashes: each hash maps its own");
    Argon2ArenaScope::releaseThreadArena(); // this thread does not hash again
}

QString PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    const Argon2ArenaScope arena(Argon2ArenaScope::bytesFor(m_cost.memLimitBytes / 1024));
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
    const Argon2ArenaScope arena(Argon2ArenaScope::bytesFor(memoryKiBOf(stored)));
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
