/* Python entry point reading the edge list out of a python-igraph Graph,
 * registered in module.c. */
#ifndef AZ_IGRAPH_GRAPH_BINDING_H
#define AZ_IGRAPH_GRAPH_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *az_py_igraph_edges(PyObject *self, PyObject *args);
PyObject *az_py_igraph_attribute(PyObject *self, PyObject *args);
PyObject *az_py_float_list(PyObject *self, PyObject *args);

#define AZ_IGRAPH_EDGES_DOC                                                                  \
    "igraph_edges(capsule, n_vertices, n_edges, directed) -> (indptr, targets, sources, "    \
    "incidence)\n"                                                                           \
    "The edges of the igraph_t behind Graph.__graph_as_capsule(), in edge id order, as "     \
    "bytearrays: where they are the nonzeros of a CSR matrix in stored order (as scanpy "    \
    "adds them), its indptr (int64) and column indices (int32), sources and incidence "     \
    "None; else the int32 to / from vectors and, for an undirected graph, every vertex's "   \
    "incident edge ids in igraph_incident()'s order (2 * n_edges, vertex after vertex; "     \
    "None if directed), indptr None. Raises ValueError unless the igraph_t agrees with "    \
    "the counts and direction python-igraph reports for it."

#define AZ_IGRAPH_ATTRIBUTE_DOC                                                             \
    "igraph_attribute(capsule, n_vertices, n_edges, directed, kind, name) -> list or None\n" \
    "The list python-igraph stores the vertex (kind 1) or edge (kind 2) attribute name in "  \
    "(not a copy: do not change it), None if there is none or it is not one such list. Raises ValueError as "           \
    "igraph_edges does."

#define AZ_FLOAT_LIST_DOC                                                                 \
    "float_list(list, float32_type, types) -> (bytearray, itemsize), or None\n"          \
    "The items of a list of exact Python floats, numpy float32 scalars (float32_type) "    \
    "and objects of exactly the given types as float32 (itemsize 4) where every value "    \
    "is a float32's, else as doubles (8); None if any item is another type. For "          \
    "attribute values such as Graph.es['weight']."

#endif
