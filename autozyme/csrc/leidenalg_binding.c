/* Python binding of the leidenalg port: arguments in, GIL released for the
 * whole run, KeyboardInterrupt and MemoryError out. */
#include "leidenalg_binding.h"

#include <string.h>

#include "binding_util.h"

#include "igraph_rng.h"
#include "leidenalg_optimiser.h"
#include "leidenalg_partition.h"

PyObject *az_py_leidenalg_optimise(PyObject *self, PyObject *args) {
    PyObject *graph, *membership, *state, *node_sizes;
    Py_buffer b_memb, b_state, b_sizes;
    la_options opt;
    la_result res = {0.0, 0.0, 1};
    az_mt19937 mt;
    az_graph_view gv;
    az_interrupt intr = {az_check_signals, NULL, 0};
    double modularity = 0.0;
    Py_ssize_t n;
    int rc, legacy_modularity;
    unsigned long long max_comm_size;
    long long n_iterations;
    (void)self;

    if (!PyArg_ParseTuple(args, "OOOOidppLKip", &graph, &membership, &node_sizes, &state,
                          &opt.type, &opt.resolution, &opt.directed, &opt.use_weights,
                          &n_iterations, &max_comm_size, &opt.version, &legacy_modularity)) {
        return NULL;
    }
    opt.n_iterations = n_iterations;
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
    if (node_sizes != Py_None && az_get_buffer(node_sizes, &b_sizes, 8, n, 0, "node_sizes") != 0) {
        PyBuffer_Release(&b_memb);
        az_graph_release(&gv);
        return NULL;
    }
    if (az_get_mt_state(state, &b_state, &mt) != 0) {
        if (node_sizes != Py_None) PyBuffer_Release(&b_sizes);
        PyBuffer_Release(&b_memb);
        az_graph_release(&gv);
        return NULL;
    }

    Py_BEGIN_ALLOW_THREADS
    rc = la_optimise(&gv.g, &opt, node_sizes != Py_None ? b_sizes.buf : NULL, &mt, b_memb.buf,
                     &res, &intr);
    if (rc == AZ_OK) {
        const int64_t *memb = b_memb.buf;
        int64_t k = 0, v;
        for (v = 0; v < n; v++) {
            if (memb[v] + 1 > k) k = memb[v] + 1;
        }
        rc = la_igraph_modularity(&gv.g, opt.directed, legacy_modularity, memb, k, &modularity);
    }
    Py_END_ALLOW_THREADS

    az_put_mt_state(&b_state, &mt);
    if (node_sizes != Py_None) PyBuffer_Release(&b_sizes);
    PyBuffer_Release(&b_memb);
    az_graph_release(&gv);
    if (rc != AZ_OK) return az_raise_for(rc);
    return Py_BuildValue("ddOdK", res.quality, modularity, res.sums_fresh ? Py_True : Py_False,
                         res.improvement, (unsigned long long)mt.drawn);
}

PyObject *az_py_igraph_mt_seed(PyObject *self, PyObject *args) {
    PyObject *state;
    Py_buffer b_state;
    az_mt19937 mt;
    unsigned long long seed;
    (void)self;
    if (!PyArg_ParseTuple(args, "OK", &state, &seed)) return NULL;
    if (az_get_buffer(state, &b_state, 4, AZ_MT_N + 1, 1, "state") != 0) return NULL;
    mt.key = b_state.buf;
    az_mt_seed_igraph(&mt, seed);
    az_put_mt_state(&b_state, &mt);
    Py_RETURN_NONE;
}

/* Greedy: the largest shuffle that fits what remains (a shuffle of n draws n - 1
 * integers and, rarely, a rejected word more for some), down to shuffles of two
 * vertices, whose single draw on [0, 1] never rejects. */
PyObject *az_py_shuffle_sizes(PyObject *self, PyObject *args) {
    PyObject *state, *sizes;
    Py_buffer b_state;
    az_rng rng = {{NULL, 0, 0}, 64, AZ_RNG_WHOLE_WORDS};
    uint32_t trial[AZ_MT_N];
    unsigned long long words;
    uint64_t remaining;
    (void)self;
    if (!PyArg_ParseTuple(args, "OK", &state, &words)) return NULL;
    if (az_get_mt_state(state, &b_state, &rng.mt) != 0) return NULL;
    sizes = PyList_New(0);
    remaining = words;
    while (sizes && remaining > 0) {
        const uint32_t *start = rng.mt.key;
        const int start_pos = rng.mt.pos;
        int64_t n = remaining < (1u << 30) ? (int64_t)remaining + 1 : (int64_t)1 << 30;
        az_rng t = rng;
        PyObject *item;
        t.mt.key = trial;
        for (;;) {
            memcpy(trial, start, sizeof(trial));
            t.mt.pos = start_pos;
            t.mt.drawn = 0;
            az_rng_skip_shuffle(&t, n);
            if (t.mt.drawn <= remaining) break;
            n -= (int64_t)(t.mt.drawn - remaining);
            if (n < 2) n = 2;
        }
        memcpy(rng.mt.key, trial, sizeof(trial));
        rng.mt.pos = t.mt.pos;
        remaining -= t.mt.drawn;
        item = PyLong_FromLongLong(n);
        if (!item || PyList_Append(sizes, item) != 0) Py_CLEAR(sizes);
        Py_XDECREF(item);
    }
    az_put_mt_state(&b_state, &rng.mt);
    return sizes;
}
