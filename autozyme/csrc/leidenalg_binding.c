/* Python binding of the leidenalg port: arguments in, GIL released for the
 * whole run, KeyboardInterrupt and MemoryError out. */
#include "leidenalg_binding.h"

#include "binding_util.h"

#include "igraph_leiden.h"
#include "leidenalg_optimiser.h"
#include "leidenalg_partition.h"

PyObject *az_py_leidenalg_find_partition(PyObject *self, PyObject *args) {
    PyObject *indptr, *indices, *weights, *membership;
    Py_buffer b_indptr, b_indices, b_weights, b_memb;
    la_options opt;
    az_edge_graph g = {0};
    az_interrupt intr = {az_check_signals, NULL, 0};
    double quality = 0.0, modularity = 0.0;
    Py_ssize_t n, m, itemsize;
    int rc, has_weights, legacy_modularity;
    unsigned long long seed, max_comm_size;
    long long n_iterations;
    (void)self;

    if (!PyArg_ParseTuple(args, "OOOOidppLKKip", &indptr, &indices, &weights, &membership,
                          &opt.type, &opt.resolution, &opt.directed, &opt.use_weights,
                          &n_iterations, &seed, &max_comm_size, &opt.version,
                          &legacy_modularity)) {
        return NULL;
    }
    has_weights = weights != Py_None;
    opt.n_iterations = n_iterations;
    opt.seed = seed;
    opt.max_comm_size = max_comm_size;
    if (opt.type < LA_RB_CONFIGURATION || opt.type > LA_CPM ||
        (opt.version != LA_OPT_0_12 && opt.version != LA_OPT_0_13)) {
        PyErr_SetString(PyExc_ValueError, "invalid partition type or version");
        return NULL;
    }
    if (az_get_buffer(indptr, &b_indptr, 8, -1, 0, "indptr") != 0) return NULL;
    n = b_indptr.shape[0] - 1;
    if (n < 0 || n >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "vertex count must lie in [0, 2**31 - 1)");
        PyBuffer_Release(&b_indptr);
        return NULL;
    }
    m = (Py_ssize_t)((const int64_t *)b_indptr.buf)[n];
    itemsize = 8;
    if (PyObject_GetBuffer(indices, &b_indices, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0) {
        itemsize = b_indices.itemsize;
        PyBuffer_Release(&b_indices);
    } else {
        PyBuffer_Release(&b_indptr);
        return NULL;
    }
    if (az_get_buffer(indices, &b_indices, itemsize == 4 ? 4 : 8, m, 0, "indices") != 0) {
        PyBuffer_Release(&b_indptr);
        return NULL;
    }
    if (has_weights && az_get_buffer(weights, &b_weights, 8, m, 0, "weights") != 0) {
        PyBuffer_Release(&b_indices);
        PyBuffer_Release(&b_indptr);
        return NULL;
    }
    if (az_get_buffer(membership, &b_memb, 8, n, 1, "membership") != 0) {
        if (has_weights) PyBuffer_Release(&b_weights);
        PyBuffer_Release(&b_indices);
        PyBuffer_Release(&b_indptr);
        return NULL;
    }
    g.n_vertices = n;
    g.n_edges = m;
    g.indptr = b_indptr.buf;
    g.indices32 = itemsize == 4 ? b_indices.buf : NULL;
    g.indices64 = itemsize == 4 ? NULL : b_indices.buf;
    g.weights = has_weights ? b_weights.buf : NULL;

    Py_BEGIN_ALLOW_THREADS
    rc = la_find_partition(&g, &opt, b_memb.buf, &quality, &intr);
    if (rc == AZ_OK) {
        const int64_t *memb = b_memb.buf;
        int64_t k = 0, v;
        for (v = 0; v < n; v++) {
            if (memb[v] + 1 > k) k = memb[v] + 1;
        }
        rc = la_igraph_modularity(&g, opt.directed, legacy_modularity, memb, k, &modularity);
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&b_memb);
    if (has_weights) PyBuffer_Release(&b_weights);
    PyBuffer_Release(&b_indices);
    PyBuffer_Release(&b_indptr);
    if (rc == AZ_ENOMEM) return PyErr_NoMemory();
    if (rc == AZ_EINTR) {
        if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
    }
    return Py_BuildValue("dd", quality, modularity);
}
