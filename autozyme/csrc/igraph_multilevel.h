/* Port of igraph's multi-level modularity optimisation (Louvain,
 * igraph_community_multilevel), bit-identical to python-igraph's
 * Graph.community_multilevel on undirected graphs. */
#ifndef AZ_IGRAPH_MULTILEVEL_H
#define AZ_IGRAPH_MULTILEVEL_H

#include <stdint.h>

#include "az_graph.h"
#include "az_runtime.h"
#include "igraph_rng.h"

/* What az_multilevel() found: the membership of the input vertices after every
 * level that merged something (n_levels rows of n_vertices labels, the last one
 * the result) and the modularity igraph reports for each. Owned by the caller
 * once returned; release with az_multilevel_result_free(). */
typedef struct {
    int64_t n_levels;
    int32_t *memberships; /* n_levels * n_vertices */
    double *modularity;   /* n_levels */
} az_multilevel_result;

void az_multilevel_result_free(az_multilevel_result *res);

/* Runs igraph_community_multilevel() on g (weights: g's, or all ones) at the
 * given resolution, drawing from rng. transpose: the random transposition of
 * the visiting order before each pass (igraph #2650) of C cores 0.10.13 and
 * later (python-igraph 0.11.8 and later); earlier cores draw only the shuffle
 * of each level. out: filled on AZ_OK (zero levels: every vertex stays alone);
 * on an error nothing is left to free. */
int az_multilevel(const az_edge_graph *g, double resolution, int transpose, az_rng *rng,
                  az_interrupt *intr, az_multilevel_result *out);

#endif
