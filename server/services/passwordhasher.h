#pragma once

#include <QString>

#include <cstddef>

namespace Tasklane {

// The Argon2id work factor: passes and memory.
struct PasswordHashCost
{
    unsigned long long opsLimit = 2;
    size_t memLimitBytes = size_t(19) * 1024 * 1024;
};

// Argon2id password hashes through libsodium's crypto_pwhash_str, at or above OWASP's floor
// (19 MiB, 2 passes, 1 lane). Slow on purpose: call it on the hashing pool, never the event loop.
class PasswordHasher
{
public:
    using Cost = PasswordHashCost;

    explicit PasswordHasher(Cost cost = Cost());

    QString hash(const QString &password) const;
    bool verify(const QString &hash, const QString &password) const;
    // True when `hash` was made with other parameters than this hasher's (rehash on login).
    bool needsRehash(const QString &hash) const;
    // Verifies against a hash of a random password, so an unknown account costs the same time
    // as a wrong password.
    void verifyDummy(const QString &password) const;

private:
    Cost m_cost;
    QString m_dummyHash;
};

} // namespace Tasklane
