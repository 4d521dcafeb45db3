#pragma once

#include <cstddef>
#include <cstdint>

namespace Tasklane {

// Keeps Argon2id's working memory between hashes on one thread.
//
// libsodium (1.0.18 in Debian 12) maps a fresh block of memlimit bytes with MAP_POPULATE for
// every hash and unmaps it afterwards. On this kind of virtual machine that kernel work (zeroing
// and charging 4,864 pages, then freeing them) is more than half the cost of a 19 MiB hash, and
// libsodium offers no way to hand it memory. So tasklaned interposes mmap/munmap (see the .cpp):
// while an Argon2ArenaScope is alive on a thread, the one anonymous read-write mapping libsodium
// asks for is served from that thread's arena, and its munmap hands it back instead of unmapping.
// Every other mapping, and every mapping on other threads, goes straight to the C library.
//
// Reusing the memory is safe for the hash: Argon2 writes each block before it reads it, so what
// the previous hash left there is never read (tst_argon2arena compares the output bit for bit
// with libsodium's own allocation). What stays in the arena is no more than what the stored hash
// already reveals; it is excluded from core dumps all the same.
class Argon2ArenaScope
{
public:
    Argon2ArenaScope() noexcept;
    ~Argon2ArenaScope();
    Argon2ArenaScope(const Argon2ArenaScope &) = delete;
    Argon2ArenaScope &operator=(const Argon2ArenaScope &) = delete;

    // Process-wide counters, for tests and diagnostics: mappings lent from an arena, and arenas
    // mapped (one per thread, plus one each time a thread needs a larger one).
    static std::uint64_t lentCount() noexcept;
    static std::uint64_t mappedCount() noexcept;

    // Larger requests than this are not kept, so an odd stored hash cannot pin a huge arena.
    static constexpr std::size_t MaxArenaBytes = std::size_t(64) * 1024 * 1024;
};

} // namespace Tasklane
