/* The Optimiser of the louvain package (louvain-igraph 0.8, the C++ under
 * src/louvain/) as louvain.find_partition() drives it: the ancestor of
 * libleidenalg's, on the same Graph and MutableVertexPartition bookkeeping
 * (leidenalg_graph.h, leidenalg_partition.h), with its own move and
 * aggregation routines. */
#ifndef AZ_LOUVAIN_OPTIMISER_H
#define AZ_LOUVAIN_OPTIMISER_H

#include <stdint.h>

#include "az_runtime.h"
#include "leidenalg_optimiser.h"
#include "mt19937.h"

/* Optimiser.optimise_partition(partition) with the default settings
 * (consider_comms ALL_NEIGH_COMMS, consider_empty_community) on a partition of
 * layer->type built on layer's graph from `membership` (labels in [0, n); out:
 * the optimised membership). layer->node_size must be NULL (louvain reads
 * integer sizes only) and layer->weight is ignored. mt: the Optimiser's
 * generator (igraph's MT19937), advanced in place, also when interrupted.
 * improvement: what optimise_partition() returns. Returns AZ_OK, AZ_ENOMEM or
 * AZ_EINTR. */
int lv_optimise(const la_layer *layer, az_mt19937 *mt, int64_t *membership, double *improvement,
                az_interrupt *intr);

#endif
