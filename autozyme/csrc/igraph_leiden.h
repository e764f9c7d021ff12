/* Port of igraph's Leiden algorithm (igraph_community_leiden) and modularity,
 * bit-identical to python-igraph's Graph.community_leiden / Graph.modularity on
 * undirected graphs. */
#ifndef AZ_IGRAPH_LEIDEN_H
#define AZ_IGRAPH_LEIDEN_H

#include <stdint.h>

#include "az_graph.h"
#include "az_runtime.h"
#include "igraph_rng.h"

/* Where az_leiden()'s time goes (seconds, summed over levels and iterations):
 * building the input level and vertex weights plus writing the result back,
 * fast-move, refinement (in-cluster lists and merges), aggregation. */
enum { AZ_PHASE_SETUP, AZ_PHASE_FASTMOVE, AZ_PHASE_REFINE, AZ_PHASE_AGGREGATE, AZ_N_PHASES };

/* What sets python-igraph's behaviour classes (autozyme.verification.releases)
 * apart in this port; a class is a combination of these bits, none set being
 * class D (python-igraph 0.11.5-0.11.9, C core 0.10.12 and later).
 * AZ_IGRAPH_CORE_1_0: C core 1.0 (class E): iterates while something changed,
 * 0.10 while nothing did (see az_leiden()).
 * AZ_IGRAPH_STRENGTH_BY_VERTEX: igraph_strength() for all vertices sums each
 * vertex's incidence list (C core up to 0.10.10, python-igraph up to 0.11.4:
 * classes A-C); later cores (igraph_i_strength_all()) sum over the edge list.
 * AZ_IGRAPH_MODULARITY_PER_CLUSTER: igraph_modularity() keeps the within-
 * cluster weight per cluster and alternates adding it and subtracting the
 * null-model term, 0 at total weight 0 (C core up to 0.10.10); later cores sum
 * it once and give NaN there. */
enum {
    AZ_IGRAPH_CORE_1_0 = 1,
    AZ_IGRAPH_STRENGTH_BY_VERTEX = 2,
    AZ_IGRAPH_MODULARITY_PER_CLUSTER = 4,
    AZ_IGRAPH_BEHAVIOURS = 7 /* all bits */
};

/* Runs n_iterations (> 0, or < 0 for "until convergence") Leiden iterations.
 * membership: in, the start partition already reindexed the way igraph does on
 * entry; out, the result. node_weights NULL means strength without loops when
 * normalize_resolution, else all ones. quality NULL skips computing it (a pass
 * over all edges that scanpy never reads). phases: AZ_N_PHASES seconds, to
 * which the run's phase times are added. */
int az_leiden(const az_edge_graph *g, const double *node_weights, int normalize_resolution,
              double resolution, double beta, int64_t n_iterations, int behaviour,
              int64_t *membership, az_rng *rng, az_interrupt *intr, double *quality,
              double *phases);

/* igraph_modularity() for an undirected graph; membership labels lie in
 * [0, n_partitions), in igraph's partition order; behaviour: AZ_IGRAPH_* bits
 * (only AZ_IGRAPH_MODULARITY_PER_CLUSTER matters). */
int az_igraph_modularity(const az_edge_graph *g, const int64_t *membership,
                         int64_t n_partitions, double resolution, int behaviour,
                         double *modularity);

/* az_igraph_modularity() as the cores after 0.10.10 sum it. */
static inline int az_modularity(const az_edge_graph *g, const int64_t *membership,
                                int64_t n_partitions, double resolution, double *modularity) {
    return az_igraph_modularity(g, membership, n_partitions, resolution, 0, modularity);
}

#endif
