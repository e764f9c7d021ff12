/* libleidenalg's Optimiser as leidenalg's Python layer drives it:
 * find_partition(), optimise_partition() and optimise_partition_multiplex(). */
#ifndef AZ_LEIDENALG_OPTIMISER_H
#define AZ_LEIDENALG_OPTIMISER_H

#include <stdint.h>

#include "az_graph.h"
#include "az_runtime.h"
#include "igraph_rng.h"
#include "leidenalg_graph.h"

/* Optimiser generations:
 * LA_OPT_0_12: libleidenalg 0.11.0 / 0.12.0 (leidenalg 0.10.2 / 0.11.0):
 *   refinement considers all neighbouring communities; max_comm_size skips
 *   candidate communities that would grow too large.
 * LA_OPT_0_13: libleidenalg 0.13.0 (leidenalg 0.12.0): refinement draws one
 *   random neighbouring community; max_comm_size only forbids staying in an
 *   oversized community (size constraints otherwise need
 *   community_constraint_enforcement, which find_partition leaves at 0). */
enum { LA_OPT_0_12 = 0, LA_OPT_0_13 = 1 };

/* One layer of Optimiser.optimise_partition_multiplex(): a partition of its
 * type built on its graph, and the weight of its quality in the sum the
 * optimiser improves. optimise_partition() is the single layer of weight 1. */
typedef struct {
    const az_edge_graph *graph;
    int type;               /* LA_RB_CONFIGURATION, LA_MODULARITY, LA_CPM */
    double resolution;
    int directed;
    int use_weights;
    const double *node_size; /* the graph's node sizes (n), or NULL: every size 1 */
    double weight;           /* layer weight */
} la_layer;

typedef struct {
    int64_t n_iterations;   /* < 0: until an iteration improves nothing */
    uint64_t max_comm_size; /* 0: unbounded */
    int version;            /* LA_OPT_0_12 or LA_OPT_0_13 */
} la_options;

typedef struct {
    double improvement; /* what optimise_partition(_multiplex)() returns */
    /* 0 where the first layer's partition upstream leaves keeps community sums
     * updated move by move that may differ from sums computed from its
     * membership (its last level moved nodes and did not aggregate, on
     * non-integral weights); the other layers' are always recomputed */
    int sums_fresh;
} la_result;

/* Optimiser.optimise_partition_multiplex(partitions, layer_weights,
 * n_iterations) with the Optimiser's default settings but max_comm_size, on
 * partitions whose bookkeeping is computed from `membership` (as a partition's
 * constructor computes it); every layer's graph has the same vertex count.
 * Optimiser.optimise_partition() is this with one layer, find_partition() that
 * on a fresh Optimiser. membership: in, labels in [0, n); out, every
 * partition's membership. quality: out, each layer's partition.quality().
 * mt: the Optimiser's generator (igraph's MT19937), advanced in place, also
 * when interrupted. Returns AZ_OK, AZ_ENOMEM or AZ_EINTR. */
int la_optimise(const la_layer *layers, int n_layers, const la_options *opt, az_mt19937 *mt,
                int64_t *membership, double *quality, la_result *out, az_interrupt *intr);

/* The layer's graph as libleidenalg's (and the louvain package's) Graph sees
 * it: igraph's edges in id order, weight 1 for every edge without weights;
 * strengths summed in edge-id order. Returns AZ_OK or AZ_ENOMEM. */
int la_input_graph(const la_layer *layer, la_graph *g);

/* igraph_modularity(graph, membership, weights=NULL, resolution=1,
 * directed=True), what python-igraph's VertexClustering.modularity reports
 * for the partition; membership labels lie in [0, n_partitions). legacy: the
 * summation of igraph C cores up to 0.10.10 (python-igraph < 0.11.5). */
int la_igraph_modularity(const az_edge_graph *graph, int directed, int legacy,
                         const int64_t *membership, int64_t n_partitions, double *modularity);

#endif
