/* The cost of Argon2id with tasklaned's parameters (libsodium crypto_pwhash_str, opslimit 2,
 * memlimit 19 MiB).
 *   hashtime      mean milliseconds of one hash on one thread (20 hashes after a warm-up)
 *   hashtime N    hashes per second of N threads hashing side by side in one process, as
 *                 tasklaned's hashing pool does (20 hashes per thread)
 * Build: cc -O2 bench/hashtime.c -lsodium -lpthread */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { Rounds = 20, MaxThreads = 64 };

static int hash_once(void)
{
    static const char password[] = "benchmark-password-123";
    char out[crypto_pwhash_STRBYTES];
    return crypto_pwhash_str_alg(out, password, strlen(password), 2, 19u * 1024 * 1024,
                                 crypto_pwhash_ALG_ARGON2ID13);
}

static void *hash_rounds(void *failed)
{
    for (int i = 0; i < Rounds; ++i)
        if (hash_once() != 0)
            *(int *)failed = 1;
    return NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0 || hash_once() != 0) /* the first hash is a warm-up */
        return 1;
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    if (threads < 0 || threads > MaxThreads)
        return 2;
    int failed = 0;
    double start = now_ms();
    if (threads == 0) {
        hash_rounds(&failed);
        if (failed)
            return 1;
        printf("%.2f\n", (now_ms() - start) / Rounds);
        return 0;
    }
    pthread_t ids[MaxThreads];
    for (int i = 0; i < threads; ++i)
        if (pthread_create(&ids[i], NULL, hash_rounds, &failed) != 0)
            return 1;
    for (int i = 0; i < threads; ++i)
        pthread_join(ids[i], NULL);
    if (failed)
        return 1;
    printf("%.1f\n", threads * Rounds / ((now_ms() - start) / 1e3));
    return 0;
}
