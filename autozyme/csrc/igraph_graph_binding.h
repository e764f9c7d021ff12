/* Python entry point reading the edge list out of a python-igraph Graph,
 * registered in module.c. */
#ifndef AZ_IGRAPH_GRAPH_BINDING_H
#define AZ_IGRAPH_GRAPH_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *az_py_igraph_edges(PyObject *self, PyObject *args);
PyObject *az_py_float_list(PyObject *self, PyObject *args);

#define AZ_IGRAPH_EDGES_DOC                                                                 \
    "igraph_edges(capsule, n_vertices, n_edges, directed) -> (sources, targets, incidence)\n" \
    "The from / to vectors of the igraph_t behind Graph.__graph_as_capsule(), copied as "   \
    "int32 into bytearrays in edge id order, and, for an undirected graph, every vertex's " \
    "incident edge ids in igraph_incident()'s order (2 * n_edges, vertex after vertex; "    \
    "None if directed). Raises ValueError unless the igraph_t agrees with the counts and "  \
    "direction python-igraph reports for it."

#define AZ_FLOAT_LIST_DOC                                                                 \
    "float_list(list, types) -> bytearray of float64, or None\n"                          \
    "The items of a list of exact Python floats and of objects of exactly the given "      \
    "types as doubles (None if any item is another type), for attribute values such as "   \
    "Graph.es['weight']."

#endif
