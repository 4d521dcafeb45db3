// tasklane-hashtime: the cost of Argon2id with tasklaned's parameters (m=19 MiB, t=2, p=1), for
// bench/run.sh.
//   tasklane-hashtime MODE        mean milliseconds of one hash on one thread (20 after a warm-up)
//   tasklane-hashtime MODE N      hashes per second of N threads hashing side by side in one
//                                 process, as tasklaned's hashing pool does (20 per thread)
//   tasklane-hashtime MODE N MIB  the same with MIB MiB of memory instead of 19 (0 threads: one)
// MODE "library": libsodium's crypto_pwhash_str alone, which maps and unmaps its memory for
// every hash. MODE "tasklaned": tasklaned's PasswordHasher, which keeps that memory per thread
// (Argon2ArenaScope). Exit status 2 on a usage error, 1 when a hash fails.
#include "passwordhasher.h"

#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int Rounds = 20;
constexpr char Password[] = "benchmark-password-123";

bool libraryHash(size_t memLimitBytes)
{
    char out[crypto_pwhash_STRBYTES];
    return crypto_pwhash_str_alg(out, Password, std::strlen(Password), 2, memLimitBytes,
                                 crypto_pwhash_ALG_ARGON2ID13)
            == 0;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
    const int memoryMiB = argc > 3 ? std::atoi(argv[3]) : 19;
    if ((mode != "library" && mode != "tasklaned") || argc > 4 || threads < 0 || threads > 64
        || memoryMiB < 1 || memoryMiB > 64) {
        std::fprintf(stderr, "usage: tasklane-hashtime library|tasklaned [THREADS [MIB]]\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    const size_t memLimit = size_t(memoryMiB) * 1024 * 1024;
    const Tasklane::PasswordHasher hasher({ 2, memLimit }); // its constructor hashes once
    const QString password = QString::fromLatin1(Password);
    std::atomic<bool> failed = false;
    auto hashRounds = [&] {
        for (int i = 0; i < Rounds; ++i) {
            if (mode == "library")
                failed = failed || !libraryHash(memLimit);
            else
                (void)hasher.hash(password); // throws (and aborts) only when out of memory
        }
    };
    if (!libraryHash(memLimit)) // warm-up
        return 1;

    const auto start = std::chrono::steady_clock::now();
    if (threads == 0) {
        hashRounds();
    } else {
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i)
            pool.emplace_back(hashRounds);
        for (std::thread &thread : pool)
            thread.join();
    }
    const double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (failed)
        return 1;
    if (threads == 0)
        std::printf("%.2f\n", seconds * 1e3 / Rounds);
    else
        std::printf("%.1f\n", threads * Rounds / seconds);
    return 0;
}
