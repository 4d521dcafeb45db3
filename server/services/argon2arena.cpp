#include "argon2arena.h"

#include <sodium.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// mmap and munmap, defined here under their C names, take precedence over the C library's for
// the shared libraries that call "mmap" (the executable comes first in the dynamic linker's
// search order; libraries built with 64-bit file offsets, Qt and SQLite among them, call
// "mmap64" and are not affected). The linker exports them because libsodium refers to them;
// PasswordHasher checks at start-up that its first hash really went through the arena. They pass
// everything through to the next definition (the C library's, or the sanitizer's interceptor)
// unless an Argon2ArenaScope is alive on the calling thread and the request is libsodium's. The
// assembler names keep them "mmap" whatever _FILE_OFFSET_BITS does to the header's declaration.
extern "C" {
__attribute__((visibility("default"))) void *tasklaneMmap(void *address, size_t length,
                                                          int protection, int flags, int fd,
                                                          off_t offset) noexcept __asm__("mmap");
__attribute__((visibility("default"))) int tasklaneMunmap(void *address, size_t length) noexcept
        __asm__("munmap");
}

namespace Tasklane {

namespace {

using MmapFunction = void *(*)(void *, size_t, int, int, int, off_t);
using MunmapFunction = int (*)(void *, size_t);

// Resolved on first use, not at static initialisation: other libraries' constructors map memory
// before this file's constructors run.
std::atomic<MmapFunction> g_nextMmap{ nullptr };
std::atomic<MunmapFunction> g_nextMunmap{ nullptr };

std::atomic<std::uint64_t> g_lent{ 0 };
std::atomic<std::uint64_t> g_mapped{ 0 };

// The definition of `name` after this executable's (the C library's, or a sanitizer's), found
// once; nullptr when there is none.
template<typename Function>
Function resolveNext(std::atomic<Function> &slot, const char *name)
{
    Function next = slot.load(std::memory_order_acquire);
    if (!next) {
        next = reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
        slot.store(next, std::memory_order_release);
    }
    return next;
}

void *nextMmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    if (const MmapFunction next = resolveNext(g_nextMmap, "mmap"))
        return next(address, length, protection, flags, fd, offset);
    return reinterpret_cast<void *>(
            syscall(SYS_mmap, address, length, protection, flags, fd, offset));
}

int nextMunmap(void *address, size_t length)
{
    if (const MunmapFunction next = resolveNext(g_nextMunmap, "munmap"))
        return next(address, length);
    return int(syscall(SYS_munmap, address, length));
}

// The calling thread's state. Plain constant-initialised values (initial-exec TLS in the
// executable), so mmap can read them on any thread, before main and during thread exit, without
// running an initialiser or allocating.
thread_local std::size_t t_expected = 0; // non-zero while a scope is alive
thread_local std::size_t t_lentLength = 0; // non-zero while libsodium holds the arena
thread_local unsigned char *t_arena = nullptr;
thread_local std::size_t t_arenaSize = 0;
thread_local bool t_threadEnding = false;

void unmapArena()
{
    if (t_arena)
        nextMunmap(t_arena, t_arenaSize);
    t_arena = nullptr;
    t_arenaSize = 0;
    t_lentLength = 0;
}

// Unmaps the thread's arena when the thread ends. Touched only by Argon2ArenaScope, so only
// threads that hash register it.
struct ArenaRelease
{
    ~ArenaRelease()
    {
        unmapArena();
        t_threadEnding = true; // a later thread_local destructor that hashes maps its own
    }
};
thread_local ArenaRelease t_arenaRelease;

bool calledFromLibsodium(const void *returnAddress)
{
    Dl_info info;
    return dladdr(returnAddress, &info) != 0 && info.dli_fname
            && std::strstr(info.dli_fname, "libsodium") != nullptr;
}

void *lendArena(size_t length)
{
    const int savedErrno = errno;
    if (t_arenaSize < length) {
        unmapArena();
        void *fresh = nextMmap(nullptr, length, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (fresh == MAP_FAILED)
            return MAP_FAILED; // with the C library's errno
        madvise(fresh, length, MADV_DONTDUMP);
        madvise(fresh, length, MADV_WIPEONFORK);
        t_arena = static_cast<unsigned char *>(fresh);
        t_arenaSize = length;
        g_mapped.fetch_add(1, std::memory_order_relaxed);
    }
    t_lentLength = length;
    g_lent.fetch_add(1, std::memory_order_relaxed);
    errno = savedErrno;
    return t_arena;
}

} // namespace

Argon2ArenaScope::Argon2ArenaScope(std::size_t expectedBytes) noexcept
    : m_previousExpected(t_expected)
{
    if (t_threadEnding)
        return;
    (void)&t_arenaRelease; // registers the release at thread exit
    t_expected = expectedBytes <= MaxArenaBytes ? expectedBytes : 0;
}

Argon2ArenaScope::~Argon2ArenaScope()
{
    t_expected = m_previousExpected;
    if (t_expected == 0 && t_lentLength != 0) {
        // libsodium kept the mapping past the hash, which it never does: leave it to whoever
        // holds it (a later munmap passes through) and start a new arena next time.
        t_arena = nullptr;
        t_arenaSize = 0;
        t_lentLength = 0;
    }
}

std::size_t Argon2ArenaScope::bytesFor(std::uint64_t memoryKiB) noexcept
{
    const std::uint64_t blocks = memoryKiB / 4 * 4;
    return blocks * 1024 <= MaxArenaBytes ? std::size_t(blocks * 1024) : 0;
}

std::uint64_t Argon2ArenaScope::lentCount() noexcept
{
    return g_lent.load(std::memory_order_relaxed);
}

std::uint64_t Argon2ArenaScope::mappedCount() noexcept
{
    return g_mapped.load(std::memory_order_relaxed);
}

const unsigned char *Argon2ArenaScope::threadArena(std::size_t *size) noexcept
{
    if (size)
        *size = t_arenaSize;
    return t_arena;
}

void Argon2ArenaScope::releaseThreadArena() noexcept
{
    if (t_lentLength == 0)
        unmapArena();
}

} // namespace Tasklane

void *tasklaneMmap(void *address, size_t length, int protection, int flags, int fd,
                   off_t offset) noexcept
{
    using namespace Tasklane;
    // Exactly libsodium's request: private, anonymous, populated, read-write, the expected size,
    // anywhere; and from libsodium's own code (a malloc interposed by LD_PRELOAD, say, must not
    // get the arena).
    if (t_expected != 0 && t_lentLength == 0 && length == t_expected && address == nullptr
        && fd == -1 && offset == 0 && protection == (PROT_READ | PROT_WRITE)
        && flags == (MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE)
        && calledFromLibsodium(__builtin_return_address(0)))
        return lendArena(length);
    return nextMmap(address, length, protection, flags, fd, offset);
}

int tasklaneMunmap(void *address, size_t length) noexcept
{
    using namespace Tasklane;
    if (t_lentLength != 0 && address == t_arena && length == t_lentLength) {
        // What the hash left would make guessing its password cheap: wipe before keeping it.
        sodium_memzero(t_arena, length);
        t_lentLength = 0;
        return 0;
    }
    return nextMunmap(address, length);
}
