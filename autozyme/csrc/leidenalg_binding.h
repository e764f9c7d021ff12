/* Python entry points of the leidenalg port, registered in module.c. */
#ifndef AZ_LEIDENALG_BINDING_H
#define AZ_LEIDENALG_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *az_py_leidenalg_optimise(PyObject *self, PyObject *args);
PyObject *az_py_igraph_mt_seed(PyObject *self, PyObject *args);
PyObject *az_py_shuffle_sizes(PyObject *self, PyObject *args);

#define AZ_LEIDENALG_OPTIMISE_DOC                                                          \
    "leidenalg_optimise(graph, membership, node_sizes, state, partition_type, resolution, " \
    "directed, use_weights, n_iterations, max_comm_size, version, legacy_modularity)\n"     \
    "-> (quality, modularity, sums_fresh, improvement, words)\n"                            \
    "Optimiser.optimise_partition() on an edge graph from the given membership (int64,\n"   \
    "updated in place); node_sizes: float64 or None (all 1); state: the Optimiser's\n"      \
    "MT19937 (uint32[625]), advanced in place;\n"                                           \
    "words: how many words it drew."

#define AZ_IGRAPH_MT_SEED_DOC                                                        \
    "igraph_mt_seed(state, seed)\n"                                                  \
    "Sets state (uint32[625]) to igraph_rng_seed(seed) of igraph's MT19937, as "      \
    "libleidenalg's Optimiser.set_rng_seed() seeds its generator."

#define AZ_SHUFFLE_SIZES_DOC                                                             \
    "shuffle_sizes(state, words) -> list of sizes\n"                                     \
    "Vertex counts whose shuffles, one after the other, draw exactly `words` words "     \
    "from igraph's MT19937 in state (uint32[625]), which is advanced past them."

#endif
