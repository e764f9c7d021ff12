/* libleidenalg's Graph (src/GraphHelper.cpp) over one contiguous store.
 *
 * Edges are kept as a CSR in igraph edge-id order (edge e of row v runs
 * v -> tgt[e]; for an undirected graph igraph stores it as from = max, to = min
 * of the endpoints). Each vertex's incidences are stored as (weight, neighbour)
 * in exactly the order igraph's incident/neighbors functions list them, so the
 * floating-point sums run in upstream's order; where the rows are a symmetric
 * matrix's, the rows themselves are read that way (la_graph.rep / half). */
#ifndef AZ_LEIDENALG_GRAPH_H
#define AZ_LEIDENALG_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "az_alloc.h"
#include "az_runtime.h"

typedef struct {
    double w;
    int32_t u;
    int32_t in; /* directed ALL lists: the entry comes from the IN list */
} la_inc;

/* Per-vertex attributes, together so a visit touches one cache line. */
typedef struct {
    double k_out, k_in; /* strength(v, OUT) and strength(v, IN); equal if undirected */
    double self_w;      /* weight of v's self-loop, 0 without one */
    double size;        /* node size */
} la_vattr;

typedef struct {
    int32_t n;
    int64_t m;
    int directed;
    /* edges in edge-id order: row v holds edges off[v] .. off[v + 1] - 1
     * (NULL after la_graph_free_edge_list()) */
    const int64_t *off;
    const int32_t *src; /* instead of off: the edges' from ends (an igraph_t's edge list) */
    const int32_t *tgt;
    const double *w;
    const float *w32; /* a rep-2 graph's float32 weights, read instead of w (NULL: w) */
    int owned; /* LA_OWN_* bits: which of off / tgt / w the graph frees */
    int all_borrowed; /* `all` belongs to the caller (a buffer reused across levels) */
    /* directed, pattern symmetric, no parallel edges: ALL(v) alternates OUT
     * and IN entries of the same neighbours (see interleave_symmetric_lists()) */
    int sym;
    int loops_single; /* no vertex has two self-loops */
    int rows_out; /* while off is kept: row v of off / tgt / w is OUT(v) in igraph's order */
    /* mode ALL with loops twice (undirected: the only mode). For a directed
     * graph it merges the OUT and IN lists (flag `in`), keeping the order
     * within each, so both are read from it too. */
    int64_t *all_off;
    la_inc *all;
    /* A graph of a symmetric matrix's rows (see pair_rows()) reads its
     * incidences from them in place (all NULL): undirected (both edges of
     * every pair, as scanpy builds it), each stored incidence, row entry p,
     * stands for rep = 2 identical ones in a row: loops over incidences repeat
     * their step rep times, upstream's sequence of operations; inc_comm
     * (la_part_cache_node()) has one entry per stored incidence. Directed
     * (`sym`), incidence p is row entry p / 2, its OUT entry for p even, IN
     * for p odd, of the same weight (half = 1). Else rep = 1, half = 0.
     * Read incidences through la_inc_u() / la_inc_w() / la_inc_in(). */
    int32_t rep, half;
    la_vattr *va;
    double total_weight;
    int correct_self_loops; /* possible edges count self-loops (CPM on a graph with loops) */
} la_graph;

enum { LA_OWN_OFF = 1, LA_OWN_TGT = 2, LA_OWN_W = 4 };

/* The weight of edge e while the edge list is kept (w32 or, neither set,
 * every weight 1: a rep-2 graph's). */
static inline double la_edge_weight(const la_graph *g, int64_t e) {
    return g->w ? g->w[e] : g->w32 ? (double)g->w32[e] : 1.0;
}

/* Stored incidence p (all_off[v] <= p < all_off[v + 1] for v's): its
 * neighbour, weight and whether it comes from the IN list. */
static inline int32_t la_inc_u(const la_graph *g, int64_t p) {
    return g->all ? g->all[p].u : g->tgt[p >> g->half];
}
static inline double la_inc_w(const la_graph *g, int64_t p) {
    return g->all ? g->all[p].w : la_edge_weight(g, p >> g->half);
}
static inline int32_t la_inc_in(const la_graph *g, int64_t p) {
    return g->all ? g->all[p].in : (int32_t)(p & g->half);
}

/* Starts loading v's whole ALL list, line by line (a visit of v follows
 * soon): a list spans several cache lines, and the hardware prefetcher only
 * follows a stream after its first misses. */
static inline void la_prefetch_range(const void *begin, const void *end) {
    uintptr_t a = (uintptr_t)begin & ~(uintptr_t)63;
    for (; a < (uintptr_t)end; a += 64) AZ_PREFETCH((const void *)a);
}
static inline void la_prefetch_incidences(const la_graph *g, int32_t v) {
    int64_t b = g->all_off[v], e = g->all_off[v + 1];
    if (g->all) {
        la_prefetch_range(g->all + b, g->all + e);
        return;
    }
    b >>= g->half;
    e >>= g->half;
    la_prefetch_range(g->tgt + b, g->tgt + e);
    if (g->w32) la_prefetch_range(g->w32 + b, g->w32 + e);
    if (g->w) la_prefetch_range(g->w + b, g->w + e);
}

/* Builds the rest from off (n + 1), tgt (m) and w (m); takes ownership of
 * those named in `owned` (from malloc), the others are borrowed and must
 * outlive the graph. node_size may be NULL (every size 1), else it is freed.
 * Returns 0, or -1 when out of memory (everything owned is freed then). */
int la_graph_init(la_graph *g, int32_t n, int directed, const int64_t *off, const int32_t *tgt,
                  const double *w, int owned, double *node_size, int correct_self_loops);

/* The same graph from an undirected igraph_t's edges (from[e] >= to[e]) and
 * its incidence order (2 m edge ids, vertex after vertex: az_edge_graph's
 * incidence). Only w (m) is kept (owned per `owned`); node_size (n, read
 * here) may be NULL: every size 1. Returns 0, or -1 when out of memory. */
int la_graph_init_incidence(la_graph *g, int32_t n, int64_t m, const int32_t *from,
                            const int32_t *to, const int32_t *incidence, const double *w,
                            int owned, const double *node_size, int correct_self_loops);

void la_graph_free(la_graph *g);

/* A graph of the `sym` kind from its out-edges: row c of off / tgt / w holds
 * c's edges (one per neighbour, in any order), the IN lists take the rows in
 * order c = 0, 1, ..., so the IN lists are ordered as igraph orders them
 * when edge ids follow the rows. g->n, g->va (strengths, self weights and
 * sizes filled in), g->total_weight and g->correct_self_loops are set by the
 * caller; `all` (2 off[n] entries) is borrowed, pos is scratch for n ints.
 * Nothing keeps the edges. Returns 0, or -1 when out of memory. */
int la_graph_init_symmetric(la_graph *g, const int64_t *off, const int32_t *tgt, const double *w,
                            la_inc *all, int32_t *pos);

/* Frees the edge list (off, tgt, w) if owned, keeping the incidence lists and
 * vertex attributes: for a graph whose partitions' bookkeeping is built (not
 * one that reads its incidences from its rows). */
void la_graph_free_edge_list(la_graph *g);

#endif
