/* Python entry points of the leidenalg port, registered in module.c. */
#ifndef AZ_LEIDENALG_BINDING_H
#define AZ_LEIDENALG_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *az_py_leidenalg_find_partition(PyObject *self, PyObject *args);

#define AZ_LEIDENALG_FIND_PARTITION_DOC                                                     \
    "leidenalg_find_partition(graph, membership, partition_type, "      \
    "resolution, directed, use_weights, n_iterations, seed, max_comm_size, version, "    \
    "legacy_modularity) -> (quality, modularity)\n"                                         \
    "leidenalg.find_partition() on an edge graph; updates membership (int64) in place."

#endif
