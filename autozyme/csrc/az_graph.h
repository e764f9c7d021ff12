/* The input graph every core reads: igraph's edge list, in edge id order. */
#ifndef AZ_GRAPH_H
#define AZ_GRAPH_H

#include <stdint.h>

/* Edge e (ids 0..m-1) joins its source and its target. Two forms hold the
 * sources: CSR (indptr set, sources NULL), where the edges of row v are the
 * stored positions [indptr[v], indptr[v + 1]) and v is their source, as scanpy
 * builds igraph graphs from a matrix; or an edge list (sources set, indptr
 * NULL), as an igraph_t holds its from / to vectors, which comes with the
 * order of every vertex's incident edges (see level_from_edges()). */
typedef struct {
    int64_t n_vertices;         /* < 2^31 */
    int64_t n_edges;
    const int64_t *indptr;      /* CSR: n_vertices + 1 */
    const int32_t *sources;     /* edge list: one per edge */
    const int32_t *incidence;   /* edge list: 2 * n_edges edge ids, vertex after vertex */
    const int32_t *indices32;   /* targets: exactly one of indices32 / indices64 is set */
    const int64_t *indices64;
    const double *weights;      /* at most one of weights / weights32 is set; */
    const float *weights32;     /* neither: every edge weighs 1 */
} az_edge_graph;

static inline int64_t az_edge_target(const az_edge_graph *g, int64_t e) {
    return g->indices32 ? (int64_t)g->indices32[e] : g->indices64[e];
}

/* The source of edge e, for loops visiting edges in ascending id order: *row
 * starts at 0 and follows the CSR rows as e passes their ends. */
static inline int64_t az_edge_source(const az_edge_graph *g, int64_t e, int64_t *row) {
    if (g->sources) return g->sources[e];
    while (g->indptr[*row + 1] <= e) (*row)++;
    return *row;
}

/* The other end of edge id (from / to: an edge list) at vertex v, as an
 * incidence list names it; a self-loop's is v itself. */
static inline int32_t az_incident_neighbour(const int32_t *from, const int32_t *to, int32_t id,
                                            int64_t v) {
    return from[id] == v ? to[id] : from[id];
}

/* float32 weights promote exactly, as upstream's Python floats hold them */
static inline double az_edge_weight(const az_edge_graph *g, int64_t e) {
    if (g->weights32) return (double)g->weights32[e];
    return g->weights ? g->weights[e] : 1.0;
}

#endif
