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
// while an Argon2ArenaScope is alive on a thread, the one mapping libsodium itself asks for (the
// caller is libsodium, the size is the expected one, the flags are exactly private, anonymous,
// populated, read-write) is served from that thread's arena, and its munmap wipes the arena and
// keeps it instead of unmapping it. Every other mapping goes straight to the C library.
//
// Reusing the memory is safe for the hash: Argon2 writes each block before it reads it, so what
// the previous hash left there could never be read (tst_argon2arena compares the output bit for
// bit with libsodium's own allocation). The wipe matters: the last pass's blocks would let an
// attacker who can read the process check guesses of the last password at a tiny fraction of
// the cost of a hash. The arena is also excluded from core dumps and wiped in forked children.
//
// Cost: one arena per thread that hashes (19 MiB with tasklaned's parameters), kept until the
// thread ends; a stored hash with a larger memory parameter grows its thread's arena.
class Argon2ArenaScope
{
public:
    // `expectedBytes`: the size libsodium will ask for (see bytesFor). Scopes may nest.
    explicit Argon2ArenaScope(std::size_t expectedBytes) noexcept;
    ~Argon2ArenaScope();
    Argon2ArenaScope(const Argon2ArenaScope &) = delete;
    Argon2ArenaScope &operator=(const Argon2ArenaScope &) = delete;

    // The size of libsodium's mapping for an Argon2 memory parameter of `memoryKiB` (the `m=` of
    // a stored hash, memlimit / 1024): one 1 KiB block per KiB, rounded down to a multiple of 4
    // blocks (Argon2's four slices of one lane).
    static std::size_t bytesFor(std::uint64_t memoryKiB) noexcept;

    // Process-wide counters, for tests and diagnostics: mappings lent from an arena, and arenas
    // mapped (one per thread, plus one each time a thread needs a larger one).
    static std::uint64_t lentCount() noexcept;
    static std::uint64_t mappedCount() noexcept;
    // The calling thread's arena (nullptr when it has none), for tests.
    static const unsigned char *threadArena(std::size_t *size) noexcept;
    // Unmaps the calling thread's arena (e.g. after a one-off hash on the main thread).
    static void releaseThreadArena() noexcept;

    // Larger requests than this are never kept, so an odd stored hash cannot pin a huge arena.
    static constexpr std::size_t MaxArenaBytes = std::size_t(64) * 1024 * 1024;

private:
    std::size_t m_previousExpected;
};

} // namespace Tasklane
