/* MT19937 stream with the state layout of numpy's legacy RandomState
 * (key[624], pos), advanced in place so the caller can hand the state back. */
#ifndef AZ_MT19937_H
#define AZ_MT19937_H

#include <stdint.h>

#define AZ_MT_N 624
#define AZ_MT_M 397

typedef struct {
    uint32_t *key; /* AZ_MT_N words, owned by the caller */
    int pos;       /* index of the next word; AZ_MT_N means "regenerate first" */
    uint64_t drawn; /* words drawn so far (a caller zeroes it to count a run's draws) */
} az_mt19937;

/* Standard MT19937 twist of the whole block (Matsumoto & Nishimura 1998). */
static inline void az_mt_twist(uint32_t *mt) {
    const uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
    int k;
    uint32_t y;
    for (k = 0; k < AZ_MT_N - AZ_MT_M; k++) {
        y = (mt[k] & upper) | (mt[k + 1] & lower);
        mt[k] = mt[k + AZ_MT_M] ^ (y >> 1) ^ ((0u - (y & 1u)) & matrix);
    }
    for (; k < AZ_MT_N - 1; k++) {
        y = (mt[k] & upper) | (mt[k + 1] & lower);
        mt[k] = mt[k + AZ_MT_M - AZ_MT_N] ^ (y >> 1) ^ ((0u - (y & 1u)) & matrix);
    }
    y = (mt[AZ_MT_N - 1] & upper) | (mt[0] & lower);
    mt[AZ_MT_N - 1] = mt[AZ_MT_M - 1] ^ (y >> 1) ^ ((0u - (y & 1u)) & matrix);
}

/* One tempered 32-bit word, like numpy's mt19937_next32(). */
static inline uint32_t az_mt_next32(az_mt19937 *s) {
    uint32_t y;
    if (s->pos >= AZ_MT_N) {
        az_mt_twist(s->key);
        s->pos = 0;
    }
    y = s->key[s->pos++];
    s->drawn++;
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* mirrors igraph_rng_mt19937_seed() in igraph random/rng_mt19937.c (cores 0.10
 * and 1.0): Knuth's initialisation from the low 32 bits of the seed, seed 0
 * meaning 4357; the first draw regenerates the block. */
static inline void az_mt_seed_igraph(az_mt19937 *s, uint64_t seed) {
    int i;
    if (seed == 0) seed = 4357;
    s->key[0] = (uint32_t)(seed & 0xffffffffu);
    for (i = 1; i < AZ_MT_N; i++) {
        s->key[i] = 1812433253u * (s->key[i - 1] ^ (s->key[i - 1] >> 30)) + (uint32_t)i;
    }
    s->pos = AZ_MT_N;
}

/* RandomState.random(): 53-bit double from two words (numpy's next_double). */
static inline double az_mt_next_double(az_mt19937 *s) {
    int32_t a = (int32_t)(az_mt_next32(s) >> 5);
    int32_t b = (int32_t)(az_mt_next32(s) >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

#endif
