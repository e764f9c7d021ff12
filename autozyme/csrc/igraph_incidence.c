/* The input level of igraph's ports (see igraph_incidence.h). */
#include "igraph_incidence.h"

#include "az_alloc.h"
#include "az_runtime.h"

#include <stdlib.h>
#include <string.h>

void az_level_free(az_level *L) {
    free(L->own_off);
    free(L->own_nbr);
    free(L->own_w);
    free(L->vw);
    memset(L, 0, sizeof(*L));
}

/* Gives the level its own incidence arrays for n vertices and m incidences
 * (mult 1; no weights if unit). */
static int level_alloc(az_level *L, int32_t n, int64_t m, int unit) {
    L->n = n;
    L->mult = 1;
    L->own_off = az_malloc((size_t)n + 1, sizeof(int64_t));
    L->own_nbr = az_malloc((size_t)m, sizeof(int32_t));
    L->own_w = unit ? NULL : az_malloc((size_t)m, sizeof(double));
    L->off = L->own_off;
    L->nbr = L->own_nbr;
    L->w = L->own_w;
    return L->own_off && L->own_nbr && (unit || L->own_w) ? AZ_OK : AZ_ENOMEM;
}

static int64_t gcd64(int64_t a, int64_t b) {
    while (b != 0) {
        const int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int same_incidence(const az_level *L, int64_t i, int64_t j) {
    return L->nbr[i] == L->nbr[j] &&
           (!L->w || memcmp(&L->w[i], &L->w[j], sizeof(double)) == 0);
}

/* Stores each incidence once with multiplicity mult, the greatest common divisor
 * of the lengths of all runs of bit-identical consecutive incidences, in place. */
static void compress_runs(az_level *L) {
    int64_t v, i, run = 0, mult = 0, out = 0;
    for (v = 0; v < L->n; v++) {
        for (i = L->off[v]; i < L->off[v + 1]; i++) {
            if (i > L->off[v] && same_incidence(L, i - 1, i)) {
                run++;
            } else {
                mult = gcd64(mult, run);
                run = 1;
            }
        }
    }
    mult = gcd64(mult, run);
    if (mult <= 1) return;
    for (v = 0; v < L->n; v++) {
        const int64_t begin = L->off[v], end = L->off[v + 1];
        L->own_off[v] = out;
        for (i = begin; i < end; i += mult) {
            L->own_nbr[out] = L->nbr[i];
            if (L->own_w) L->own_w[out] = L->w[i];
            out++;
        }
    }
    L->own_off[L->n] = out;
    L->mult = (int32_t)mult;
}

/* Whether the CSR matrix is symmetric (pattern and weight bits) with strictly
 * ascending columns in every row. Then, by the order level_from_edges() builds,
 * vertex v's incidences are row v with every entry twice: for a neighbour u < v
 * the edges (v, u) then (u, v), for u > v (u, v) then (v, u), and a loop (v, v)
 * once as "out", once as "in" edge.
 *
 * Rows are taken in ascending order; row v's entries above the diagonal, (v, u)
 * with u > v, must then be row u's entries below it in their stored order, so
 * each is checked against row u's next unmatched entry (cursor cur[u], in the
 * caller's n-sized scratch) without building the transpose. A graph without
 * weights is checked for its pattern only, where the caller reads no weights
 * (unit_ok). */
static int is_symmetric_sorted(const az_edge_graph *g, int64_t *cur, int unit_ok) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    const int32_t *idx = g->indices32;
    const size_t ws = g->weights32 ? sizeof(float) : sizeof(double);
    const char *wt = g->weights32 ? (const char *)g->weights32 : (const char *)g->weights;
    int64_t v, e;
    if (!g->indptr || !idx || (!wt && !unit_ok)) return 0;
    for (v = 0; v < n; v++) {
        const int64_t begin = g->indptr[v], end = g->indptr[v + 1];
        for (e = begin + 1; e < end; e++) {
            if (idx[e] <= idx[e - 1]) return 0;
        }
        cur[v] = begin;
    }
    for (v = 0; v < n; v++) {
        const int64_t end = g->indptr[v + 1];
        e = cur[v];
        /* rows above v have matched its entries below the diagonal, all of them */
        if (e < end && idx[e] < v) return 0;
        if (e < end && idx[e] == v) e++; /* the loop */
        for (; e < end; e++) {
            const int32_t u = idx[e];
            const int64_t c = cur[u];
            /* the coming rows' cursors, then what they point at, a stage ahead
             * each (a cursor may still move before its entry is checked; the
             * prefetch is then merely early) */
            if (e + 16 < m) AZ_PREFETCH(&cur[idx[e + 16]]);
            if (e + 8 < m) {
                const int64_t ahead = cur[idx[e + 8]];
                AZ_PREFETCH(&idx[ahead]);
                if (wt) AZ_PREFETCH(wt + ahead * ws);
            }
            /* memcmp of a constant size: inlined, not a library call */
            if (c >= g->indptr[u + 1] || idx[c] != v ||
                (wt && (ws == sizeof(float)
                            ? memcmp(wt + c * ws, wt + e * ws, sizeof(float))
                            : memcmp(wt + c * ws, wt + e * ws, sizeof(double))) != 0)) {
                return 0;
            }
            cur[u] = c + 1;
        }
    }
    return 1;
}

/* One half of a vertex's incidence list, for level_from_edges(): edges counting-
 * sorted by their other endpoint, descending edge id within it, then appended to the
 * bucket of the endpoint listing them. out_part lists each edge at its "from" (larger)
 * endpoint from the start of that list; otherwise at its "to" (smaller) endpoint,
 * after that vertex's out part (deg_out). */
static void append_incidence_part(const az_edge_graph *g, const int32_t *row, int64_t *perm,
                                  int64_t *pos, const int64_t *off, const int64_t *deg_out,
                                  int32_t *nbr, double *wt, int out_part) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    int64_t e, v;
    memset(pos, 0, ((size_t)n + 1) * sizeof(int64_t));
    for (e = 0; e < m; e++) {
        int64_t c = az_edge_target(g, e);
        int64_t lo = row[e] > c ? c : row[e], hi = row[e] > c ? row[e] : c;
        pos[(out_part ? lo : hi) + 1]++;
    }
    for (v = 0; v < n; v++) pos[v + 1] += pos[v];
    for (e = m - 1; e >= 0; e--) {
        int64_t c = az_edge_target(g, e);
        int64_t lo = row[e] > c ? c : row[e], hi = row[e] > c ? row[e] : c;
        perm[pos[out_part ? lo : hi]++] = e;
    }
    for (v = 0; v < n; v++) pos[v] = off[v] + (out_part ? 0 : deg_out[v]);
    for (int64_t i = 0; i < m; i++) {
        int64_t c, lo, hi, at;
        e = perm[i];
        c = az_edge_target(g, e);
        lo = row[e] > c ? c : row[e];
        hi = row[e] > c ? row[e] : c;
        at = pos[out_part ? hi : lo]++;
        if (wt) wt[at] = az_edge_weight(g, e);
        nbr[at] = (int32_t)(out_part ? lo : hi);
    }
}

/* The input level from igraph's own incidence order (az_edge_graph.incidence,
 * read from the igraph_t): one pass, an incidence's neighbour being the edge's
 * other end (the vertex itself for a loop, listed twice).
 * mirrors igraph_inclist_init() (mode ALL, loops twice) in graph/adjlist.c */
static void level_from_incidence(const az_edge_graph *g, az_level *L) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    int64_t *off = L->own_off;
    int64_t v, e, p;
    memset(off, 0, ((size_t)n + 1) * sizeof(int64_t));
    for (e = 0; e < m; e++) {
        off[g->sources[e] + 1]++;
        off[g->indices32[e] + 1]++;
    }
    for (v = 0; v < n; v++) off[v + 1] += off[v];
    for (v = 0, p = 0; v < n; v++) {
        for (; p < off[v + 1]; p++) {
            const int32_t id = g->incidence[p];
            if (p + 16 < 2 * m) AZ_PREFETCH(&g->sources[g->incidence[p + 16]]);
            L->own_nbr[p] = az_incident_neighbour(g->sources, g->indices32, id, v);
            if (L->own_w) L->own_w[p] = az_edge_weight(g, id);
        }
    }
    compress_runs(L);
}

/* Builds the input level. An undirected igraph edge is stored with from = max,
 * to = min of its endpoints; a vertex's incidences are its "out" edges (from == v)
 * ordered by (to, descending edge id) followed by its "in" edges (to == v)
 * ordered by (from, descending edge id), so loops appear twice. A symmetric
 * matrix with sorted rows is that list already (see is_symmetric_sorted()).
 * mirrors igraph_add_edges() + igraph_vector_int_pair_order() in
 * graph/type_indexededgelist.c, core/vector.c and igraph_incident() */
int az_level_from_edges(const az_edge_graph *g, az_level *L, int64_t *cursor, int unit_ok) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    int64_t *deg_out = NULL, *pos = NULL, *perm = NULL, *off;
    int32_t *row = NULL, *nbr;
    double *wt;
    int64_t v, e;
    int rc = AZ_ENOMEM;

    memset(L, 0, sizeof(*L));
    if (is_symmetric_sorted(g, cursor, unit_ok)) {
        L->n = (int32_t)n;
        L->mult = 2;
        L->off = g->indptr;
        L->nbr = g->indices32;
        L->w = g->weights;
        L->w32 = g->weights32;
        return AZ_OK;
    }

    if (level_alloc(L, (int32_t)n, 2 * m, unit_ok && !g->weights && !g->weights32) != AZ_OK) {
        goto done;
    }
    if (g->incidence) {
        level_from_incidence(g, L);
        return AZ_OK;
    }
    off = L->own_off;
    nbr = L->own_nbr;
    wt = L->own_w;
    deg_out = calloc((size_t)n + 1, sizeof(int64_t));
    pos = az_malloc((size_t)n + 1, sizeof(int64_t));
    perm = az_malloc((size_t)m, sizeof(int64_t));
    row = az_malloc((size_t)m, sizeof(int32_t));
    if (!deg_out || !pos || !perm || !row) goto done;

    /* degrees: out counts edges with from == v, the rest are "in" */
    memset(off, 0, ((size_t)n + 1) * sizeof(int64_t));
    for (e = 0, v = 0; e < m; e++) {
        const int64_t s = az_edge_source(g, e, &v), c = az_edge_target(g, e);
        row[e] = (int32_t)s;
        deg_out[s > c ? s : c]++;
        off[(s > c ? c : s) + 1]++;
    }
    for (v = 0; v < n; v++) off[v + 1] += off[v] + deg_out[v];

    /* out parts: visit edges by (to, descending id), append to bucket "from";
     * in parts: visit edges by (from, descending id), append to bucket "to" */
    append_incidence_part(g, row, perm, pos, off, NULL, nbr, wt, 1);
    append_incidence_part(g, row, perm, pos, off, deg_out, nbr, wt, 0);
    compress_runs(L);
    rc = AZ_OK;

done:
    if (rc != AZ_OK) az_level_free(L);
    free(deg_out);
    free(pos);
    free(perm);
    free(row);
    return rc;
}

