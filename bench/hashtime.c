/* Mean time of one Argon2id hash with tasklaned's parameters (libsodium crypto_pwhash_str,
 * opslimit 2, memlimit 19 MiB), single-threaded. Prints milliseconds. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const char *password = "benchmark-password-123";
    char out[crypto_pwhash_STRBYTES];
    const int rounds = 20;
    struct timespec start, end;
    crypto_pwhash_str_alg(out, password, strlen(password), 2, 19u * 1024 * 1024,
                          crypto_pwhash_ALG_ARGON2ID13); /* warm-up */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < rounds; ++i)
        if (crypto_pwhash_str_alg(out, password, strlen(password), 2, 19u * 1024 * 1024,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0)
            return 1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = ((double)(end.tv_sec - start.tv_sec) * 1e3
                 + (double)(end.tv_nsec - start.tv_nsec) / 1e6) / rounds;
    printf("%.2f\n", ms);
    return 0;
}
