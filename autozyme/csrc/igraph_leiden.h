/* Port of igraph's Leiden algorithm (igraph_community_leiden) and modularity,
 * bit-identical to python-igraph's Graph.community_leiden / Graph.modularity on
 * undirected graphs. */
#ifndef AZ_IGRAPH_LEIDEN_H
#define AZ_IGRAPH_LEIDEN_H

#include <stdint.h>

#include "igraph_rng.h"

/* igraph's edge list as CSR: edge ids are the stored positions 0..m-1. */
typedef struct {
    int64_t n_vertices;         /* < 2^31 */
    int64_t n_edges;
    const int64_t *indptr;      /* n_vertices + 1 */
    const int32_t *indices32;   /* exactly one of indices32 / indices64 is set */
    const int64_t *indices64;
    const double *weights;      /* at most one of weights / weights32 is set; */
    const float *weights32;     /* neither: every edge weighs 1 */
} az_edge_graph;

/* Cooperative cancellation: check() runs every 2^14 vertex visits. */
typedef struct {
    int (*check)(void *ctx); /* nonzero aborts the run */
    void *ctx;
    uint32_t counter;
} az_interrupt;

enum { AZ_OK = 0, AZ_ENOMEM = 1, AZ_EINTR = 2 };

/* Where az_leiden()'s time goes (seconds, summed over levels and iterations):
 * building the input level and vertex weights plus writing the result back,
 * fast-move, refinement (in-cluster lists and merges), aggregation. */
enum { AZ_PHASE_SETUP, AZ_PHASE_FASTMOVE, AZ_PHASE_REFINE, AZ_PHASE_AGGREGATE, AZ_N_PHASES };
enum { AZ_CORE_0_10 = 0, AZ_CORE_1_0 = 1 };

/* Runs n_iterations (> 0, or < 0 for "until convergence") Leiden iterations.
 * membership: in, the start partition already reindexed the way igraph does on
 * entry; out, the result. node_weights NULL means strength without loops when
 * normalize_resolution, else all ones. quality NULL skips computing it (a pass
 * over all edges that scanpy never reads). phases: AZ_N_PHASES seconds, to
 * which the run's phase times are added. */
int az_leiden(const az_edge_graph *g, const double *node_weights, int normalize_resolution,
              double resolution, double beta, int64_t n_iterations, int core,
              int64_t *membership, az_rng *rng, az_interrupt *intr, double *quality,
              double *phases);

/* igraph_modularity() for an undirected graph; membership labels lie in
 * [0, n_partitions), in igraph's partition order. */
int az_modularity(const az_edge_graph *g, const int64_t *membership, int64_t n_partitions,
                  double resolution, double *modularity);

#endif
