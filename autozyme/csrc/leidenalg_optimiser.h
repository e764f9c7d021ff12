/* libleidenalg's Optimiser as leidenalg.find_partition() drives it. */
#ifndef AZ_LEIDENALG_OPTIMISER_H
#define AZ_LEIDENALG_OPTIMISER_H

#include <stdint.h>

#include "az_graph.h"
#include "az_runtime.h"
#include "igraph_rng.h"

/* Optimiser generations:
 * LA_OPT_0_12: libleidenalg 0.11.0 / 0.12.0 (leidenalg 0.10.2 / 0.11.0):
 *   refinement considers all neighbouring communities; max_comm_size skips
 *   candidate communities that would grow too large.
 * LA_OPT_0_13: libleidenalg 0.13.0 (leidenalg 0.12.0): refinement draws one
 *   random neighbouring community; max_comm_size only forbids staying in an
 *   oversized community (size constraints otherwise need
 *   community_constraint_enforcement, which find_partition leaves at 0). */
enum { LA_OPT_0_12 = 0, LA_OPT_0_13 = 1 };

typedef struct {
    int type;               /* LA_RB_CONFIGURATION, LA_MODULARITY, LA_CPM */
    double resolution;
    int directed;
    int use_weights;
    int64_t n_iterations;   /* < 0: until an iteration improves nothing */
    uint64_t max_comm_size; /* 0: unbounded */
    int version;            /* LA_OPT_0_12 or LA_OPT_0_13 */
} la_options;

typedef struct {
    double quality;     /* partition.quality() */
    double improvement; /* what Optimiser.optimise_partition() returns */
    /* 0 where the partition upstream leaves keeps community sums updated
     * move by move that may differ from sums computed from its membership
     * (its last level moved nodes and did not aggregate, on non-integral
     * weights) */
    int sums_fresh;
} la_result;

/* Optimiser.optimise_partition(partition, n_iterations) with the Optimiser's
 * default settings but max_comm_size, on a partition whose bookkeeping is
 * computed from `membership` (as a partition's constructor computes it);
 * leidenalg.find_partition() is this on a fresh Optimiser. membership: in,
 * labels in [0, n); out, partition.membership. node_size: the graph's node
 * sizes (n), or NULL: every size 1. mt: the Optimiser's generator (igraph's
 * MT19937), advanced in place, also when interrupted.
 * Returns AZ_OK, AZ_ENOMEM or AZ_EINTR. */
int la_optimise(const az_edge_graph *graph, const la_options *opt, const double *node_size,
                az_mt19937 *mt, int64_t *membership, la_result *out, az_interrupt *intr);

/* igraph_modularity(graph, membership, weights=NULL, resolution=1,
 * directed=True), what python-igraph's VertexClustering.modularity reports
 * for the partition; membership labels lie in [0, n_partitions). legacy: the
 * summation of igraph C cores up to 0.10.10 (python-igraph < 0.11.5). */
int la_igraph_modularity(const az_edge_graph *graph, int directed, int legacy,
                         const int64_t *membership, int64_t n_partitions, double *modularity);

#endif
