/* igraph's RNG layer as python-igraph drives it under scanpy's _RNGIgraph:
 * igraph asks a 32-bit generator whose get() python-igraph's random.c takes
 * from getrandbits(32) when the generator object has it (scanpy 1.11.4 and
 * later: AZ_RNG_GETRANDBITS), else from randint(0, 2**32 - 1) (scanpy before
 * 1.11.4 forwards only the RandomState's own methods: AZ_RNG_RANDINT), and
 * whose get_real() is RandomState.random(). With source AZ_RNG_WHOLE_WORDS
 * every word of the MT19937 is used whole: igraph's own MT19937
 * (igraph_rngtype_mt19937), as libleidenalg's Optimiser uses it, and Python's
 * random.Random behind python-igraph's default generator, whose
 * getrandbits(32) is one word and whose random() is the same 53-bit double as
 * RandomState.random(). */
#ifndef AZ_IGRAPH_RNG_H
#define AZ_IGRAPH_RNG_H

#include <stdint.h>

#include "mt19937.h"

typedef struct {
    az_mt19937 mt;
    int long_bits; /* width of C long in the numpy build: tomaxint() depends on it */
    int source;    /* AZ_RNG_GETRANDBITS (zero), AZ_RNG_RANDINT or AZ_RNG_WHOLE_WORDS */
} az_rng;

enum { AZ_RNG_GETRANDBITS = 0, AZ_RNG_WHOLE_WORDS = 1, AZ_RNG_RANDINT = 2 };

/* mirrors igraph_rng_Python_get() in python-igraph src/_igraph/random.c.
 * getrandbits(32) is scanpy's RandomState.tomaxint() & 0xffffffff; tomaxint()
 * is numpy's random_positive_int(): one 64-bit draw (two words, first word
 * high) shifted right by one, or one 32-bit word shifted if long is 32-bit.
 * randint(0, 2**32 - 1) is RandomState.randint() on [0, 0xfffffffe]: numpy's
 * legacy bounded draw masks one word with 0xffffffff (the smallest mask
 * covering the range) and redraws while it exceeds the range, i.e. while it is
 * 0xffffffff (random_bounded_uint64_fill(), buffered_bounded_masked_uint32()). */
static inline uint32_t az_rng_get(az_rng *r) {
    /* igraph_rng_mt19937_get(), random.Random.getrandbits(32): a word used whole */
    if (r->source == AZ_RNG_WHOLE_WORDS) return az_mt_next32(&r->mt);
    if (r->source == AZ_RNG_RANDINT) {
        uint32_t x;
        do {
            x = az_mt_next32(&r->mt);
        } while (x == 0xffffffffu);
        return x;
    }
    if (r->long_bits == 64) {
        uint32_t hi = az_mt_next32(&r->mt);
        uint32_t lo = az_mt_next32(&r->mt);
        return ((hi & 1u) << 31) | (lo >> 1);
    }
    return az_mt_next32(&r->mt) >> 1;
}

/* mirrors igraph_i_rng_get_uint32_bounded() in igraph random/random.c:
 * Lemire's debiased multiplication; rejected draws still consume words. */
static inline uint32_t az_rng_uint32_bounded(az_rng *r, uint32_t range) {
    uint32_t x, l, t = (0u - range) % range;
    uint64_t m;
    do {
        x = az_rng_get(r); /* 32 bits from a 32-bit RNG: no shift */
        m = (uint64_t)x * (uint64_t)range;
        l = (uint32_t)m;
    } while (l < t);
    return (uint32_t)(m >> 32);
}

/* mirrors igraph_rng_get_integer(rng, 0, h) for 0 <= h < 2^32 - 1. */
static inline int64_t az_rng_integer(az_rng *r, int64_t h) {
    if (h == 0) return 0;
    return (int64_t)az_rng_uint32_bounded(r, (uint32_t)h + 1u);
}

/* mirrors igraph_rng_get_unif(): get_real() is RandomState.random();
 * l == h returns h without drawing, and a result equal to h is redrawn. */
static inline double az_rng_unif(az_rng *r, double l, double h) {
    double x;
    if (l == h) return h;
    do {
        x = az_mt_next_double(&r->mt) * (h - l) + l;
    } while (x == h);
    return x;
}

/* mirrors igraph_vector_int_shuffle() in igraph core/vector.pmt:
 * Fisher-Yates from the end. */
static inline void az_rng_shuffle(az_rng *r, int32_t *v, int64_t n) {
    while (n > 1) {
        int64_t k = az_rng_integer(r, n - 1);
        int32_t tmp;
        n--;
        tmp = v[n];
        v[n] = v[k];
        v[k] = tmp;
    }
}

/* The draws of az_rng_shuffle(r, v, n) without the array: a libleidenalg
 * Optimiser.move_nodes() on n isolated nodes draws exactly these. */
static inline void az_rng_skip_shuffle(az_rng *r, int64_t n) {
    for (; n > 1; n--) (void)az_rng_integer(r, n - 1);
}

#endif
