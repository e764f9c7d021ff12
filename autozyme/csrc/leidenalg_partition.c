/* libleidenalg's MutableVertexPartition and quality functions. See
 * leidenalg_partition.h. */
#include "leidenalg_partition.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t size;  /* csize truncated to size_t, as rank_order_communities() does */
    int64_t nodes;
    int32_t id;
} la_rank;

/* Allocation and the membership: what every constructor shares. */
static int part_alloc(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb) {
    const size_t cap = (size_t)g->n + 1; /* there are never more communities than nodes */
    int32_t v;
    memset(p, 0, sizeof(*p));
    p->g = g;
    p->type = type;
    p->resolution = resolution;
    p->memb = az_malloc((size_t)g->n, sizeof(int32_t));
    p->w_in = az_malloc(cap, sizeof(double));
    p->w_ft = az_malloc(2 * cap, sizeof(double));
    p->csize = az_malloc(cap, sizeof(double));
    p->cnodes = az_malloc(cap, sizeof(int32_t));
    p->empty = az_malloc(cap, sizeof(int32_t));
    if (!p->memb || !p->w_in || !p->w_ft || !p->csize || !p->cnodes || !p->empty) {
        la_part_free(p);
        return -1;
    }
    for (v = 0; v < g->n; v++) p->memb[v] = memb ? memb[v] : v;
    return 0;
}

/* init_admin() of singletons, read off the graph: each community's sums run
 * over the same edges in the same order as the strengths (Graph::init_admin()
 * and la_graph_init()), and its internal weight is its one self-loop, if any. */
static void admin_singletons(la_part *p) {
    const la_graph *g = p->g;
    int32_t v;
    p->n_comms = g->n;
    for (v = 0; v < g->n; v++) {
        const la_vattr *a = &g->va[v];
        p->csize[v] = 0.0 + a->size;
        p->cnodes[v] = 1;
        p->w_in[v] = 0.0 + a->self_w;
        p->w_ft[2 * (size_t)v] = g->directed ? a->k_out : a->k_in;
        p->w_ft[2 * (size_t)v + 1] = a->k_in;
    }
    p->n_empty = 0;
}

/* mirrors the MutableVertexPartition constructors (membership given, or
 * range(n)) in libleidenalg src/MutableVertexPartition.cpp */
int la_part_init(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb) {
    if (part_alloc(p, g, type, resolution, memb) != 0) return -1;
    if (!memb && g->loops_single) {
        admin_singletons(p);
    } else {
        la_part_init_admin(p);
    }
    return 0;
}

int la_part_begin(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb) {
    if (part_alloc(p, g, type, resolution, memb) != 0) return -1;
    la_part_admin_nodes(p);
    return 0;
}

void la_part_free(la_part *p) {
    free(p->memb);
    free(p->w_in);
    free(p->w_ft);
    free(p->csize);
    free(p->cnodes);
    free(p->empty);
    memset(p, 0, sizeof(*p));
}

/* mirrors MutableVertexPartition::update_n_communities() */
static void update_n_communities(la_part *p) {
    int32_t v;
    p->n_comms = 0;
    for (v = 0; v < p->g->n; v++) {
        if (p->memb[v] >= p->n_comms) p->n_comms = p->memb[v] + 1;
    }
}

/* The first half of MutableVertexPartition::init_admin() in libleidenalg
 * src/MutableVertexPartition.cpp: community count, sizes, zero weights. */
void la_part_admin_nodes(la_part *p) {
    const la_graph *g = p->g;
    int32_t v;
    update_n_communities(p);
    memset(p->w_in, 0, (size_t)p->n_comms * sizeof(double));
    memset(p->w_ft, 0, 2 * (size_t)p->n_comms * sizeof(double));
    memset(p->csize, 0, (size_t)p->n_comms * sizeof(double));
    memset(p->cnodes, 0, (size_t)p->n_comms * sizeof(int32_t));
    for (v = 0; v < g->n; v++) {
        p->csize[p->memb[v]] += g->va[v].size;
        p->cnodes[p->memb[v]] += 1;
    }
}

/* The end of init_admin(): the empty communities. */
void la_part_admin_finish(la_part *p) {
    int32_t c;
    p->n_empty = 0;
    for (c = 0; c < p->n_comms; c++) {
        if (p->cnodes[c] == 0) p->empty[p->n_empty++] = c;
    }
}

/* mirrors MutableVertexPartition::init_admin(): the edge sums run in edge-id
 * order. */
void la_part_init_admin(la_part *p) {
    const la_graph *g = p->g;
    int32_t v;
    int64_t e;
    la_part_admin_nodes(p);
    if (g->src) {
        for (e = 0; e < g->m; e++) la_part_admin_edge(p, g->src[e], g->tgt[e], g->w[e]);
    } else {
        for (v = 0; v < g->n; v++) {
            for (e = g->off[v]; e < g->off[v + 1]; e++) {
                la_part_admin_edge(p, v, g->tgt[e], la_edge_weight(g, e));
            }
        }
    }
    la_part_admin_finish(p);
}

/* mirrors MutableVertexPartition::add_empty_community() and
 * get_empty_community() */
int32_t la_part_get_empty_community(la_part *p) {
    if (p->n_empty == 0) {
        const int32_t c = p->n_comms++;
        p->csize[c] = 0.0;
        p->cnodes[c] = 0;
        p->w_in[c] = 0.0;
        p->w_ft[2 * (size_t)c] = 0.0;
        p->w_ft[2 * (size_t)c + 1] = 0.0;
        p->empty[p->n_empty++] = c;
    }
    return p->empty[p->n_empty - 1];
}

/* mirrors MutableVertexPartition::move_node(): both passes (OUT, then IN)
 * update the internal weights in upstream's order; for an undirected graph
 * both passes walk the same list and from == to is updated once. */
void la_part_move_node(la_part *p, int32_t v, int32_t new_comm, const int32_t *inc_comm) {
    const la_graph *g = p->g;
    const int32_t old_comm = p->memb[v];
    const double node_size = g->va[v].size;
    int pass;

    p->cnodes[old_comm] -= 1;
    p->csize[old_comm] -= node_size;
    if (p->cnodes[old_comm] == 0) p->empty[p->n_empty++] = old_comm;
    if (p->cnodes[new_comm] == 0) {
        /* erase the last occurrence of new_comm from the empty list */
        int32_t i = p->n_empty;
        while (i > 0 && p->empty[i - 1] != new_comm) i--;
        if (i > 0) {
            memmove(p->empty + i - 1, p->empty + i, (size_t)(p->n_empty - i) * sizeof(int32_t));
            p->n_empty--;
        }
    }
    p->cnodes[new_comm] += 1;
    p->csize[new_comm] += node_size;

    for (pass = 0; pass < 2; pass++) {
        const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
        /* pass 0 is mode OUT (from weights), pass 1 mode IN (to weights, stride
         * 2); undirected: both passes walk every incidence, from == to */
        double *tot = g->directed ? p->w_ft + pass : pass == 0 ? p->w_ft : NULL;
        int64_t k;
        if (g->sym) {
            /* the pass's entries are every other one */
            for (k = pass; k < deg; k += 2) {
                const int32_t u = la_inc_u(g, b + k), u_comm = inc_comm[k];
                const double w = la_inc_w(g, b + k), int_weight = w / 1.0 / (u == v ? 2.0 : 1.0);
                tot[2 * (size_t)old_comm] -= w;
                tot[2 * (size_t)new_comm] += w;
                if (old_comm == u_comm) p->w_in[old_comm] -= int_weight;
                if (new_comm == u_comm || u == v) p->w_in[new_comm] += int_weight;
            }
            continue;
        }
        for (k = 0; k < deg; k++) {
            int32_t u, u_comm, r;
            double w, int_weight;
            if (g->directed && la_inc_in(g, b + k) != pass) continue;
            u = la_inc_u(g, b + k);
            u_comm = inc_comm[k];
            w = la_inc_w(g, b + k);
            int_weight = w / (g->directed ? 1.0 : 2.0) / (u == v ? 2.0 : 1.0);
            for (r = 0; r < g->rep; r++) {
                if (tot) {
                    tot[2 * (size_t)old_comm] -= w;
                    tot[2 * (size_t)new_comm] += w;
                }
                if (old_comm == u_comm) p->w_in[old_comm] -= int_weight;
                if (new_comm == u_comm || u == v) p->w_in[new_comm] += int_weight;
            }
        }
    }
    p->memb[v] = new_comm;
}

/* orderCSize() in libleidenalg src/GraphHelper.cpp: larger size first, then
 * more nodes, then lower label; a total order, so qsort is deterministic. */
static int order_csize(const void *pa, const void *pb) {
    const la_rank *a = pa, *b = pb;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    if (a->nodes != b->nodes) return a->nodes > b->nodes ? -1 : 1;
    return a->id < b->id ? -1 : (a->id > b->id);
}

/* x holds `stride` doubles per community */
static void relabel_doubles(double *x, int stride, const la_part *p, int32_t k, int32_t nb,
                            la_scratch *s) {
    int32_t c;
    int j;
    memset(s->tmp, 0, (size_t)nb * stride * sizeof(double));
    for (c = 0; c < k; c++) {
        if (p->cnodes[c] > 0) {
            for (j = 0; j < stride; j++) {
                s->tmp[(size_t)s->new_id[c] * stride + j] = x[(size_t)c * stride + j];
            }
        }
    }
    memcpy(x, s->tmp, (size_t)nb * stride * sizeof(double));
}

/* mirrors MutableVertexPartition::renumber_communities(), i.e.
 * rank_order_communities() followed by relabel_communities(): the bookkeeping
 * moves with the labels (no recomputation). */
void la_part_renumber(la_part *p, la_scratch *s) {
    la_rank *rank = s->rank;
    const int32_t k = p->n_comms;
    int32_t c, v, nb;
    int32_t *cn = (int32_t *)s->tmp; /* room for k ints */
    int32_t na = 0;
    /* the key (size 0, no nodes) is the last in orderCSize(), ties broken by
     * label: those communities (the empty ones) take the last ranks in label
     * order, and only the others are sorted */
    for (c = 0; c < k; c++) {
        const uint64_t size = (uint64_t)p->csize[c];
        if (size == 0 && p->cnodes[c] == 0) continue;
        rank[na].size = size;
        rank[na].nodes = p->cnodes[c];
        rank[na].id = c;
        na++;
    }
    qsort(rank, (size_t)na, sizeof(la_rank), order_csize);
    for (c = 0; c < na; c++) s->new_id[rank[c].id] = c;
    for (c = 0; c < k; c++) {
        if ((uint64_t)p->csize[c] == 0 && p->cnodes[c] == 0) s->new_id[c] = na++;
    }
    for (v = 0; v < p->g->n; v++) p->memb[v] = s->new_id[p->memb[v]];
    update_n_communities(p);
    nb = p->n_comms;
    relabel_doubles(p->w_in, 1, p, k, nb, s);
    relabel_doubles(p->w_ft, 2, p, k, nb, s);
    relabel_doubles(p->csize, 1, p, k, nb, s);
    memset(cn, 0, (size_t)nb * sizeof(int32_t));
    for (c = 0; c < k; c++) {
        if (p->cnodes[c] > 0) cn[s->new_id[c]] = p->cnodes[c];
    }
    memcpy(p->cnodes, cn, (size_t)nb * sizeof(int32_t));
    p->n_empty = 0;
    for (c = 0; c < nb; c++) {
        if (p->cnodes[c] == 0) p->empty[p->n_empty++] = c;
    }
}

/* mirrors MutableVertexPartition::cache_neigh_communities() for modes OUT, IN
 * and ALL in one pass over the ALL list, which keeps the relative order of
 * the OUT and IN lists (so each sum runs in upstream's order). A community is
 * listed once its running ALL weight is nonzero; undirected self-loops, seen
 * twice, count half each time. */
void la_part_cache_node(const la_part *p, la_scratch *s, int32_t v, int32_t *inc_comm) {
    const la_graph *g = p->g;
    const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
    const int32_t *memb = p->memb;
    la_cw *cw = s->cw;
    int64_t k;
    if (++s->stamp == 0) {
        /* wrapped around: forget every old stamp */
        for (k = 0; k <= g->n; k++) cw[k].stamp = 0;
        s->stamp = 1;
    }
    s->n_order = 0;
    if (g->sym) {
        /* OUT and IN entries of a neighbour are adjacent: one lookup for
         * both, the same additions in the same order */
        for (k = 0; k + 1 < deg; k += 2) {
            const int32_t c = memb[la_inc_u(g, b + k)];
            const double w_out = la_inc_w(g, b + k), w_in = la_inc_w(g, b + k + 1);
            la_cw *x = &cw[c];
            if (k + 16 < deg) AZ_PREFETCH(&memb[la_inc_u(g, b + k + 16)]);
            if (k + 8 < deg) AZ_PREFETCH(&cw[memb[la_inc_u(g, b + k + 8)]]);
            inc_comm[k] = inc_comm[k + 1] = c;
            if (x->stamp != s->stamp) {
                x->stamp = s->stamp;
                x->w[0] = x->w[1] = x->all = 0.0;
                x->listed = 0;
            }
            x->w[0] += w_out;
            x->all += w_out;
            if (x->all != 0 && !x->listed) {
                x->listed = 1;
                s->order[s->n_order++] = c;
            }
            x->w[1] += w_in;
            x->all += w_in;
            if (x->all != 0 && !x->listed) {
                x->listed = 1;
                s->order[s->n_order++] = c;
            }
        }
        return;
    }
    for (k = 0; k < deg; k++) {
        const int32_t u = la_inc_u(g, b + k), c = memb[u];
        la_cw *x = &cw[c];
        double w = la_inc_w(g, b + k);
        int32_t r;
        /* the lookups depend on each other: start later entries' early */
        if (k + 16 < deg) AZ_PREFETCH(&memb[la_inc_u(g, b + k + 16)]);
        if (k + 8 < deg) AZ_PREFETCH(&cw[memb[la_inc_u(g, b + k + 8)]]);
        inc_comm[k] = c;
        if (x->stamp != s->stamp) {
            x->stamp = s->stamp;
            x->w[0] = x->w[1] = x->all = 0.0;
            x->listed = 0;
        }
        if (!g->directed && u == v) w /= 2.0;
        for (r = 0; r < g->rep; r++) {
            if (g->directed) {
                x->w[la_inc_in(g, b + k)] += w;
                x->all += w;
            } else {
                x->w[0] += w;
                x->all = x->w[0];
            }
            if (x->all != 0 && !x->listed) {
                x->listed = 1;
                s->order[s->n_order++] = c;
            }
        }
    }
}

/* The old-community halves of the diff_move() formulas (see la_diff_move()). */
void la_diff_init(la_diff *d, const la_part *p, int32_t v, double w_to_old, double w_from_old) {
    const la_graph *g = p->g;
    const int32_t old_comm = p->memb[v];
    d->old_comm = old_comm;
    d->k_out = g->va[v].k_out;
    d->k_in = g->va[v].k_in;
    d->self_weight = g->va[v].self_w;
    d->nsize = g->va[v].size;
    d->total_weight = g->total_weight * (2.0 - g->directed);
    d->zero = d->total_weight == 0.0;
    if (p->type == LA_CPM) {
        const double csize_old = la_comm_value(p->csize, p, old_comm);
        const double ped_old = g->correct_self_loops
                                   ? d->nsize * (2.0 * csize_old - d->nsize)
                                   : d->nsize * (2.0 * csize_old - d->nsize - 1.0);
        d->diff_old = w_to_old + w_from_old - d->self_weight - p->resolution * ped_old;
    } else if (!d->zero) {
        const double tw = d->total_weight;
        const double K_out_old = la_wfrom(p, old_comm);
        const double K_in_old = la_wto(p, old_comm);
        if (p->type == LA_MODULARITY) {
            d->diff_old = (w_to_old - d->k_out * K_in_old / tw) + (w_from_old - d->k_in * K_out_old / tw);
        } else {
            const double res = p->resolution;
            d->diff_old = (w_to_old - res * d->k_out * K_in_old / tw) +
                          (w_from_old - res * d->k_in * K_out_old / tw);
        }
    }
}

/* mirrors RBConfigurationVertexPartition::quality(resolution),
 * ModularityVertexPartition::quality() and CPMVertexPartition::quality() */
double la_part_quality(const la_part *p) {
    const la_graph *g = p->g;
    double mod = 0.0;
    int32_t c;
    if (p->type == LA_CPM) {
        for (c = 0; c < p->n_comms; c++) {
            /* Graph::possible_edges() */
            double pe = p->csize[c] * (p->csize[c] - 1);
            if (!g->directed) pe /= 2;
            if (g->correct_self_loops) pe += p->csize[c];
            mod += p->w_in[c] - p->resolution * pe;
        }
        return (2.0 - g->directed) * mod;
    } else {
        const double m = g->directed ? g->total_weight : 2 * g->total_weight;
        if (m == 0) return 0.0;
        for (c = 0; c < p->n_comms; c++) {
            const double denom = (g->directed ? 1.0 : 4.0) * g->total_weight;
            if (p->type == LA_MODULARITY) {
                mod += p->w_in[c] - la_wfrom(p, c) * la_wto(p, c) / denom;
            } else {
                mod += p->w_in[c] - p->resolution * la_wfrom(p, c) * la_wto(p, c) / denom;
            }
        }
        if (p->type == LA_MODULARITY) return (2.0 - g->directed) * mod / m;
        return (2.0 - g->directed) * mod;
    }
}

int la_scratch_init(la_scratch *s, int32_t n) {
    const size_t cap = (size_t)n + 1;
    memset(s, 0, sizeof(*s));
    s->cw = az_calloc(cap, sizeof(la_cw));
    s->order = az_malloc(cap, sizeof(int32_t));
    s->new_id = az_malloc(cap, sizeof(int32_t));
    s->tmp = az_malloc(2 * cap, sizeof(double));
    s->rank = az_malloc(cap, sizeof(la_rank));
    if (!s->cw || !s->order || !s->new_id || !s->tmp || !s->rank) {
        la_scratch_free(s);
        return -1;
    }
    return 0;
}

void la_scratch_free(la_scratch *s) {
    free(s->cw);
    free(s->order);
    free(s->new_id);
    free(s->tmp);
    free(s->rank);
    memset(s, 0, sizeof(*s));
}
