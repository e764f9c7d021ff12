/* libleidenalg's MutableVertexPartition and its quality functions
 * (RBConfiguration, Modularity, CPM), with the incremental bookkeeping kept in
 * upstream's floating-point order. */
#ifndef AZ_LEIDENALG_PARTITION_H
#define AZ_LEIDENALG_PARTITION_H

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
    double *w_from, *w_to;    /* _total_weight_from/to_comm; one array if undirected */
    double *csize;
    int32_t *cnodes;
    int32_t *empty;           /* _empty_communities, used as a stack */
    int32_t n_empty;
} la_part;

/* The current node's weights to a community (cache_neigh_communities() of
 * modes OUT, IN and ALL; undirected graphs use `to` for all three). */
typedef struct {
    double to, from, all;
    int32_t listed, touched;
} la_cw;

/* Community weights of the current node, plus scratch for renumbering; sized
 * by the largest vertex count. */
typedef struct {
    la_cw *cw;
    int32_t *order;    /* communities in order of first nonzero ALL weight */
    int32_t n_order;
    int32_t *touched;  /* communities whose weights must be reset */
    int32_t n_touched;
    int32_t *new_id;
    double *tmp;
    void *rank;
} la_scratch;

/* memb NULL: singletons. Returns 0 or -1 (out of memory). */
int la_part_init(la_part *p, const la_graph *g, int type, double resolution, const int32_t *memb);
void la_part_free(la_part *p);
void la_part_init_admin(la_part *p);
void la_part_move_node(la_part *p, int32_t v, int32_t new_comm);
int32_t la_part_get_empty_community(la_part *p);
void la_part_renumber(la_part *p, la_scratch *s);
double la_part_quality(const la_part *p);

int la_scratch_init(la_scratch *s, int32_t n);
void la_scratch_free(la_scratch *s);

/* Fills s->cw and s->order for node v. */
void la_part_cache_node(const la_part *p, la_scratch *s, int32_t v);
/* diff_move(v, new_comm) after la_part_cache_node(p, s, v) */
double la_part_diff_move(const la_part *p, const la_scratch *s, int32_t v, int32_t new_comm);

#endif
