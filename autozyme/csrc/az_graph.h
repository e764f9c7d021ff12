/* The input graph every core reads: igraph's edge list in CSR form. */
#ifndef AZ_GRAPH_H
#define AZ_GRAPH_H

#include <stdint.h>

/* igraph's edge list as CSR: edge ids are the stored positions 0..m-1, edge e
 * of row v joining v and its target. */
typedef struct {
    int64_t n_vertices;         /* < 2^31 */
    int64_t n_edges;
    const int64_t *indptr;      /* n_vertices + 1 */
    const int32_t *indices32;   /* exactly one of indices32 / indices64 is set */
    const int64_t *indices64;
    const double *weights;      /* at most one of weights / weights32 is set; */
    const float *weights32;     /* neither: every edge weighs 1 */
} az_edge_graph;

static inline int64_t az_edge_target(const az_edge_graph *g, int64_t e) {
    return g->indices32 ? (int64_t)g->indices32[e] : g->indices64[e];
}

/* float32 weights promote exactly, as upstream's Python floats hold them */
static inline double az_edge_weight(const az_edge_graph *g, int64_t e) {
    if (g->weights32) return (double)g->weights32[e];
    return g->weights ? g->weights[e] : 1.0;
}

#endif
