/* One level of a multi-level algorithm as igraph's ports read it: every
 * vertex's incidences stored contiguously (neighbours and weights in two
 * arrays) in the exact order igraph_inclist_init(IGRAPH_ALL,
 * IGRAPH_LOOPS_TWICE) and igraph_incident(IGRAPH_ALL, IGRAPH_LOOPS) list them.
 * When that sequence is every stored incidence repeated `mult` times in a row
 * (mult = 2 for the two parallel edges of every pair of a symmetric matrix), each
 * is stored once: a loop over incidences repeats its per-incidence step mult
 * times, which is exactly igraph's sequence of operations, while reading half the
 * memory. For a symmetric CSR matrix with sorted rows, the stored incidences are
 * the matrix rows themselves, used in place. */
#ifndef AZ_IGRAPH_INCIDENCE_H
#define AZ_IGRAPH_INCIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "az_graph.h"
#include "az_runtime.h"

typedef struct {
    int32_t n;
    int32_t mult;       /* every stored incidence stands for mult identical ones */
    const int64_t *off; /* n + 1: incidences of v are [off[v], off[v + 1]) */
    const int32_t *nbr; /* neighbour of each incidence */
    const double *w;    /* weight of each incidence, or */
    const float *w32;   /* these (a borrowed float32 matrix, always mult 2), w NULL;
                         * both NULL: all 1 (az_level_from_edges()'s unit_ok) */
    double *vw;         /* vertex weights (Leiden's; the builder leaves it NULL) */
    int64_t *own_off;   /* the arrays above that the level allocated (else borrowed) */
    int32_t *own_nbr;
    double *own_w;
} az_level;

/* The routines that repeat additions per incidence take the level's
 * multiplicity (and weight type) as arguments and are forced inline into
 * dispatchers that pass the common values as constants, so add_times() becomes
 * straight-line code in their inner loops. */
#if defined(__GNUC__) || defined(__clang__)
#define AZ_PER_MULT static inline __attribute__((always_inline))
#else
#define AZ_PER_MULT static __forceinline
#endif

/* Calls f(args..., mult, f32) for level L with mult a constant when it is 1 or
 * 2 and f32 (float32 weights, see az_level) always a constant. */
#define AZ_DISPATCH_LEVEL(L, f, ...)                                         \
    ((L)->w32         ? f(__VA_ARGS__, 2, 1)                                 \
     : (L)->mult == 1 ? f(__VA_ARGS__, 1, 0)                                 \
     : (L)->mult == 2 ? f(__VA_ARGS__, 2, 0)                                 \
                      : f(__VA_ARGS__, (L)->mult, 0))

/* Weight of incidence p of L; f32 as in AZ_DISPATCH_LEVEL (promotion is exact). */
AZ_PER_MULT double level_weight(const az_level *L, int64_t p, const int f32) {
    return f32 ? (double)L->w32[p] : L->w[p];
}

/* Starts loading all of v's incidences, line by line: a vertex's list spans
 * several cache lines, and the hardware prefetcher only follows a stream after
 * its first misses. */
AZ_PER_MULT void az_level_prefetch(const az_level *L, int32_t v, const int f32) {
    const int64_t begin = L->off[v], end = L->off[v + 1];
    const uintptr_t w0 = f32 ? (uintptr_t)L->w32 : (uintptr_t)L->w;
    const size_t ws = f32 ? sizeof(float) : sizeof(double);
    /* from the line holding the first entry, so the last line is not missed */
    const uintptr_t nb = (uintptr_t)(L->nbr + begin) & ~(uintptr_t)63;
    const uintptr_t wb = (w0 + (uintptr_t)begin * ws) & ~(uintptr_t)63;
    const uintptr_t ne = (uintptr_t)(L->nbr + end), we = w0 + (uintptr_t)end * ws;
    uintptr_t a;
    for (a = nb; a < ne; a += 64) AZ_PREFETCH((const void *)a);
    for (a = wb; a < we; a += 64) AZ_PREFETCH((const void *)a);
}

/* Frees what the level owns and zeroes it. */
void az_level_free(az_level *L);

/* Builds the input level of g. cursor: scratch of n_vertices int64s.
 * An undirected igraph edge is stored with from = max, to = min of its
 * endpoints; a vertex's incidences are its "out" edges (from == v) ordered by
 * (to, descending edge id) followed by its "in" edges (to == v) ordered by
 * (from, descending edge id), so loops appear twice. unit_ok: where g has no
 * weights, the level stores none either (w and w32 NULL: every weight is 1),
 * for a caller that reads them as such. */
int az_level_from_edges(const az_edge_graph *g, az_level *L, int64_t *cursor, int unit_ok);

#endif
