/* libleidenalg's MutableVertexPartition and its quality functions
 * (RBConfiguration, Modularity, CPM), with the incremental bookkeeping kept in
 * upstream's floating-point order. */
#ifndef AZ_LEIDENALG_PARTITION_H
#define AZ_LEIDENALG_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "leidenalg_graph.h"

enum { LA_RB_CONFIGURATION = 0, LA_MODULARITY = 1, LA_CPM = 2 };

typedef struct {
    const la_graph *g;
    int type;
    double resolution;
    int32_t *memb;
    int32_t n_comms;          /* _n_communities: highest label + 1 */
    double *w_in;             /* _total_weight_in_comm */
    double *w_ft;             /* _total_weight_from_comm / _to_comm of c at [2c] / [2c + 1];
                                 undirected: both are [2c] (upstream keeps equal copies) */
    double *csize;
    int32_t *cnodes;
    int32_t *empty;           /* _empty_communities, used as a stack */
    int32_t n_empty;
} la_part;

/* The current node's weights to a community (cache_neigh_communities() of
 * modes OUT, IN and ALL; undirected graphs use `to` for all three). */
typedef struct {
    double w[2];    /* [0]: mode OUT ("to"), [1]: mode IN ("from"; undirected: unused) */
    double all;
    uint32_t stamp;       /* node visit that set the weights; older means zero */
    int32_t listed;
} la_cw;

/* Community weights of the current node, plus scratch for renumbering; sized
 * by the largest vertex count. */
typedef struct {
    la_cw *cw;
    uint32_t stamp;    /* current node visit */
    int32_t *order;    /* communities in order of first nonzero ALL weight */
    int32_t n_order;
    int32_t *new_id;
    double *tmp;       /* 2 (n + 1) doubles */
    void *rank;
} la_scratch;

/* memb NULL: singletons. Returns 0 or -1 (out of memory). */
int la_part_init(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb);
void la_part_free(la_part *p);
void la_part_init_admin(la_part *p);
/* init_admin() in three steps, for a caller that produces the edges itself:
 * la_part_begin() (la_part_init() up to the edge sums), la_part_admin_edge()
 * per edge in edge-id order, la_part_admin_finish(). */
int la_part_begin(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb);
void la_part_admin_nodes(la_part *p);
void la_part_admin_finish(la_part *p);

/* one edge v -> u of init_admin(); undirected: from and to receive the same
 * sums, kept once */
static inline void la_part_admin_edge(la_part *p, int32_t v, int32_t u, double w) {
    const int32_t vc = p->memb[v], uc = p->memb[u];
    p->w_ft[2 * (size_t)vc] += w;
    p->w_ft[2 * (size_t)uc + p->g->directed] += w;
    if (vc == uc) p->w_in[vc] += w;
}
/* inc_comm[k]: the community of v's k-th incidence (as la_part_cache_node()
 * records it), saving the lookups */
void la_part_move_node(la_part *p, int32_t v, int32_t new_comm, const int32_t *inc_comm);
int32_t la_part_get_empty_community(la_part *p);
void la_part_renumber(la_part *p, la_scratch *s);
double la_part_quality(const la_part *p);

int la_scratch_init(la_scratch *s, int32_t n);
void la_scratch_free(la_scratch *s);

/* Fills s->cw and s->order for node v, and inc_comm (one per incidence). */
void la_part_cache_node(const la_part *p, la_scratch *s, int32_t v, int32_t *inc_comm);

/* diff_move(v, .) split in two: the terms of v and its current community are
 * the same for every candidate, so they are evaluated once (same operations,
 * same values). */
typedef struct {
    int32_t old_comm;
    int zero;        /* RBConfiguration / Modularity on a graph of total weight 0 */
    double k_out, k_in, self_weight, nsize;
    double total_weight; /* RBConfiguration / Modularity: total weight, doubled if undirected */
    double diff_old;
} la_diff;

/* weight_to_comm(v, c) and weight_from_comm(v, c) after la_part_cache_node(p, s, v) */
static inline void la_cw_get(const la_scratch *s, int directed, int32_t c, double *to,
                             double *from) {
    const la_cw *x = &s->cw[c];
    const int fresh = x->stamp == s->stamp;
    *to = fresh ? x->w[0] : 0.0;
    *from = fresh ? x->w[directed] : 0.0;
}

/* w_to_old / w_from_old: v's weights to / from its own community */
void la_diff_init(la_diff *d, const la_part *p, int32_t v, double w_to_old, double w_from_old);

static inline double la_comm_value(const double *x, const la_part *p, int32_t c) {
    return c < p->n_comms ? x[c] : 0.0; /* zero beyond the known communities */
}

/* total_weight_from_comm(c) / total_weight_to_comm(c) */
static inline double la_wfrom(const la_part *p, int32_t c) {
    return c < p->n_comms ? p->w_ft[2 * (size_t)c] : 0.0;
}
static inline double la_wto(const la_part *p, int32_t c) {
    return c < p->n_comms ? p->w_ft[2 * (size_t)c + p->g->directed] : 0.0;
}

/* mirrors RBConfigurationVertexPartition::diff_move(),
 * ModularityVertexPartition::diff_move() and CPMVertexPartition::diff_move()
 * in libleidenalg src/ (one file per partition type) */
static inline double la_diff_move(const la_diff *d, const la_part *p, int32_t new_comm,
                                  double w_to_new, double w_from_new) {
    const la_graph *g = p->g;
    double diff = 0.0;
    if (p->type == LA_CPM) {
        if (new_comm != d->old_comm) {
            const double csize_new = la_comm_value(p->csize, p, new_comm);
            const double ped_new = g->correct_self_loops
                                       ? d->nsize * (2.0 * csize_new + d->nsize)
                                       : d->nsize * (2.0 * csize_new + d->nsize - 1.0);
            const double diff_new =
                w_to_new + w_from_new + d->self_weight - p->resolution * ped_new;
            diff = diff_new - d->diff_old;
        }
        return diff;
    }
    if (d->zero) return 0.0;
    if (new_comm != d->old_comm) {
        const double tw = d->total_weight;
        const double K_out_new = la_wfrom(p, new_comm) + d->k_out;
        const double K_in_new = la_wto(p, new_comm) + d->k_in;
        double diff_new;
        if (p->type == LA_MODULARITY) {
            diff_new = (w_to_new + d->self_weight - d->k_out * K_in_new / tw) +
                       (w_from_new + d->self_weight - d->k_in * K_out_new / tw);
        } else {
            const double res = p->resolution;
            diff_new = (w_to_new + d->self_weight - res * d->k_out * K_in_new / tw) +
                       (w_from_new + d->self_weight - res * d->k_in * K_out_new / tw);
        }
        diff = diff_new - d->diff_old;
    }
    if (p->type == LA_MODULARITY) {
        return diff / (g->directed ? g->total_weight : 2 * g->total_weight);
    }
    return diff;
}

#endif
