/* The louvain package's Optimiser (louvain-igraph 0.8 src/louvain/Optimiser.cpp
 * and GraphHelper.cpp). What sets it apart from libleidenalg's
 * (leidenalg_optimiser.c): nodes are moved in full sweeps over one shuffled
 * order until a sweep moves none, candidate communities are tried in ascending
 * label order (a std::set), a move needs a gain above 1e-10 (the empty
 * community only a positive one), there is no refinement, the aggregate graph
 * lists its edges by (community of the edge's from end, community of its to
 * end) as a std::map orders them (undirected: the smaller end is the from
 * end), and the strengths come from igraph_strength() (summed in igraph's
 * incidence order). See louvain_optimiser.h. */
#include "louvain_optimiser.h"

#include <stdlib.h>
#include <string.h>

#include "igraph_rng.h"
#include "leidenalg_graph.h"
#include "leidenalg_partition.h"

/* the threshold of Optimiser::move_nodes() */
#define LV_EPS 1e-10
/* candidate communities remembered per node (more: the node is read again each visit) */
#define LV_CAP 8

/* A node's weights to one candidate community, as its last reading found them. */
typedef struct {
    double to, from; /* weight_to_comm(), weight_from_comm() */
    int32_t comm;
} lv_cand;

typedef struct {
    az_rng rng;
    az_interrupt *intr;
    la_scratch s;
    la_diff d;
    int32_t *inc_comm; /* community of each incidence of the current node */
    int32_t *order;    /* the shuffled visiting order */
    int32_t *comms;    /* candidate communities of the current node */
    /* what each node's last reading of its incidences found (its candidates in label
     * order, then its own community's weights at [LV_CAP]); valid while none of its
     * neighbours (nor itself) moved since: ncand < 0 when not */
    lv_cand *cand;
    int8_t *ncand;
    lv_cand cand_own; /* the own community's weights of a node with too many candidates */
    /* collapse_graph(): edges grouped by the community of their from end */
    int64_t *boff;
    int32_t *bcomm; /* the community of the edge's to end */
    int32_t *beid;  /* the edge */
    int32_t *seen;  /* target communities of the current row, first seen first */
    double *acc;    /* their summed weights */
    uint8_t *added;
} lv_work;

/* mirrors igraph_strength(graph, res, all, mode, loops=true, weights) of
 * igraph's C core 0.10 (properties/degrees.c), which Graph::init_admin()
 * calls for modes IN and OUT: each vertex's incident weights in
 * igraph_incident() order, the order g->all keeps (undirected self-loops
 * twice). */
static void incident_strengths(la_graph *g) {
    int32_t v;
    for (v = 0; v < g->n; v++) {
        const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
        double k[2] = {0.0, 0.0};
        int64_t i;
        for (i = 0; i < deg; i++) {
            const double w = la_inc_w(g, b + i);
            const int in = g->directed && la_inc_in(g, b + i);
            int32_t r;
            for (r = 0; r < g->rep; r++) k[in] += w;
        }
        g->va[v].k_out = k[0];
        g->va[v].k_in = g->directed ? k[1] : k[0];
    }
}

static int cmp_int32(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* ascending; candidate lists are short */
static void sort_labels(int32_t *x, int32_t n) {
    int32_t i, j;
    if (n > 24) {
        qsort(x, (size_t)n, sizeof(int32_t), cmp_int32);
        return;
    }
    for (i = 1; i < n; i++) {
        const int32_t t = x[i];
        for (j = i; j > 0 && x[j - 1] > t; j--) x[j] = x[j - 1];
        x[j] = t;
    }
}

/* Reads v's incidences (cache_neigh_communities() of modes ALL, OUT and IN): its
 * candidates, i.e. its neighbours' communities, into W->comms in label order (their
 * count in *nc), and its weights to them and to its own community. Where they fit they
 * are kept for v's next visits and returned; else NULL (the weights are then in W->s,
 * the own community's in W->cand_own). */
static const lv_cand *read_candidates(lv_work *W, const la_part *P, int32_t v, int32_t *nc) {
    const la_graph *g = P->g;
    lv_cand *c = W->cand + (size_t)v * (LV_CAP + 1);
    int32_t j, n;
    la_part_cache_node(P, &W->s, v, W->inc_comm);
    n = W->s.n_order;
    memcpy(W->comms, W->s.order, (size_t)n * sizeof(int32_t));
    sort_labels(W->comms, n);
    *nc = n;
    if (n > LV_CAP) {
        W->ncand[v] = -1;
        la_cw_get(&W->s, g->directed, P->memb[v], &W->cand_own.to, &W->cand_own.from);
        return NULL;
    }
    W->ncand[v] = (int8_t)n;
    for (j = 0; j < n; j++) {
        c[j].comm = W->comms[j];
        la_cw_get(&W->s, g->directed, c[j].comm, &c[j].to, &c[j].from);
    }
    la_cw_get(&W->s, g->directed, P->memb[v], &c[LV_CAP].to, &c[LV_CAP].from);
    return c;
}

/* mirrors Optimiser::move_nodes(partitions, layer_weights, ALL_NEIGH_COMMS,
 * consider_empty_community) for one layer: shuffle the nodes once, then sweep
 * them in that order while the last sweep moved one; each node goes to the
 * neighbouring community of the largest diff_move() above LV_EPS (the first in
 * label order among equals), or to an empty community if that gains more and
 * the node is not alone. Ends with renumber_communities().
 *
 * A node none of whose neighbours moved since its last visit (nor itself) has the
 * same candidates and the same weights to them: those are reused (the same values,
 * so the same diff_move() results); the community totals are always current. */
static int move_nodes(lv_work *W, la_part *P, double *improv) {
    const la_graph *g = P->g;
    const int32_t n = g->n;
    int64_t nb_moves = 1;
    double total = 0.0;
    int32_t v, i;
    for (v = 0; v < n; v++) {
        W->order[v] = v;
        W->ncand[v] = -1;
    }
    az_rng_shuffle(&W->rng, W->order, n);
    while (nb_moves > 0) {
        double sweep = 0.0;
        nb_moves = 0;
        for (i = 0; i < n; i++) {
            const lv_cand *cand;
            int32_t v_comm, max_comm, nc, j;
            int read = 0;
            double max_improv;
            v = W->order[i];
            /* the next visits' offsets and lists: each load needs the one before */
            if (i + 4 < n) AZ_PREFETCH(&g->all_off[W->order[i + 4]]);
            if (i + 1 < n) {
                const int32_t ahead = W->order[i + 1];
                if (W->ncand[ahead] < 0) la_prefetch_incidences(g, ahead);
                AZ_PREFETCH(&g->va[ahead]);
                AZ_PREFETCH(&W->cand[(size_t)ahead * (LV_CAP + 1)]);
            }
            if (az_interrupt_tick(W->intr)) return AZ_EINTR;

            v_comm = P->memb[v];
            nc = W->ncand[v];
            cand = W->cand + (size_t)v * (LV_CAP + 1);
            if (nc < 0) {
                cand = read_candidates(W, P, v, &nc);
                read = 1;
            }
            if (cand) {
                la_diff_init(&W->d, P, v, cand[LV_CAP].to, cand[LV_CAP].from);
            } else {
                la_diff_init(&W->d, P, v, W->cand_own.to, W->cand_own.from);
            }

            max_comm = v_comm;
            max_improv = 0.0;
            for (j = 0; j < nc; j++) {
                double possible_improv, w_to, w_from;
                int32_t comm;
                if (cand) {
                    comm = cand[j].comm;
                    w_to = cand[j].to;
                    w_from = cand[j].from;
                } else {
                    comm = W->comms[j];
                    la_cw_get(&W->s, g->directed, comm, &w_to, &w_from);
                }
                possible_improv = la_diff_move(&W->d, P, comm, w_to, w_from);
                if (possible_improv > max_improv && possible_improv > LV_EPS) {
                    max_comm = comm;
                    max_improv = possible_improv;
                }
            }
            /* a node alone in its community never moves to an empty one; no
             * incidence of v leads into an empty community: weights 0 */
            if (P->cnodes[v_comm] > 1) {
                const int32_t comm = la_part_get_empty_community(P);
                const double possible_improv = la_diff_move(&W->d, P, comm, 0.0, 0.0);
                if (possible_improv > max_improv) {
                    max_improv = possible_improv;
                    max_comm = comm;
                }
            }
            if (max_comm != v_comm) {
                const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
                int64_t k;
                sweep += max_improv;
                if (!read) la_part_cache_node(P, &W->s, v, W->inc_comm);
                la_part_move_node(P, v, max_comm, W->inc_comm);
                nb_moves++;
                /* the neighbours' readings (and v's own) are stale now */
                W->ncand[v] = -1;
                for (k = 0; k < deg; k += 1 + g->sym) W->ncand[la_inc_u(g, b + k)] = -1;
            }
        }
        total += sweep;
    }
    la_part_renumber(P, &W->s);
    *improv = total;
    return AZ_OK;
}

/* igraph_edge() in igraph graph/type_common.c: edge e's ends; a directed
 * edge's from and to, an undirected edge's smaller end first (igraph stores
 * it as from = larger, to = smaller, and reports it the other way round) */
static void edge_ends(const la_graph *g, int32_t row, int64_t e, int32_t *from, int32_t *to) {
    const int32_t t = g->tgt[e];
    const int32_t a = g->src ? g->src[e] : row;
    if (g->directed || a <= t) {
        *from = a;
        *to = t;
    } else {
        *from = t;
        *to = a;
    }
}

/* mirrors Graph::collapse_graph(partition) in louvain GraphHelper.cpp: one
 * node per community (label order), one edge per (community of from, community
 * of to) pair that some edge joins (ends as igraph_edge() reports them), in that
 * order, weighing what those edges
 * weigh summed in edge-id order; node sizes are the community sizes. An
 * undirected pair can thus give two parallel edges, (a, b) and (b, a). */
static int collapse_graph(lv_work *W, const la_part *p, la_graph *out) {
    const la_graph *g = p->g;
    const int32_t k = p->n_comms;
    const int64_t m = g->m;
    int64_t *off = az_malloc((size_t)k + 1, sizeof(int64_t));
    int32_t *tgt = az_malloc((size_t)m, sizeof(int32_t)); /* never more edges than before */
    double *w = az_malloc((size_t)m, sizeof(double));
    double *sizes = az_malloc((size_t)k, sizeof(double));
    int64_t e, cnt = 0, i;
    int32_t v, a, from, to;
    if (!off || !tgt || !w || !sizes) {
        free(off);
        free(tgt);
        free(w);
        free(sizes);
        return AZ_ENOMEM;
    }
    /* the edges by the community of their from end, edge ids ascending */
    memset(W->boff, 0, ((size_t)k + 1) * sizeof(int64_t));
    for (v = 0, e = 0; e < m; e++) {
        if (!g->src) {
            while (e >= g->off[v + 1]) v++;
        }
        edge_ends(g, v, e, &from, &to);
        W->boff[p->memb[from] + 1]++;
    }
    for (a = 0; a < k; a++) W->boff[a + 1] += W->boff[a];
    for (v = 0, e = 0; e < m; e++) {
        int64_t slot;
        if (!g->src) {
            while (e >= g->off[v + 1]) v++;
        }
        edge_ends(g, v, e, &from, &to);
        slot = W->boff[p->memb[from]]++;
        W->bcomm[slot] = p->memb[to];
        W->beid[slot] = (int32_t)e;
    }
    for (a = k; a > 0; a--) W->boff[a] = W->boff[a - 1];
    W->boff[0] = 0;

    for (a = 0; a < k; a++) {
        int32_t nn = 0, j;
        off[a] = cnt;
        for (i = W->boff[a]; i < W->boff[a + 1]; i++) {
            const int32_t b = W->bcomm[i];
            const double we = la_edge_weight(g, W->beid[i]);
            if (i + 8 < W->boff[a + 1] && g->w) AZ_PREFETCH(&g->w[W->beid[i + 8]]);
            if (!W->added[b]) {
                /* map[b] = w on first sight (keeps a -0.0), += after */
                W->added[b] = 1;
                W->seen[nn++] = b;
                W->acc[b] = we;
            } else {
                W->acc[b] += we;
            }
        }
        sort_labels(W->seen, nn);
        for (j = 0; j < nn; j++) {
            const int32_t b = W->seen[j];
            tgt[cnt] = b;
            w[cnt] = W->acc[b];
            cnt++;
            W->added[b] = 0;
        }
    }
    off[k] = cnt;
    for (a = 0; a < k; a++) sizes[a] = p->csize[a];
    if (la_graph_init(out, k, g->directed, off, tgt, w, LA_OWN_OFF | LA_OWN_TGT | LA_OWN_W, sizes,
                      g->correct_self_loops) != 0) {
        return AZ_ENOMEM;
    }
    incident_strengths(out);
    return AZ_OK;
}

static void work_free(lv_work *W) {
    la_scratch_free(&W->s);
    free(W->inc_comm);
    free(W->order);
    free(W->comms);
    free(W->cand);
    free(W->ncand);
    free(W->boff);
    free(W->bcomm);
    free(W->beid);
    free(W->seen);
    free(W->acc);
    free(W->added);
}

static int work_init(lv_work *W, const la_graph *g0, const az_mt19937 *mt, az_interrupt *intr) {
    const int32_t n = g0->n;
    const size_t cap = (size_t)n + 1;
    /* a collapsed node's incidences: at most two per community pair plus a
     * self-loop listed twice */
    int64_t max_degree = 2 * (int64_t)n + 2;
    int32_t v;
    memset(W, 0, sizeof(*W));
    W->rng.mt = *mt;
    W->rng.source = AZ_RNG_WHOLE_WORDS; /* igraph_rng_mt19937_get(): whole words */
    W->intr = intr;
    for (v = 0; v < n; v++) {
        const int64_t deg = g0->all_off[v + 1] - g0->all_off[v];
        if (deg > max_degree) max_degree = deg;
    }
    W->inc_comm = az_malloc((size_t)max_degree, sizeof(int32_t));
    W->order = az_malloc(cap, sizeof(int32_t));
    W->comms = az_malloc(cap, sizeof(int32_t));
    W->cand = az_malloc(cap * (LV_CAP + 1), sizeof(lv_cand));
    W->ncand = az_malloc(cap, sizeof(int8_t));
    W->boff = az_malloc(cap + 1, sizeof(int64_t));
    W->bcomm = az_malloc((size_t)g0->m, sizeof(int32_t));
    W->beid = az_malloc((size_t)g0->m, sizeof(int32_t));
    W->seen = az_malloc(cap, sizeof(int32_t));
    W->acc = az_malloc(cap, sizeof(double));
    W->added = az_calloc(cap, 1);
    if (la_scratch_init(&W->s, n) != 0 || !W->inc_comm || !W->order || !W->comms || !W->cand ||
        !W->ncand || !W->boff ||
        !W->bcomm || !W->beid || !W->seen || !W->acc || !W->added) {
        work_free(W);
        return AZ_ENOMEM;
    }
    return AZ_OK;
}

/* mirrors Optimiser::optimise_partition(partitions, layer_weights) for one
 * layer: move nodes on the collapsed graph, carry the result to the input
 * partition (from_coarse_partition()), collapse, and repeat while the moves
 * improved the quality; finally renumber_communities(). The aggregate graph of
 * the last round, which upstream builds and drops, is not built. */
static int optimise_partition(lv_work *W, la_part *P0, double *improvement) {
    const int32_t n0 = P0->g->n;
    la_graph *cur_g = NULL; /* the collapsed level; NULL: the input itself */
    la_part *cur_p = NULL;
    la_part *cp = P0;
    double improv;
    int32_t v;
    int rc;
    *improvement = 0.0;
    do {
        la_graph *ng;
        la_part *np;
        rc = move_nodes(W, cp, &improv);
        if (rc != AZ_OK) break;
        *improvement += improv;
        if (cp != P0) {
            for (v = 0; v < n0; v++) P0->memb[v] = cp->memb[P0->memb[v]];
        }
        if (!(improv > 0)) break;
        ng = calloc(1, sizeof(la_graph));
        np = calloc(1, sizeof(la_part));
        rc = ng && np ? collapse_graph(W, cp, ng) : AZ_ENOMEM;
        /* singletons from init_admin()'s edge sums: the strengths are summed
         * in another order, so la_part_init()'s shortcut for singletons
         * (sums read off the strengths) does not apply */
        for (v = 0; rc == AZ_OK && v < ng->n; v++) W->order[v] = v;
        if (rc == AZ_OK && la_part_init(np, ng, cp->type, cp->resolution, W->order) != 0) {
            la_graph_free(ng);
            rc = AZ_ENOMEM;
        }
        if (rc != AZ_OK) {
            free(ng);
            free(np);
            break;
        }
        if (cur_p) {
            la_part_free(cur_p);
            la_graph_free(cur_g);
            free(cur_p);
            free(cur_g);
        }
        cur_g = ng;
        cur_p = np;
        cp = np;
    } while (1);
    if (cur_p) {
        la_part_free(cur_p);
        la_graph_free(cur_g);
        free(cur_p);
        free(cur_g);
    }
    if (rc == AZ_OK) {
        /* renumber_communities() reads only community sizes and node counts */
        la_part_admin_nodes(P0);
        la_part_admin_finish(P0);
        la_part_renumber(P0, &W->s);
    }
    return rc;
}

int lv_optimise(const la_layer *layer, az_mt19937 *mt, int64_t *membership, double *improvement,
                az_interrupt *intr) {
    const int32_t n = (int32_t)layer->graph->n_vertices;
    int32_t *memb32 = az_malloc((uint32_t)n, sizeof(int32_t)); /* 0 <= n < 2^31 */
    la_graph g0;
    la_part P0;
    lv_work W;
    int32_t v;
    int rc;
    if (!memb32) return AZ_ENOMEM;
    for (v = 0; v < n; v++) memb32[v] = (int32_t)membership[v];
    rc = la_input_graph(layer, &g0);
    if (rc != AZ_OK) {
        free(memb32);
        return rc;
    }
    incident_strengths(&g0);
    if (la_part_init(&P0, &g0, layer->type, layer->resolution, memb32) != 0) {
        free(memb32);
        la_graph_free(&g0);
        return AZ_ENOMEM;
    }
    free(memb32);
    rc = work_init(&W, &g0, mt, intr);
    if (rc == AZ_OK) {
        rc = optimise_partition(&W, &P0, improvement);
        if (rc == AZ_OK) {
            for (v = 0; v < n; v++) membership[v] = P0.memb[v];
        }
        *mt = W.rng.mt;
        work_free(&W);
    }
    la_part_free(&P0);
    la_graph_free(&g0);
    return rc;
}
