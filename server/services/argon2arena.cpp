#include "argon2arena.h"

#include <atomic>

#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// mmap and munmap, defined here under their C names, take precedence over the C library's for
// every shared library (the executable comes first in the dynamic linker's search order); the
// linker exports them because libsodium refers to them. They pass everything through to the next
// definition (the C library's, or the sanitizer's interceptor) unless an Argon2ArenaScope is
// alive on the calling thread. The assembler names keep them "mmap" whatever _FILE_OFFSET_BITS
// does to the header's declaration.
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

void *nextMmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    MmapFunction next = g_nextMmap.load(std::memory_order_acquire);
    if (!next) {
        next = reinterpret_cast<MmapFunction>(dlsym(RTLD_NEXT, "mmap"));
        if (!next) // no other definition: the system call itself
            return reinterpret_cast<void *>(
                    syscall(SYS_mmap, address, length, protection, flags, fd, offset));
        g_nextMmap.store(next, std::memory_order_release);
    }
    return next(address, length, protection, flags, fd, offset);
}

int nextMunmap(void *address, size_t length)
{
    MunmapFunction next = g_nextMunmap.load(std::memory_order_acquire);
    if (!next) {
        next = reinterpret_cast<MunmapFunction>(dlsym(RTLD_NEXT, "munmap"));
        if (!next)
            return int(syscall(SYS_munmap, address, length));
        g_nextMunmap.store(next, std::memory_order_release);
    }
    return next(address, length);
}

// The calling thread's state. Plain constant-initialised values, so mmap can read them on any
// thread without running an initialiser or allocating.
thread_local bool t_inScope = false;
thread_local bool t_lent = false;
thread_local void *t_arena = nullptr;
thread_local size_t t_arenaSize = 0;

// Unmaps the thread's arena when the thread ends. Touched only by Argon2ArenaScope, so only
// threads that hash register it.
struct ArenaRelease
{
    ~ArenaRelease()
    {
        if (t_arena)
            nextMunmap(t_arena, t_arenaSize);
        t_arena = nullptr;
        t_arenaSize = 0;
    }
};
thread_local ArenaRelease t_arenaRelease;

// What libsodium asks for: a private, anonymous, read-write mapping anywhere, maybe populated.
bool isArenaRequest(const void *address, size_t length, int protection, int flags, int fd,
                    off_t offset)
{
    constexpr int allowedFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE;
    return address == nullptr && fd == -1 && offset == 0 && length > 0
            && length <= Argon2ArenaScope::MaxArenaBytes && protection == (PROT_READ | PROT_WRITE)
            && (flags & MAP_PRIVATE) && (flags & MAP_ANONYMOUS) && (flags & ~allowedFlags) == 0;
}

void *lendArena(size_t length)
{
    if (t_arenaSize < length) {
        if (t_arena)
            nextMunmap(t_arena, t_arenaSize);
        t_arena = nullptr;
        t_arenaSize = 0;
        void *fresh = nextMmap(nullptr, length, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (fresh == MAP_FAILED)
            return MAP_FAILED; // errno is the C library's
        madvise(fresh, length, MADV_DONTDUMP);
        t_arena = fresh;
        t_arenaSize = length;
        g_mapped.fetch_add(1, std::memory_order_relaxed);
    }
    t_lent = true;
    g_lent.fetch_add(1, std::memory_order_relaxed);
    return t_arena;
}

} // namespace

Argon2ArenaScope::Argon2ArenaScope() noexcept
{
    (void)&t_arenaRelease; // registers the release at thread exit
    t_inScope = true;
}

Argon2ArenaScope::~Argon2ArenaScope()
{
    t_inScope = false;
    t_lent = false; // libsodium gave up before unmapping: the arena is still ours
}

std::uint64_t Argon2ArenaScope::lentCount() noexcept
{
    return g_lent.load(std::memory_order_relaxed);
}

std::uint64_t Argon2ArenaScope::mappedCount() noexcept
{
    return g_mapped.load(std::memory_order_relaxed);
}

} // namespace Tasklane

void *tasklaneMmap(void *address, size_t length, int protection, int flags, int fd,
                   off_t offset) noexcept
{
    using namespace Tasklane;
    if (t_inScope && !t_lent && isArenaRequest(address, length, protection, flags, fd, offset))
        return lendArena(length);
    return nextMmap(address, length, protection, flags, fd, offset);
}

int tasklaneMunmap(void *address, size_t length) noexcept
{
    using namespace Tasklane;
    if (t_lent && address == t_arena && length <= t_arenaSize) {
        t_lent = false;
        return 0;
    }
    return nextMunmap(address, length);
}
