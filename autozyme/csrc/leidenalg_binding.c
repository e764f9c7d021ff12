/* Python binding of the leidenalg port: arguments in, GIL released for the
 * whole run, KeyboardInterrupt and MemoryError out. */
#include "leidenalg_binding.h"

#include "binding_util.h"

#include "leidenalg_optimiser.h"
#include "leidenalg_partition.h"

PyObject *az_py_leidenalg_find_partition(PyObject *self, PyObject *args) {
    PyObject *graph, *membership;
    Py_buffer b_memb;
    la_options opt;
    az_graph_view gv;
    az_interrupt intr = {az_check_signals, NULL, 0};
    double quality = 0.0, modularity = 0.0;
    Py_ssize_t n;
    int rc, legacy_modularity, sums_fresh = 1;
    unsigned long long seed, max_comm_size;
    long long n_iterations;
    (void)self;

    if (!PyArg_ParseTuple(args, "OOidppLKKip", &graph, &membership,
                          &opt.type, &opt.resolution, &opt.directed, &opt.use_weights,
                          &n_iterations, &seed, &max_comm_size, &opt.version,
                          &legacy_modularity)) {
        return NULL;
    }
    opt.n_iterations = n_iterations;
    opt.seed = seed;
    opt.max_comm_size = max_comm_size;
    if (opt.type < LA_RB_CONFIGURATION || opt.type > LA_CPM ||
        (opt.version != LA_OPT_0_12 && opt.version != LA_OPT_0_13)) {
        PyErr_SetString(PyExc_ValueError, "invalid partition type or version");
        return NULL;
    }
    /* float64 weights only: the port reads g.weights; an edge list only undirected */
    if (az_graph_acquire(&gv, graph, 0, 0) != 0) return NULL;
    if (gv.g.sources && opt.directed) {
        az_graph_release(&gv);
        PyErr_SetString(PyExc_ValueError, "an edge-list graph must be undirected");
        return NULL;
    }
    n = gv.g.n_vertices;
    if (az_get_buffer(membership, &b_memb, 8, n, 1, "membership") != 0) {
        az_graph_release(&gv);
        return NULL;
    }

    Py_BEGIN_ALLOW_THREADS
    rc = la_find_partition(&gv.g, &opt, b_memb.buf, &quality, &sums_fresh, &intr);
    if (rc == AZ_OK) {
        const int64_t *memb = b_memb.buf;
        int64_t k = 0, v;
        for (v = 0; v < n; v++) {
            if (memb[v] + 1 > k) k = memb[v] + 1;
        }
        rc = la_igraph_modularity(&gv.g, opt.directed, legacy_modularity, memb, k, &modularity);
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&b_memb);
    az_graph_release(&gv);
    if (rc != AZ_OK) return az_raise_for(rc);
    return Py_BuildValue("ddO", quality, modularity, sums_fresh ? Py_True : Py_False);
}
