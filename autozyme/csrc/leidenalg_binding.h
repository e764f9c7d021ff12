/* Python entry points of the leidenalg port (and of the louvain package's
 * Optimiser, its ancestor on the same pieces), registered in module.c. */
#ifndef AZ_LEIDENALG_BINDING_H
#define AZ_LEIDENALG_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *az_py_leidenalg_optimise(PyObject *self, PyObject *args);
PyObject *az_py_louvain_optimise(PyObject *self, PyObject *args);
PyObject *az_py_igraph_mt_seed(PyObject *self, PyObject *args);
PyObject *az_py_shuffle_sizes(PyObject *self, PyObject *args);

#define AZ_LEIDENALG_OPTIMISE_DOC                                                          \
    "leidenalg_optimise(layers, membership, state, n_iterations, max_comm_size, version, "  \
    "legacy_modularity)\n"                                                                  \
    "-> (qualities, modularity, sums_fresh, improvement, words)\n"                          \
    "Optimiser.optimise_partition_multiplex() (optimise_partition(): one layer of weight\n" \
    "1) on edge graphs from the given membership (int64, updated in place); a layer is\n"   \
    "(graph, node_sizes, partition_type, resolution, directed, use_weights, layer_weight),\n" \
    "node_sizes float64 or None (all 1); state: the Optimiser's MT19937 (uint32[625]),\n"   \
    "advanced in place; qualities: each layer's; modularity: the first layer's graph's;\n"  \
    "words: how many words it drew."

#define AZ_LOUVAIN_OPTIMISE_DOC                                                         \
    "louvain_optimise(layer, membership, state) -> (improvement, words)\n"               \
    "The louvain package's Optimiser.optimise_partition() on a partition of the layer's\n" \
    "type built from membership (int64, updated in place); layer as for\n"               \
    "leidenalg_optimise() (node_sizes None, layer_weight ignored); state: the\n"         \
    "Optimiser's MT19937 (uint32[625]), advanced in place."

#define AZ_IGRAPH_MT_SEED_DOC                                                        \
    "igraph_mt_seed(state, seed)\n"                                                  \
    "Sets state (uint32[625]) to igraph_rng_seed(seed) of igraph's MT19937, as "      \
    "libleidenalg's Optimiser.set_rng_seed() seeds its generator."

#define AZ_SHUFFLE_SIZES_DOC                                                             \
    "shuffle_sizes(state, words, max_size) -> list of sizes\n"                           \
    "Vertex counts (each at most max_size) whose shuffles, one after the other, draw "   \
    "exactly `words` words from igraph's MT19937 in state (uint32[625]), which is "      \
    "advanced past them."

#endif
