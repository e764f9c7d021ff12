/* libleidenalg's Optimiser (src/Optimiser.cpp) with the defaults leidenalg's
 * Python layer leaves in place: consider_comms ALL_NEIGH_COMMS, optimise
 * routine MOVE_NODES, consider_empty_community, refine_partition with routine
 * MERGE_NODES, no fixed nodes; one or more layers (optimise_partition() runs
 * the multiplex code with one layer of weight 1). See leidenalg_optimiser.h. */
#include "leidenalg_optimiser.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "igraph_leiden.h" /* az_modularity() */
#include "leidenalg_graph.h"
#include "leidenalg_partition.h"

/* One level of the aggregation: a graph and a partition per layer. */
typedef struct {
    la_graph *g;
    la_part *p;
} la_level;

/* What each layer needs besides its partition. */
typedef struct {
    la_scratch s;
    int32_t *inc_comm; /* community of each incidence of the current node */
    /* the ALL lists of at most two collapsed graphs alive at a time, kept from
     * level to level so their pages are faulted in once (collapse_symmetric) */
    la_inc *lists[2];
    size_t lists_cap[2];
    la_graph *lists_user[2];
} la_layer_work;

typedef struct {
    const la_options *opt;
    int L;             /* layers */
    const double *lw;  /* layer weights */
    la_layer_work *lay;
    la_diff *d;        /* per layer: the current node's terms of diff_move() */
    az_rng rng; /* draws from the caller's MT19937 */
    az_interrupt *intr;
    int32_t *queue;    /* vertex order; FIFO ring in move_nodes */
    uint8_t *stable;   /* is_node_stable */
    uint8_t *added;    /* comm_added / neighbour_comm_added */
    int32_t *comms;    /* candidate or neighbouring communities */
    int32_t *nbr_comm; /* communities of its incidences within its constraint, all layers */
    int32_t *aggnode;  /* aggregate_node_per_individual_node */
    int32_t *newmemb;  /* membership of the next collapsed graph */
    double *acc;       /* edge_weight_to_community */
    int64_t *goff;     /* nodes of each community: goff[c] .. goff[c + 1] - 1 in gnodes */
    int32_t *gnodes;
    int32_t *pos;      /* scratch of la_graph_init_symmetric() */
    /* collapse_symmetric(): the collapsed edges (etgt, ew, rows eoff) */
    int64_t *eoff;
    int32_t *etgt;
    double *ew;
    size_t ecap;
    int64_t moves;     /* nodes moved by move_nodes() so far */
    /* the first layer's input partition was moved since its bookkeeping was
     * last computed from its membership: its sums are incremental, as
     * upstream leaves them */
    int p0_moved;
} la_work;

/* MutableVertexPartition::set_membership() of layers 1.. after the first
 * layer's moves and renumbering. A collapsed graph whose edges are gone
 * (partitions over it are never built again) only needs the node counts
 * read later (sizes for collapsing); nothing reads its edge sums. */
static void set_layers_membership(la_work *W, la_part *P) {
    int l;
    for (l = 1; l < W->L; l++) {
        la_part *p = &P[l];
        memcpy(p->memb, P[0].memb, (size_t)p->g->n * sizeof(int32_t));
        if (p->g->off || p->g->src) {
            la_part_init_admin(p);
        } else {
            la_part_admin_nodes(p);
            la_part_admin_finish(p);
        }
    }
}

/* The libleidenalg 0.11/0.12 test "Do not create too-large communities". */
static int too_large(const la_work *W, const la_part *p, int32_t comm, double v_size) {
    const uint64_t mcs = W->opt->max_comm_size;
    return W->opt->version == LA_OPT_0_12 && 0 < mcs &&
           (double)mcs < la_comm_value(p->csize, p, comm) + v_size;
}

/* The initial max_improv of the move / merge routines: a node in a community
 * larger than max_comm_size takes any candidate, else only improvements
 * beyond dflt. */
static double initial_max_improv(const la_work *W, const la_part *p, int32_t v_comm, double dflt) {
    const uint64_t mcs = W->opt->max_comm_size;
    return (0 < mcs && (double)mcs < p->csize[v_comm]) ? -INFINITY : dflt;
}

/* mirrors the multiplex Optimiser::move_nodes() in libleidenalg 0.13.0
 * src/Optimiser.cpp (and 0.11.0 / 0.12.0 with their max_comm_size test): a
 * shuffled FIFO of nodes, each moved to the best neighbouring or empty
 * community by the layer-weighted sum of the layers' diff_move(); after a move
 * the stable neighbours (in every layer) outside the new community are queued
 * again. The first layer decides sizes and empty communities; the others
 * follow its membership. */
static int move_nodes(la_work *W, la_part *P, double *improv) {
    const la_graph *g = P[0].g;
    const int32_t n = g->n;
    const int L = W->L;
    la_diff *d = W->d;
    int64_t head = 0, count = n;
    double total = 0.0;
    int32_t v;
    int l;
    for (v = 0; v < n; v++) {
        W->queue[v] = v;
        W->stable[v] = 0;
    }
    az_rng_shuffle(&W->rng, W->queue, n);
    while (count > 0) {
        int32_t v_comm, max_comm, nc = 0, i;
        double max_improv, v_size, w_to, w_from;
        v = W->queue[head];
        head = head + 1 == n ? 0 : head + 1;
        count--;
        /* the offsets of the vertex four ahead (queue entries beyond count
         * are stale, but vertex ids all the same), its incidences two visits
         * later: each load needs the one before */
        AZ_PREFETCH(&g->all_off[W->queue[(head + 3) % n]]);
        if (count > 0) {
            const int32_t ahead = W->queue[(head + 1) % n];
            for (l = 0; l < L; l++) {
                la_prefetch_incidences(P[l].g, ahead);
                AZ_PREFETCH(&P[l].g->va[ahead]);
            }
            AZ_PREFETCH(&P[0].memb[ahead]);
        }
        if (az_interrupt_tick(W->intr)) return AZ_EINTR;

        v_comm = P[0].memb[v];
        /* get_neigh_comms(v, ALL) of each layer, each community once */
        for (l = 0; l < L; l++) {
            la_layer_work *lw = &W->lay[l];
            la_part_cache_node(&P[l], &lw->s, v, lw->inc_comm);
            la_cw_get(&lw->s, P[l].g->directed, v_comm, &w_to, &w_from);
            la_diff_init(&d[l], &P[l], v, w_to, w_from);
            for (i = 0; i < lw->s.n_order; i++) {
                const int32_t c = lw->s.order[i];
                if (L > 1) {
                    if (W->added[c]) continue;
                    W->added[c] = 1;
                }
                W->comms[nc++] = c;
            }
        }
        if (L > 1) {
            for (i = 0; i < nc; i++) W->added[W->comms[i]] = 0;
        }
        /* a node alone in its community never moves to an empty one; the
         * layers' empty communities are the same (same memberships), and a
         * new one is added to every layer */
        if (P[0].cnodes[v_comm] > 1) {
            W->comms[nc++] = la_part_get_empty_community(&P[0]);
            for (l = 1; l < L; l++) (void)la_part_get_empty_community(&P[l]);
        }

        max_comm = v_comm;
        max_improv = initial_max_improv(W, &P[0], v_comm, 10 * DBL_EPSILON);
        v_size = g->va[v].size;
        for (i = 0; i < nc; i++) {
            const int32_t comm = W->comms[i];
            double possible_improv = 0.0;
            if (too_large(W, &P[0], comm, v_size)) continue;
            for (l = 0; l < L; l++) {
                la_cw_get(&W->lay[l].s, P[l].g->directed, comm, &w_to, &w_from);
                possible_improv += W->lw[l] * la_diff_move(&d[l], &P[l], comm, w_to, w_from);
            }
            if (possible_improv > max_improv) {
                max_comm = comm;
                max_improv = possible_improv;
            }
        }
        W->stable[v] = 1;
        if (max_comm != v_comm) {
            total += max_improv;
            W->moves++;
            for (l = 0; l < L; l++) la_part_move_node(&P[l], v, max_comm, W->lay[l].inc_comm);
            for (l = 0; l < L; l++) {
                const la_graph *gl = P[l].g;
                const int64_t b = gl->all_off[v], deg = gl->all_off[v + 1] - b;
                const int32_t *inc_comm = W->lay[l].inc_comm;
                int64_t k;
                /* a `sym` graph lists each neighbour twice in a row: the
                 * second entry would find it queued already */
                for (k = 0; k < deg; k += 1 + gl->sym) {
                    /* memb[u] is inc_comm[k] but for v itself, now in max_comm */
                    const int32_t u = la_inc_u(gl, b + k);
                    if (u != v && W->stable[u] && inc_comm[k] != max_comm) {
                        int64_t tail = head + count;
                        if (tail >= n) tail -= n;
                        W->queue[tail] = u;
                        count++;
                        W->stable[u] = 0;
                    }
                }
            }
        }
    }
    la_part_renumber(&P[0], &W->lay[0].s);
    set_layers_membership(W, P);
    *improv = total;
    return AZ_OK;
}

/* The communities of v's incidences in layer l (all into inc_comm), and those
 * of its neighbours within v's community of cmemb appended to out, one per
 * incidence: get_neigh_comms(v, ALL, constrained membership) of libleidenalg
 * 0.13.0, which never marks a community as added. Returns the count. */
static int64_t constrained_incidence_comms(const la_part *p, int32_t v, const int32_t *cmemb,
                                           int32_t *inc_comm, int32_t *out) {
    const la_graph *g = p->g;
    const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
    int64_t cnt = 0, k;
    if (g->sym) {
        /* OUT and IN entries of a neighbour are adjacent */
        for (k = 0; k + 1 < deg; k += 2) {
            const int32_t u = la_inc_u(g, b + k), c = p->memb[u];
            if (k + 8 < deg) {
                AZ_PREFETCH(&p->memb[la_inc_u(g, b + k + 8)]);
                AZ_PREFETCH(&cmemb[la_inc_u(g, b + k + 8)]);
            }
            inc_comm[k] = inc_comm[k + 1] = c;
            if (cmemb[u] == cmemb[v]) {
                out[cnt++] = c;
                out[cnt++] = c;
            }
        }
    }
    for (k = g->sym ? deg : 0; k < deg; k++) {
        const int32_t u = la_inc_u(g, b + k);
        int32_t r;
        if (k + 8 < deg) {
            AZ_PREFETCH(&p->memb[la_inc_u(g, b + k + 8)]);
            AZ_PREFETCH(&cmemb[la_inc_u(g, b + k + 8)]);
        }
        inc_comm[k] = p->memb[u];
        if (cmemb[u] != cmemb[v]) continue;
        for (r = 0; r < g->rep; r++) out[cnt++] = p->memb[u];
    }
    return cnt;
}

/* weight_to_comm / weight_from_comm of v to its own community and to new_comm
 * in one layer, summed in the order cache_neigh_communities() uses, from the
 * incidences' communities; then the terms of diff_move(v, .) in d. */
static void two_community_weights(const la_part *p, int32_t v, const int32_t *inc_comm,
                                  int32_t new_comm, la_diff *d, double *w_to_new,
                                  double *w_from_new) {
    const la_graph *g = p->g;
    const int64_t b = g->all_off[v], deg = g->all_off[v + 1] - b;
    const int32_t v_comm = p->memb[v];
    double w_to_old = 0.0, w_from_old = 0.0, to_new = 0.0, from_new = 0.0;
    int64_t k;
    for (k = 0; k < deg; k++) {
        const int32_t c = inc_comm[k];
        const int in = g->directed && la_inc_in(g, b + k);
        double w;
        int32_t r;
        if (c != v_comm && c != new_comm) continue;
        w = la_inc_w(g, b + k);
        if (!g->directed && la_inc_u(g, b + k) == v) w /= 2.0;
        for (r = 0; r < g->rep; r++) {
            if (c == v_comm) {
                if (in) {
                    w_from_old += w;
                } else {
                    w_to_old += w;
                }
            } else if (in) {
                from_new += w;
            } else {
                to_new += w;
            }
        }
    }
    if (!g->directed) {
        w_from_old = w_to_old;
        from_new = to_new;
    }
    la_diff_init(d, p, v, w_to_old, w_from_old);
    *w_to_new = to_new;
    *w_from_new = from_new;
}

/* mirrors the multiplex Optimiser::merge_nodes_constrained() in libleidenalg
 * 0.13.0 src/Optimiser.cpp with refine_consider_comms RAND_NEIGH_COMM, and in
 * 0.11.0 / 0.12.0 with ALL_NEIGH_COMMS: each node still alone in its refined
 * community, in shuffled order, may join a community of a neighbour (in any
 * layer) within the same community of constrained_memb. */
static int merge_nodes_constrained(la_work *W, la_part *P, const int32_t *cmemb) {
    const la_graph *g = P[0].g;
    const int32_t n = g->n;
    const int L = W->L;
    la_diff *d = W->d;
    int32_t i, v;
    int l;
    for (v = 0; v < n; v++) W->queue[v] = v;
    az_rng_shuffle(&W->rng, W->queue, n);
    for (i = 0; i < n; i++) {
        int32_t v_comm, max_comm, nc = 0, j;
        double max_improv, v_size;
        v = W->queue[i];
        if (i + 8 < n) AZ_PREFETCH(&g->all_off[W->queue[i + 8]]);
        if (i + 4 < n) {
            for (l = 0; l < L; l++) {
                la_prefetch_incidences(P[l].g, W->queue[i + 4]);
                AZ_PREFETCH(&P[l].g->va[W->queue[i + 4]]);
            }
            AZ_PREFETCH(&P[0].memb[W->queue[i + 4]]);
        }
        if (az_interrupt_tick(W->intr)) return AZ_EINTR;
        v_comm = P[0].memb[v];
        if (P[0].cnodes[v_comm] != 1) continue;

        if (W->opt->version == LA_OPT_0_13) {
            /* the layers' lists concatenated: a draw proportional to the
             * incidences, with a chance k / (k + 1) of trying to move */
            int64_t cnt = 0;
            for (l = 0; l < L; l++) {
                cnt += constrained_incidence_comms(&P[l], v, cmemb, W->lay[l].inc_comm,
                                                   W->nbr_comm + cnt);
            }
            if (cnt > 0 && az_rng_integer(&W->rng, cnt) > 0) {
                W->comms[nc++] = W->nbr_comm[az_rng_integer(&W->rng, cnt - 1)];
            }
        } else {
            for (l = 0; l < L; l++) {
                const la_graph *gl = P[l].g;
                const int64_t b = gl->all_off[v], deg = gl->all_off[v + 1] - b;
                const int32_t *memb = P[l].memb;
                int64_t k;
                for (k = 0; k < deg; k++) {
                    const int32_t u = la_inc_u(gl, b + k);
                    if (k + 8 < deg) {
                        AZ_PREFETCH(&memb[la_inc_u(gl, b + k + 8)]);
                        AZ_PREFETCH(&cmemb[la_inc_u(gl, b + k + 8)]);
                    }
                    if (cmemb[u] == cmemb[v] && !W->added[memb[u]]) {
                        W->added[memb[u]] = 1;
                        W->comms[nc++] = memb[u];
                    }
                }
            }
            for (j = 0; j < nc; j++) W->added[W->comms[j]] = 0;
        }

        max_comm = v_comm;
        max_improv = initial_max_improv(W, &P[0], v_comm, 0.0);
        v_size = g->va[v].size;
        if (nc == 0) continue;
        if (W->opt->version == LA_OPT_0_13) {
            const int32_t new_comm = W->comms[0];
            double possible_improv = 0.0;
            for (l = 0; l < L; l++) {
                double w_to_new, w_from_new;
                two_community_weights(&P[l], v, W->lay[l].inc_comm, new_comm, &d[l], &w_to_new,
                                      &w_from_new);
                possible_improv +=
                    W->lw[l] * la_diff_move(&d[l], &P[l], new_comm, w_to_new, w_from_new);
            }
            if (possible_improv >= max_improv) max_comm = new_comm;
        } else {
            for (l = 0; l < L; l++) {
                la_layer_work *lw = &W->lay[l];
                double w_to_old, w_from_old;
                la_part_cache_node(&P[l], &lw->s, v, lw->inc_comm);
                la_cw_get(&lw->s, P[l].g->directed, v_comm, &w_to_old, &w_from_old);
                la_diff_init(&d[l], &P[l], v, w_to_old, w_from_old);
            }
            for (j = 0; j < nc; j++) {
                const int32_t comm = W->comms[j];
                double possible_improv = 0.0;
                if (too_large(W, &P[0], comm, v_size)) continue;
                for (l = 0; l < L; l++) {
                    double w_to, w_from;
                    la_cw_get(&W->lay[l].s, P[l].g->directed, comm, &w_to, &w_from);
                    possible_improv += W->lw[l] * la_diff_move(&d[l], &P[l], comm, w_to, w_from);
                }
                if (possible_improv >= max_improv) {
                    max_comm = comm;
                    max_improv = possible_improv;
                }
            }
        }
        if (max_comm != v_comm) {
            for (l = 0; l < L; l++) la_part_move_node(&P[l], v, max_comm, W->lay[l].inc_comm);
        }
    }
    la_part_renumber(&P[0], &W->lay[0].s);
    set_layers_membership(W, P);
    return AZ_OK;
}

/* mirrors Graph::collapse_graph() in libleidenalg src/GraphHelper.cpp: one
 * node per community of p; per community (ascending) and per member node
 * (ascending), the edges leaving the node add their weight to the target's
 * community, and the aggregated edges follow first appearance. An undirected
 * self-loop is seen twice and counts half each time. */
static int collapse_graph(la_work *W, const la_part *p, la_graph *out) {
    const la_graph *g = p->g;
    const int32_t k = p->n_comms;
    int64_t *off = az_malloc((size_t)k + 1, sizeof(int64_t));
    int32_t *tgt = az_malloc((size_t)g->m, sizeof(int32_t)); /* never more edges than before */
    double *w = az_malloc((size_t)g->m, sizeof(double));
    double *sizes = az_malloc((size_t)k, sizeof(double));
    int64_t cnt = 0, i;
    int32_t c, v;
    if (!off || !tgt || !w || !sizes) {
        free(off);
        free(tgt);
        free(w);
        free(sizes);
        return AZ_ENOMEM;
    }
    /* get_communities(): members in ascending order */
    memset(W->goff, 0, ((size_t)k + 1) * sizeof(int64_t));
    for (v = 0; v < g->n; v++) W->goff[p->memb[v] + 1]++;
    for (c = 0; c < k; c++) W->goff[c + 1] += W->goff[c];
    for (v = 0; v < g->n; v++) W->gnodes[W->goff[p->memb[v]]++] = v;
    for (c = k; c > 0; c--) W->goff[c] = W->goff[c - 1];
    W->goff[0] = 0;

    for (c = 0; c < k; c++) {
        int32_t nn = 0, j;
        off[c] = cnt;
        for (i = W->goff[c]; i < W->goff[c + 1]; i++) {
            int64_t b, deg, e;
            v = W->gnodes[i];
            if (i + 8 < g->n) AZ_PREFETCH(&g->all_off[W->gnodes[i + 8]]);
            if (i + 4 < g->n) la_prefetch_incidences(g, W->gnodes[i + 4]);
            b = g->all_off[v];
            deg = g->all_off[v + 1] - b;
            for (e = 0; e < deg; e++) {
                const int32_t u = la_inc_u(g, b + e), uc = p->memb[u];
                double we = la_inc_w(g, b + e);
                int32_t r;
                if (e + 8 < deg) AZ_PREFETCH(&p->memb[la_inc_u(g, b + e + 8)]);
                if (g->directed) {
                    if (la_inc_in(g, b + e)) continue; /* only the OUT list */
                } else {
                    if (u > v) continue; /* from != v: the edge belongs to u */
                    if (u == v) we /= 2.0;
                }
                if (!W->added[uc]) {
                    W->added[uc] = 1;
                    W->comms[nn++] = uc;
                }
                for (r = 0; r < g->rep; r++) W->acc[uc] += we;
            }
        }
        for (j = 0; j < nn; j++) {
            const int32_t uc = W->comms[j];
            tgt[cnt] = uc;
            w[cnt] = W->acc[uc];
            cnt++;
            W->acc[uc] = 0.0;
            W->added[uc] = 0;
        }
    }
    off[k] = cnt;
    for (c = 0; c < k; c++) sizes[c] = p->csize[c];
    return la_graph_init(out, k, g->directed, off, tgt, w, LA_OWN_OFF | LA_OWN_TGT | LA_OWN_W, sizes,
                         g->correct_self_loops) == 0
               ? AZ_OK
               : AZ_ENOMEM;
}

/* A buffer of `need` incidences for the lists of g, or NULL (out of memory). */
static la_inc *lists_get(la_layer_work *W, la_graph *g, size_t need) {
    int i;
    for (i = 0; i < 2; i++) {
        if (W->lists_user[i]) continue;
        if (W->lists_cap[i] < need) {
            /* a quarter more: the same level of the next iteration is often
             * a little larger, and fresh memory costs a page fault per page */
            const size_t cap = need + need / 4;
            free(W->lists[i]);
            W->lists[i] = az_malloc(cap, sizeof(la_inc));
            W->lists_cap[i] = W->lists[i] ? cap : 0;
            if (!W->lists[i]) return NULL;
        }
        W->lists_user[i] = g;
        return W->lists[i];
    }
    return NULL; /* not reached: at most two collapsed graphs are alive */
}

static void lists_release(la_layer_work *W, const la_graph *g) {
    int i;
    for (i = 0; i < 2; i++) {
        if (W->lists_user[i] == g) W->lists_user[i] = NULL;
    }
}

/* collapse_graph() for a `sym` graph, which collapses to another one, fused
 * with what follows it upstream: the Graph constructor's init_admin()
 * (strengths, self weights, total weight) and the init_admin() of the
 * partition memb_next over the new graph, all summed while the collapsed
 * edges come out in edge-id order. out and q are built, out's lists in one of
 * the layer's buffers lw; returns AZ_OK or AZ_ENOMEM (nothing to free then). */
static int collapse_symmetric(la_work *W, la_layer_work *lw, const la_part *p,
                              const int32_t *memb_next, la_graph *out, la_part *q) {
    const la_graph *g = p->g;
    const int32_t k = p->n_comms;
    la_vattr *va;
    la_inc *all;
    int64_t cnt = 0, i;
    int32_t c, v;
    if (W->ecap < (size_t)g->m) {
        free(W->etgt);
        free(W->ew);
        W->etgt = az_malloc((size_t)g->m, sizeof(int32_t)); /* never more edges than before */
        W->ew = az_malloc((size_t)g->m, sizeof(double));
        W->ecap = W->etgt && W->ew ? (size_t)g->m : 0;
        if (!W->ecap) return AZ_ENOMEM;
    }
    memset(out, 0, sizeof(*out));
    out->n = k;
    out->directed = 1;
    out->correct_self_loops = g->correct_self_loops;
    out->va = va = az_calloc((size_t)k + 1, sizeof(la_vattr));
    if (!va) return AZ_ENOMEM;
    for (c = 0; c < k; c++) va[c].size = p->csize[c];
    if (la_part_begin(q, out, p->type, p->resolution, memb_next) != 0) {
        la_graph_free(out);
        return AZ_ENOMEM;
    }

    /* get_communities(): members in ascending order */
    memset(W->goff, 0, ((size_t)k + 1) * sizeof(int64_t));
    for (v = 0; v < g->n; v++) W->goff[p->memb[v] + 1]++;
    for (c = 0; c < k; c++) W->goff[c + 1] += W->goff[c];
    for (v = 0; v < g->n; v++) W->gnodes[W->goff[p->memb[v]]++] = v;
    for (c = k; c > 0; c--) W->goff[c] = W->goff[c - 1];
    W->goff[0] = 0;

    for (c = 0; c < k; c++) {
        int32_t nn = 0, j;
        W->eoff[c] = cnt;
        /* the OUT lists straight from the edge rows when they are those (the
         * input graph): the same entries at well under half the bytes */
        for (i = g->off && g->rows_out ? W->goff[c] : W->goff[c + 1]; i < W->goff[c + 1]; i++) {
            int64_t e;
            v = W->gnodes[i];
            if (i + 8 < g->n) AZ_PREFETCH(&g->off[W->gnodes[i + 8]]);
            if (i + 4 < g->n) {
                const int64_t r = g->off[W->gnodes[i + 4]];
                AZ_PREFETCH(&g->tgt[r]);
                if (g->w) AZ_PREFETCH(&g->w[r]);
                if (g->w32) AZ_PREFETCH(&g->w32[r]);
            }
            for (e = g->off[v]; e < g->off[v + 1]; e++) {
                const int32_t uc = p->memb[g->tgt[e]];
                if (e + 16 < g->off[v + 1]) AZ_PREFETCH(&p->memb[g->tgt[e + 16]]);
                if (!W->added[uc]) {
                    W->added[uc] = 1;
                    W->comms[nn++] = uc;
                }
                W->acc[uc] += la_edge_weight(g, e);
            }
        }
        for (i = g->off && g->rows_out ? W->goff[c + 1] : W->goff[c]; i < W->goff[c + 1]; i++) {
            int64_t b, deg, e;
            v = W->gnodes[i];
            if (i + 8 < g->n) AZ_PREFETCH(&g->all_off[W->gnodes[i + 8]]);
            if (i + 4 < g->n) la_prefetch_incidences(g, W->gnodes[i + 4]);
            b = g->all_off[v];
            deg = g->all_off[v + 1] - b;
            /* the OUT entries are the even ones */
            for (e = 0; e < deg; e += 2) {
                const int32_t uc = p->memb[la_inc_u(g, b + e)];
                if (e + 16 < deg) AZ_PREFETCH(&p->memb[la_inc_u(g, b + e + 16)]);
                if (!W->added[uc]) {
                    W->added[uc] = 1;
                    W->comms[nn++] = uc;
                }
                W->acc[uc] += la_inc_w(g, b + e);
            }
        }
        /* edge ids follow this order: Graph::init_admin() (total weight,
         * strengths in that loop's order, the first self-loop's weight)
         * and the partition's init_admin() */
        for (j = 0; j < nn; j++) {
            const int32_t uc = W->comms[j];
            const double we = W->acc[uc];
            W->etgt[cnt] = uc;
            W->ew[cnt] = we;
            cnt++;
            out->total_weight += we;
            va[uc].k_in += we;
            va[c].k_out += we;
            if (uc == c && va[c].self_w == 0.0) va[c].self_w = we;
            la_part_admin_edge(q, c, uc, we);
            W->acc[uc] = 0.0;
            W->added[uc] = 0;
        }
    }
    W->eoff[k] = cnt;
    la_part_admin_finish(q);
    all = lists_get(lw, out, 2 * (size_t)cnt);
    if (!all || la_graph_init_symmetric(out, W->eoff, W->etgt, W->ew, all, W->pos) != 0) {
        lists_release(lw, out);
        la_part_free(q);
        la_graph_free(out);
        return AZ_ENOMEM;
    }
    return AZ_OK;
}

static void level_free(la_work *W, la_level *lev) {
    int l;
    if (!lev) return;
    for (l = 0; l < W->L; l++) {
        lists_release(&W->lay[l], &lev->g[l]);
        la_part_free(&lev->p[l]);
        la_graph_free(&lev->g[l]);
    }
    free(lev->g);
    free(lev->p);
    free(lev);
}

/* The next level: each layer's graph collapsed by its refined partition
 * sub[l], with the partition memb_next over it. NULL when out of memory. */
static la_level *collapse_level(la_work *W, la_part *sub, const int32_t *memb_next) {
    la_level *next = calloc(1, sizeof(la_level));
    int l, rc = AZ_OK;
    if (next) {
        next->g = calloc((size_t)W->L, sizeof(la_graph));
        next->p = calloc((size_t)W->L, sizeof(la_part));
    }
    if (!next || !next->g || !next->p) {
        if (next) {
            free(next->g);
            free(next->p);
        }
        free(next);
        return NULL;
    }
    for (l = 0; l < W->L && rc == AZ_OK; l++) {
        la_graph *g = &next->g[l];
        if (sub[l].g->sym) {
            rc = collapse_symmetric(W, &W->lay[l], &sub[l], memb_next, g, &next->p[l]);
        } else {
            rc = collapse_graph(W, &sub[l], g);
            if (rc == AZ_OK &&
                la_part_init(&next->p[l], g, sub[l].type, sub[l].resolution, memb_next) != 0) {
                la_graph_free(g);
                rc = AZ_ENOMEM;
            }
        }
        if (rc != AZ_OK) memset(g, 0, sizeof(*g)); /* freed: level_free() skips it */
    }
    if (rc != AZ_OK) {
        level_free(W, next);
        return NULL;
    }
    return next;
}

/* mirrors the multiplex Optimiser::optimise_partition() in libleidenalg
 * src/Optimiser.cpp without fixed nodes: move nodes, carry the result to the
 * input partitions, refine within communities, aggregate the refinement, and
 * repeat while the first layer's aggregate graph shrinks. P0: one partition
 * per layer, all with the same membership. */
static int optimise_partition(la_work *W, la_part *P0, double *improv) {
    const int32_t n0 = P0[0].g->n;
    const int L = W->L;
    la_level *cur = NULL; /* NULL: the collapsed level is the input itself */
    la_part *cp = P0;
    la_part *sub = calloc((size_t)L, sizeof(la_part));
    int further, coarse = 0, rc = AZ_OK, l;
    int32_t v;
    *improv = 0.0;
    if (!sub) return AZ_ENOMEM;
    for (v = 0; v < n0; v++) W->aggnode[v] = v;
    do {
        la_level *next = NULL;
        double d;
        const int32_t cn = cp[0].g->n;
        const int64_t moves = W->moves;

        rc = move_nodes(W, cp, &d);
        if (rc != AZ_OK) break;
        *improv += d;
        if (cp == P0 && W->moves != moves) W->p0_moved = 1;
        /* upstream carries the moves to the input partitions here with
         * from_coarse_partition(), recomputing their bookkeeping from the
         * membership; nothing reads them before the next level does the same,
         * so only the last one is done, after the loop */
        coarse = cp != P0;

        for (l = 0; l < L && rc == AZ_OK; l++) {
            if (la_part_init(&sub[l], cp[l].g, cp[l].type, cp[l].resolution, NULL) != 0) {
                rc = AZ_ENOMEM;
            }
        }
        if (rc == AZ_OK) {
            /* no partition over a collapsed graph is initialised again */
            if (cur) {
                for (l = 0; l < L; l++) la_graph_free_edge_list(&cur->g[l]);
            }
            rc = merge_nodes_constrained(W, sub, cp[0].memb);
        }
        if (rc == AZ_OK) {
            for (v = 0; v < n0; v++) W->aggnode[v] = sub[0].memb[W->aggnode[v]];
            /* the moved partition on the collapsed graph */
            for (v = 0; v < cn; v++) W->newmemb[sub[0].memb[v]] = cp[0].memb[v];
            next = collapse_level(W, sub, W->newmemb);
            if (!next) rc = AZ_ENOMEM;
        }
        for (l = 0; l < L; l++) la_part_free(&sub[l]);
        memset(sub, 0, (size_t)L * sizeof(la_part));
        if (rc != AZ_OK) break;

        further = next->g[0].n < cn && cn > cp[0].n_comms;
        level_free(W, cur);
        cur = next;
        cp = cur->p;
    } while (further);
    free(sub);
    if (rc == AZ_OK && coarse) {
        /* the last from_coarse_partition(): the moved collapsed membership of
         * that level equals the new level's membership through the refined
         * aggregate nodes */
        for (l = 0; l < L; l++) {
            for (v = 0; v < n0; v++) P0[l].memb[v] = cur->p[0].memb[W->aggnode[v]];
            la_part_init_admin(&P0[l]);
        }
        W->p0_moved = 0;
    }
    level_free(W, cur);
    if (rc == AZ_OK) {
        la_part_renumber(&P0[0], &W->lay[0].s);
        set_layers_membership(W, P0);
    }
    return rc;
}

static void work_free(la_work *W) {
    int l;
    for (l = 0; W->lay && l < W->L; l++) {
        la_scratch_free(&W->lay[l].s);
        free(W->lay[l].inc_comm);
        free(W->lay[l].lists[0]);
        free(W->lay[l].lists[1]);
    }
    free(W->lay);
    free(W->d);
    free(W->queue);
    free(W->stable);
    free(W->added);
    free(W->comms);
    free(W->aggnode);
    free(W->newmemb);
    free(W->acc);
    free(W->goff);
    free(W->gnodes);
    free(W->pos);
    free(W->eoff);
    free(W->etgt);
    free(W->ew);
    free(W->nbr_comm);
}

/* max_degree[l]: the largest incidence list of any level of layer l (see
 * la_optimise()) */
static int work_init(la_work *W, const la_options *opt, const double *lw, int L,
                     const az_mt19937 *mt, int32_t n, const int64_t *max_degree,
                     az_interrupt *intr) {
    const size_t cap = (size_t)n + 1;
    int64_t total_degree = 0;
    int l, ok;
    memset(W, 0, sizeof(*W));
    W->opt = opt;
    W->L = L;
    W->lw = lw;
    W->intr = intr;
    W->rng.mt = *mt;
    W->rng.source = AZ_RNG_WHOLE_WORDS; /* igraph_rng_mt19937_get(): whole words */
    W->lay = calloc((size_t)L, sizeof(la_layer_work));
    W->d = az_malloc((size_t)L, sizeof(la_diff));
    ok = W->lay && W->d;
    for (l = 0; ok && l < L; l++) {
        W->lay[l].inc_comm = az_malloc((size_t)max_degree[l], sizeof(int32_t));
        ok = W->lay[l].inc_comm && la_scratch_init(&W->lay[l].s, n) == 0;
        total_degree += max_degree[l];
    }
    if (!ok) {
        W->L = l; /* the layers set up so far */
        work_free(W);
        return AZ_ENOMEM;
    }
    W->queue = az_malloc(cap, sizeof(int32_t));
    W->stable = az_calloc(cap, 1);
    W->added = az_calloc(cap, 1);
    W->comms = az_malloc(cap, sizeof(int32_t));
    W->aggnode = az_malloc(cap, sizeof(int32_t));
    W->newmemb = az_malloc(cap, sizeof(int32_t));
    W->acc = az_calloc(cap, sizeof(double));
    W->goff = az_malloc(cap + 1, sizeof(int64_t));
    W->gnodes = az_malloc(cap, sizeof(int32_t));
    W->pos = az_malloc(cap, sizeof(int32_t));
    W->eoff = az_malloc(cap, sizeof(int64_t));
    W->nbr_comm = az_malloc((size_t)total_degree, sizeof(int32_t));
    if (!W->nbr_comm || !W->queue || !W->stable || !W->added || !W->comms || !W->aggnode ||
        !W->newmemb || !W->acc || !W->goff || !W->gnodes || !W->pos || !W->eoff) {
        work_free(W);
        return AZ_ENOMEM;
    }
    return AZ_OK;
}

/* See leidenalg_optimiser.h. CPMVertexPartition (Python) corrects for
 * self-loops iff the graph has one; the others never do. The offsets, 32-bit
 * targets and float64 weights are borrowed from the input; float32 weights
 * are widened into a copy, which a rep-2 graph frees at once. */
int la_input_graph(const la_layer *layer, la_graph *g) {
    const az_edge_graph *in = layer->graph;
    const int32_t n = (int32_t)in->n_vertices;
    const int64_t m = in->n_edges;
    const int32_t *tgt = in->indices32;
    const double *w = layer->use_weights ? in->weights : NULL;
    int32_t *own_tgt = NULL;
    double *own_w = NULL, *own_sizes = NULL;
    int64_t e;
    int32_t v;
    int has_loop = 0;
    if (!tgt) {
        tgt = own_tgt = az_malloc((size_t)m, sizeof(int32_t));
        if (own_tgt) {
            for (e = 0; e < m; e++) own_tgt[e] = (int32_t)in->indices64[e];
        }
    }
    if (!w) {
        /* float32 weights (promotion is exact), or every weight 1 */
        const float *w32 = layer->use_weights ? in->weights32 : NULL; /* NULL: all 1 */
        w = own_w = az_malloc((size_t)m, sizeof(double));
        if (own_w) {
            for (e = 0; e < m; e++) own_w[e] = w32 ? (double)w32[e] : 1.0;
        }
    }
    if (!tgt || !w) {
        free(own_tgt);
        free(own_w);
        return AZ_ENOMEM;
    }
    if (in->sources) {
        /* an igraph_t's undirected edges with their incidence order */
        for (e = 0; e < m && !has_loop; e++) has_loop |= in->sources[e] == tgt[e];
        has_loop = layer->type == LA_CPM && has_loop;
        return la_graph_init_incidence(g, n, m, in->sources, tgt, in->incidence, w,
                                       own_w ? LA_OWN_W : 0, layer->node_size, has_loop) == 0
                   ? AZ_OK
                   : AZ_ENOMEM;
    }
    for (v = 0; v < n && !has_loop; v++) {
        for (e = in->indptr[v]; e < in->indptr[v + 1]; e++) has_loop |= tgt[e] == v;
    }
    has_loop = layer->type == LA_CPM && has_loop;
    if (layer->node_size) {
        /* la_graph_init() takes its sizes over */
        own_sizes = az_malloc((uint32_t)n + 1, sizeof(double));
        if (!own_sizes) {
            free(own_tgt);
            free(own_w);
            return AZ_ENOMEM;
        }
        memcpy(own_sizes, layer->node_size, (size_t)n * sizeof(double));
    }
    if (la_graph_init(g, n, layer->directed, in->indptr, tgt, w,
                      (own_tgt ? LA_OWN_TGT : 0) | (own_w ? LA_OWN_W : 0), own_sizes,
                      has_loop) != 0) {
        return AZ_ENOMEM;
    }
    if (!g->all && own_w) {
        /* its rows are read in place: the float32 weights own_w was widened
         * from, or every weight 1 */
        free(own_w);
        g->w = NULL;
        g->w32 = layer->use_weights ? in->weights32 : NULL;
        g->owned &= ~LA_OWN_W;
    }
    return AZ_OK;
}

/* Whether every sum of edge weights is exact in a double (integral weights,
 * total below 2^53): incremental sums then equal sums from scratch. */
static int exact_sums(const la_graph *g) {
    double total = 0.0;
    int64_t e;
    for (e = 0; e < g->m; e++) {
        const double w = la_edge_weight(g, e);
        if (w != floor(w)) return 0;
        total += fabs(w);
    }
    return total < 9007199254740992.0;
}

/* mirrors Optimiser.optimise_partition() and optimise_partition_multiplex()
 * in leidenalg src/leidenalg/Optimiser.py (find_partition() in functions.py
 * calls the first): iterate n_iterations times, or (n_iterations < 0) until an
 * iteration's improvement is not positive, summing the improvements. */
int la_optimise(const la_layer *layers, int n_layers, const la_options *opt, az_mt19937 *mt,
                int64_t *membership, double *quality, la_result *out, az_interrupt *intr) {
    const int32_t n = (int32_t)layers[0].graph->n_vertices;
    la_graph *g0 = calloc((size_t)n_layers, sizeof(la_graph));
    la_part *P0 = calloc((size_t)n_layers, sizeof(la_part));
    double *lw = az_malloc((size_t)n_layers, sizeof(double));
    int64_t *max_degree = az_malloc((size_t)n_layers, sizeof(int64_t));
    int32_t *memb32 = az_malloc((uint32_t)n, sizeof(int32_t)); /* 0 <= n < 2^31 */
    la_work W;
    int32_t v;
    int64_t itr = 0;
    int rc = AZ_OK, cont, l, built = 0;

    if (!g0 || !P0 || !lw || !max_degree || !memb32) rc = AZ_ENOMEM;
    for (v = 0; rc == AZ_OK && v < n; v++) memb32[v] = (int32_t)membership[v];
    for (l = 0; rc == AZ_OK && l < n_layers; l++) {
        lw[l] = layers[l].weight;
        rc = la_input_graph(&layers[l], &g0[l]);
        if (rc != AZ_OK) break;
        if (la_part_init(&P0[l], &g0[l], layers[l].type, layers[l].resolution, memb32) != 0) {
            la_graph_free(&g0[l]);
            rc = AZ_ENOMEM;
            break;
        }
        built++;
        /* a collapsed node's incidences: at most two per community pair plus
         * a self-loop listed twice */
        max_degree[l] = 2 * (int64_t)n + 2;
        for (v = 0; v < n; v++) {
            const int64_t deg = (g0[l].all_off[v + 1] - g0[l].all_off[v]) * g0[l].rep;
            if (deg > max_degree[l]) max_degree[l] = deg;
        }
    }
    free(memb32);
    if (rc == AZ_OK) rc = work_init(&W, opt, lw, n_layers, mt, n, max_degree, intr);
    if (rc == AZ_OK) {
        out->improvement = 0.0;
        cont = opt->n_iterations < 0 || itr < opt->n_iterations;
        while (cont) {
            double diff_inc;
            rc = optimise_partition(&W, P0, &diff_inc);
            if (rc != AZ_OK) break;
            out->improvement += diff_inc;
            itr++;
            cont = opt->n_iterations < 0 ? diff_inc > 0 : itr < opt->n_iterations;
        }
        if (rc == AZ_OK) {
            for (v = 0; v < n; v++) membership[v] = P0[0].memb[v];
            for (l = 0; l < n_layers; l++) quality[l] = la_part_quality(&P0[l]);
            out->sums_fresh = !W.p0_moved || exact_sums(&g0[0]);
        }
        *mt = W.rng.mt;
        work_free(&W);
    }
    for (l = 0; l < built; l++) {
        la_part_free(&P0[l]);
        la_graph_free(&g0[l]);
    }
    free(g0);
    free(P0);
    free(lw);
    free(max_degree);
    return rc;
}

/* mirrors igraph_modularity() in igraph community/modularity.c without
 * weights. Cores 0.10.11 and later (and 1.0) sum the within-community fraction
 * once (the undirected case is az_modularity()); cores up to 0.10.10 keep it
 * per community and alternate adding it and subtracting the null-model term. */
int la_igraph_modularity(const az_edge_graph *graph, int directed, int legacy,
                         const int64_t *membership, int64_t n_partitions, double *modularity) {
    az_edge_graph unweighted = *graph;
    const double mult = directed ? 1.0 : 2.0;
    double *k_out, *k_in, *e_part, e = 0.0, m, scale;
    int64_t i, c, row;
    unweighted.weights = NULL;
    unweighted.weights32 = NULL;
    if (!directed && !legacy) {
        return az_modularity(&unweighted, membership, n_partitions, 1.0, modularity);
    }
    k_out = calloc((size_t)n_partitions + 1, sizeof(double));
    k_in = calloc((size_t)n_partitions + 1, sizeof(double));
    e_part = calloc((size_t)n_partitions + 1, sizeof(double));
    if (!k_out || !k_in || !e_part) {
        free(k_out);
        free(k_in);
        free(e_part);
        return AZ_ENOMEM;
    }
    m = (double)graph->n_edges;
    for (i = 0, row = 0; i < graph->n_edges; i++) {
        const int64_t v = az_edge_source(graph, i, &row), t = az_edge_target(graph, i);
        /* igraph's from / to: for an undirected edge from = max(v, t) */
        const int64_t from = directed || v >= t ? v : t, to = from == v ? t : v;
        const int64_t c1 = membership[from], c2 = membership[to];
        if (c1 == c2) {
            e += mult;
            e_part[c1] += mult;
        }
        k_out[c1] += 1;
        k_in[c2] += 1;
    }
    if (!directed) {
        for (c = 0; c < n_partitions; c++) {
            k_out[c] += k_in[c];
            k_in[c] = k_out[c];
        }
    }
    scale = 1.0 / (mult * m);
    for (c = 0; c < n_partitions; c++) {
        k_out[c] *= scale;
        k_in[c] *= scale;
        e_part[c] *= scale;
    }
    e /= mult * m;
    if (m <= 0) {
        *modularity = NAN;
    } else if (legacy) {
        *modularity = 0.0;
        for (c = 0; c < n_partitions; c++) {
            *modularity += e_part[c];
            *modularity -= 1.0 * k_out[c] * k_in[c];
        }
    } else {
        *modularity = e;
        for (c = 0; c < n_partitions; c++) *modularity -= 1.0 * k_out[c] * k_in[c];
    }
    free(k_out);
    free(k_in);
    free(e_part);
    return AZ_OK;
}
