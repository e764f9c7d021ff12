/* libleidenalg's Graph: incidence lists in igraph's order, strengths, self
 * weights. See leidenalg_graph.h. */
#include "leidenalg_graph.h"

#include <stdlib.h>
#include <string.h>

#include "az_graph.h"

/* mirrors igraph_vector_int_pair_order() in igraph core/vector.c, as igraph
 * builds its index vectors oi / ii, for an undirected graph: edge e = (a[e],
 * b[e]) with a[e] >= b[e] is listed twice into g->all, side 0 with owner a[e]
 * and neighbour b[e] (at the owner's cursor dst0), side 1 with owner b[e] and
 * neighbour a[e] (cursor dst1). Each owner's sides come out ordered by
 * (neighbour ascending, edge id descending), like the two-pass radix sort
 * upstream. */
static int sort_half_edges(la_graph *g, const int32_t *a, const int32_t *b, int64_t *dst0,
                           int64_t *dst1) {
    const int32_t n = g->n;
    const int64_t m = g->m;
    int64_t *bucket_off = az_calloc((size_t)n + 1, sizeof(int64_t));
    int64_t *bucket = az_malloc((size_t)(2 * m), sizeof(int64_t));
    int64_t e, i;
    int32_t v;
    if (!bucket_off || !bucket) {
        free(bucket_off);
        free(bucket);
        return -1;
    }
    /* pass 1: bucket by neighbour, edge ids descending within a bucket */
    for (e = 0; e < m; e++) {
        bucket_off[a[e]]++;
        bucket_off[b[e]]++;
    }
    for (i = 0, v = 0; v < n; v++) {
        int64_t c = bucket_off[v];
        bucket_off[v] = i;
        i += c;
    }
    bucket_off[n] = i;
    for (e = m - 1; e >= 0; e--) {
        bucket[bucket_off[b[e]]++] = 2 * e;     /* side 0: neighbour b */
        bucket[bucket_off[a[e]]++] = 2 * e + 1; /* side 1: neighbour a */
    }
    /* pass 2: stable distribution to the owners, neighbours ascending */
    for (i = 0; i < 2 * m; i++) {
        int64_t h = bucket[i];
        e = h >> 1;
        if (h & 1) {
            la_inc *x = &g->all[dst1[b[e]]++];
            x->w = g->w[e];
            x->u = a[e];
            x->in = 0;
        } else {
            la_inc *x = &g->all[dst0[a[e]]++];
            x->w = g->w[e];
            x->u = b[e];
            x->in = 0;
        }
    }
    free(bucket_off);
    free(bucket);
    return 0;
}

static void free_edges(la_graph *g) {
    if (g->owned & LA_OWN_OFF) free((void *)g->off);
    if (g->owned & LA_OWN_TGT) free((void *)g->tgt);
    if (g->owned & LA_OWN_W) free((void *)g->w);
    g->off = NULL;
    g->src = NULL;
    g->tgt = NULL;
    g->w = NULL;
    g->w32 = NULL;
    g->owned = 0;
}

void la_graph_free_edge_list(la_graph *g) {
    if (g->all) free_edges(g); /* else its rows are its incidence lists */
}

void la_graph_free(la_graph *g) {
    free_edges(g);
    free(g->all_off);
    if (!g->all_borrowed) free(g->all);
    free(g->va);
    memset(g, 0, sizeof(*g));
}

/* build_directed_lists() when the pattern is symmetric without parallel
 * edges (a kNN graph as scanpy stores it, and the graphs collapsed from it):
 * OUT(v) and IN(v) then hold the same neighbours, one edge each, so the merge
 * alternates them. The transpose puts IN(v) in the odd slots of ALL(v)
 * (sources ascending); the even slots take each row in order if its targets
 * increase (level 0 from scanpy), else walking the odd slots by target
 * ascending yields each OUT list in order. cur: n + 1 counters. Returns 0, or
 * -1 when the pattern is not of that kind (the lists are then partly
 * written). */
static int interleave_symmetric_lists(la_graph *g, int64_t *cur) {
    const int32_t n = g->n;
    int64_t e, k;
    int32_t v, t;
    int rows_sorted = 1; /* every row's targets strictly increase */
    memset(cur, 0, (size_t)n * sizeof(int64_t));
    for (v = 0; v < n; v++) {
        for (e = g->off[v]; e < g->off[v + 1]; e++) {
            cur[g->tgt[e]]++;
            rows_sorted &= e == g->off[v] || g->tgt[e] > g->tgt[e - 1];
        }
    }
    for (v = 0; v < n; v++) {
        if (cur[v] != g->off[v + 1] - g->off[v]) return -1; /* in-degree != out-degree */
        g->all_off[v + 1] = 2 * g->off[v + 1];
        cur[v] = g->all_off[v] + 1;
    }
    for (v = 0; v < n; v++) {
        for (e = g->off[v]; e < g->off[v + 1]; e++) {
            la_inc *x = &g->all[cur[g->tgt[e]]];
            x->w = g->w[e];
            x->u = v;
            x->in = 1;
            cur[g->tgt[e]] += 2;
        }
    }
    if (rows_sorted) {
        /* no parallel edges, and row v is OUT(v) in order: sequential */
        for (v = 0; v < n; v++) {
            la_inc *x = &g->all[g->all_off[v]];
            for (e = g->off[v]; e < g->off[v + 1]; e++, x += 2) {
                if (x[1].u != g->tgt[e]) return -1; /* not the neighbour IN(v) lists there */
                x->w = g->w[e];
                x->u = g->tgt[e];
                x->in = 0;
            }
        }
        g->rows_out = 1;
        return 0;
    }
    for (v = 0; v < n; v++) cur[v] = g->all_off[v];
    for (t = 0; t < n; t++) {
        int32_t prev = -1;
        for (k = g->all_off[t] + 1; k < g->all_off[t + 1]; k += 2) {
            const int32_t s = g->all[k].u; /* the edge s -> t is next in OUT(s) */
            la_inc *x = &g->all[cur[s]];
            if (s == prev || x[1].u != t) return -1; /* parallel edges, or not symmetric */
            prev = s;
            x->w = g->all[k].w;
            x->u = t;
            x->in = 0;
            cur[s] += 2;
        }
    }
    return 0;
}

/* A directed graph's ALL lists: per vertex the OUT list (targets ascending,
 * edge ids descending) merged by neighbour with the IN list (sources
 * ascending, edge ids descending); equal neighbours take one OUT entry, then
 * one IN entry. mirrors igraph_vector_int_pair_order() (index vectors oi / ii)
 * and the IGRAPH_ALL branch of igraph_incident() / igraph_neighbors() in
 * igraph graph/type_indexededgelist.c. The IN lists come from one transpose;
 * walking them by target ascending yields each OUT list in order, merged on
 * the fly. */
static int build_directed_lists(la_graph *g) {
    const int32_t n = g->n;
    int64_t *cur = az_malloc((size_t)n + 1, sizeof(int64_t)); /* next IN entry to merge */
    int64_t *in_off, *pos;
    la_inc *in;
    int64_t e, k;
    int32_t v, t;
    if (!cur) return -1;
    if (interleave_symmetric_lists(g, cur) == 0) {
        free(cur);
        g->sym = 1;
        return 0;
    }
    in_off = az_calloc((size_t)n + 1, sizeof(int64_t));
    pos = az_malloc((size_t)n + 1, sizeof(int64_t)); /* next ALL slot */
    in = az_malloc((size_t)g->m, sizeof(la_inc));
    if (!in_off || !pos || !in) {
        free(in_off);
        free(cur);
        free(pos);
        free(in);
        return -1;
    }
    for (e = 0; e < g->m; e++) in_off[g->tgt[e] + 1]++;
    for (v = 0; v < n; v++) {
        in_off[v + 1] += in_off[v];
        g->all_off[v + 1] = g->off[v + 1] + in_off[v + 1];
    }
    memcpy(cur, in_off, ((size_t)n + 1) * sizeof(int64_t));
    for (v = 0; v < n; v++) {
        for (e = g->off[v + 1] - 1; e >= g->off[v]; e--) {
            la_inc *x = &in[cur[g->tgt[e]]++];
            x->w = g->w[e];
            x->u = v;
            x->in = 1;
        }
    }
    memcpy(cur, in_off, ((size_t)n + 1) * sizeof(int64_t));
    memcpy(pos, g->all_off, ((size_t)n + 1) * sizeof(int64_t));
    for (t = 0; t < n; t++) {
        for (k = in_off[t]; k < in_off[t + 1]; k++) {
            const int32_t s = in[k].u; /* the edge s -> t is next in OUT(s) */
            la_inc *x;
            while (cur[s] < in_off[s + 1] && in[cur[s]].u < t) g->all[pos[s]++] = in[cur[s]++];
            x = &g->all[pos[s]++];
            x->w = in[k].w;
            x->u = t;
            x->in = 0;
            if (cur[s] < in_off[s + 1] && in[cur[s]].u == t) g->all[pos[s]++] = in[cur[s]++];
        }
    }
    for (v = 0; v < n; v++) {
        while (cur[v] < in_off[v + 1]) g->all[pos[v]++] = in[cur[v]++];
    }
    free(in_off);
    free(cur);
    free(pos);
    free(in);
    return 0;
}

/* Whether the rows are those of a symmetric matrix: rows strictly
 * increasing, the entry (v, u) of every (u, v), of the same weight bit for
 * bit (scanpy's get_igraph_from_adjacency() makes each entry an edge). The
 * undirected graph then lists each neighbour twice in a row, identically (a
 * pair of parallel edges, or a self-loop seen from both ends), neighbours
 * ascending as igraph_incident() orders them: its rows, each entry repeated.
 * The directed one lists each neighbour's OUT entry, then its IN entry of
 * the same weight (interleave_symmetric_lists()). cur: n scratch counters. */
static int pair_rows(const la_graph *g, int64_t *cur) {
    const int32_t n = g->n;
    int64_t e;
    int32_t v;
    for (v = 0; v < n; v++) cur[v] = g->off[v];
    for (v = 0; v < n; v++) {
        for (e = g->off[v]; e < g->off[v + 1]; e++) {
            const int32_t u = g->tgt[e];
            /* rows are visited in order, so (u, v) is the next unmatched entry of row u */
            const int64_t t = cur[u];
            if ((e > g->off[v] && u <= g->tgt[e - 1]) || t >= g->off[u + 1] || g->tgt[t] != v ||
                memcmp(&g->w[t], &g->w[e], sizeof(double)) != 0) {
                return 0;
            }
            cur[u] = t + 1;
        }
    }
    return 1;
}

/* mirrors the Graph constructors and Graph::init_admin() / set_self_weights()
 * in libleidenalg src/GraphHelper.cpp, with igraph's lazy incidence lists
 * (IGRAPH_LOOPS_TWICE) materialised once, or read from the rows where
 * pair_rows() finds them a symmetric matrix's. */
int la_graph_init(la_graph *g, int32_t n, int directed, const int64_t *off, const int32_t *tgt,
                  const double *w, int owned, double *node_size, int correct_self_loops) {
    const int64_t m = off[n];
    int32_t *a = NULL, *b = NULL, v;
    int64_t *dst0 = NULL, *dst1 = NULL, e;
    int rc = -1;

    memset(g, 0, sizeof(*g));
    g->n = n;
    g->m = m;
    g->directed = directed;
    g->correct_self_loops = correct_self_loops;
    g->off = off;
    g->tgt = tgt;
    g->w = w;
    g->owned = owned;
    g->rep = 1;
    g->va = az_calloc((size_t)n + 1, sizeof(la_vattr));
    g->all_off = az_calloc((size_t)n + 1, sizeof(int64_t));
    dst0 = az_malloc((size_t)n + 1, sizeof(int64_t));
    dst1 = az_malloc((size_t)n + 1, sizeof(int64_t));
    if (!g->va || !g->all_off || !dst0 || !dst1) goto done;
    if (pair_rows(g, dst0)) {
        /* incidences read from the rows in place (see la_graph.rep) */
        for (v = 0; v <= n; v++) g->all_off[v] = directed ? 2 * off[v] : off[v];
        g->rep = directed ? 1 : 2;
        g->half = directed;
        g->sym = g->rows_out = directed;
    } else {
        g->all = az_malloc((size_t)(2 * m), sizeof(la_inc));
        if (!g->all) goto done;
    }
    g->loops_single = 1;
    for (v = 0; v < n; v++) {
        int loops = 0;
        g->va[v].size = node_size ? node_size[v] : 1.0;
        for (e = off[v]; e < off[v + 1]; e++) {
            if (tgt[e] != v) continue;
            g->va[v].self_w = w[e]; /* the last loop: see la_graph_init_incidence() */
            loops++;
        }
        if (loops > 1) g->loops_single = 0;
    }

    if (directed) {
        /* Graph::init_admin(): total weight and strengths in edge-id order */
        for (v = 0; v < n; v++) {
            for (e = off[v]; e < off[v + 1]; e++) {
                g->total_weight += w[e];
                g->va[tgt[e]].k_in += w[e];
                g->va[v].k_out += w[e];
            }
        }
        if (g->all && build_directed_lists(g) != 0) goto done;
    } else {
        /* igraph stores an undirected edge with from = max, to = min */
        for (v = 0; v < n; v++) {
            for (e = off[v]; e < off[v + 1]; e++) {
                g->total_weight += w[e];
                g->va[v >= tgt[e] ? tgt[e] : v].k_in += w[e];
                g->va[v >= tgt[e] ? v : tgt[e]].k_in += w[e];
            }
        }
        for (v = 0; v < n; v++) g->va[v].k_out = g->va[v].k_in;
        if (g->all) {
            a = az_malloc((size_t)m, sizeof(int32_t));
            b = az_malloc((size_t)m, sizeof(int32_t));
            if (!a || !b) goto done;
            for (v = 0; v < n; v++) {
                for (e = off[v]; e < off[v + 1]; e++) {
                    a[e] = v >= tgt[e] ? v : tgt[e];
                    b[e] = v >= tgt[e] ? tgt[e] : v;
                }
            }
            /* ALL = the edges with from == v, then those with to == v (a loop
             * is in both), each part sorted: igraph's "out" then "in" index
             * lists */
            memset(dst1, 0, ((size_t)n + 1) * sizeof(int64_t)); /* edges with from == v */
            for (e = 0; e < m; e++) {
                dst1[a[e]]++;
                g->all_off[a[e] + 1]++;
                g->all_off[b[e] + 1]++;
            }
            for (v = 0; v < n; v++) {
                g->all_off[v + 1] += g->all_off[v];
                dst0[v] = g->all_off[v];
                dst1[v] += g->all_off[v];
            }
            if (sort_half_edges(g, a, b, dst0, dst1) != 0) goto done;
        }
    }
    rc = 0;
done:
    free(node_size);
    free(a);
    free(b);
    free(dst0);
    free(dst1);
    if (rc != 0) la_graph_free(g);
    return rc;
}

/* la_graph_init() for an undirected igraph_t read as an edge list: from[e] >=
 * to[e] per edge (igraph's storage), the ALL lists given as edge ids in
 * igraph_incident()'s order (what sort_half_edges() computes from rows), so
 * they are only looked up here. Strengths, total weight and self weights are
 * summed in edge-id order, as la_graph_init() sums them from rows. */
int la_graph_init_incidence(la_graph *g, int32_t n, int64_t m, const int32_t *from,
                            const int32_t *to, const int32_t *incidence, const double *w,
                            int owned, const double *node_size, int correct_self_loops) {
    int64_t e, p;
    int32_t v;

    memset(g, 0, sizeof(*g));
    g->n = n;
    g->m = m;
    g->correct_self_loops = correct_self_loops;
    g->rep = 1;
    g->src = from;
    g->tgt = to;
    g->w = w;
    g->owned = owned;
    g->va = az_calloc((size_t)n + 1, sizeof(la_vattr));
    g->all_off = az_calloc((size_t)n + 1, sizeof(int64_t));
    g->all = az_malloc((size_t)(2 * m), sizeof(la_inc));
    if (!g->va || !g->all_off || !g->all) {
        la_graph_free(g);
        return -1;
    }
    g->loops_single = 1;
    for (v = 0; v < n; v++) g->va[v].size = node_size ? node_size[v] : 1.0;
    for (e = 0; e < m; e++) {
        const int32_t a = from[e], b = to[e];
        g->total_weight += w[e];
        g->va[b].k_in += w[e];
        g->va[a].k_in += w[e];
        g->all_off[a + 1]++;
        g->all_off[b + 1]++;
        if (a != b) continue;
        /* set_self_weights() takes the loop igraph_get_eid(v, v) finds: the
         * leftmost in igraph's oi/ii index, whose radix sort
         * (igraph_vector_int_pair_order) puts parallel edges in descending id
         * order, so among several loops the one with the largest id */
        g->va[a].self_w = w[e];
        g->va[a].k_out += 1.0; /* counts v's loops until k_out is set below */
    }
    for (v = 0; v < n; v++) {
        if (g->va[v].k_out > 1.0) g->loops_single = 0;
        g->va[v].k_out = g->va[v].k_in;
        g->all_off[v + 1] += g->all_off[v];
    }
    for (v = 0, p = 0; v < n; v++) {
        for (; p < g->all_off[v + 1]; p++) {
            la_inc *x = &g->all[p];
            const int32_t id = incidence[p];
            x->w = w[id];
            x->u = az_incident_neighbour(from, to, id, v);
            x->in = 0;
        }
    }
    return 0;
}

/* interleave_symmetric_lists() for edges known to form a symmetric pattern
 * without parallel edges (a graph collapsed from one): ALL(c) has two slots
 * per out-edge. Transposing the rows fills the odd slots (IN lists, sources
 * ascending); each row's OUT entries then go to the even slot before the IN
 * entry of the same neighbour, which orders them by target without a sort.
 * The edges are only read, so the caller may reuse them. */
int la_graph_init_symmetric(la_graph *g, const int64_t *off, const int32_t *tgt, const double *w,
                            la_inc *all, int32_t *pos) {
    const int32_t n = g->n;
    int64_t e, k;
    int32_t c;
    g->m = off[n];
    g->directed = 1;
    g->rep = 1;
    g->sym = 1;
    g->loops_single = 1;
    g->off = NULL;
    g->tgt = NULL;
    g->w = NULL;
    g->owned = 0;
    g->all = all;
    g->all_borrowed = 1;
    g->all_off = az_malloc((size_t)n + 1, sizeof(int64_t));
    if (!g->all_off) return -1;
    for (c = 0; c <= n; c++) g->all_off[c] = 2 * off[c];
    /* pos[d]: the next odd slot of ALL(d), relative to its start */
    for (c = 0; c < n; c++) pos[c] = 1;
    for (c = 0; c < n; c++) {
        for (e = off[c]; e < off[c + 1]; e++) {
            const int32_t d = tgt[e];
            la_inc *x;
            if (e + 8 < off[n]) AZ_PREFETCH(&g->all_off[tgt[e + 8]]);
            x = &all[g->all_off[d] + pos[d]];
            pos[d] += 2;
            x->w = w[e];
            x->u = c;
            x->in = 1;
        }
    }
    /* pos[d]: the even slot of neighbour d within ALL(c) */
    for (c = 0; c < n; c++) {
        la_inc *row = all + g->all_off[c];
        const int64_t deg = g->all_off[c + 1] - g->all_off[c];
        for (k = 1; k < deg; k += 2) pos[row[k].u] = (int32_t)(k - 1);
        for (e = off[c]; e < off[c + 1]; e++) {
            la_inc *x = &row[pos[tgt[e]]];
            x->w = w[e];
            x->u = tgt[e];
            x->in = 0;
        }
    }
    return 0;
}
