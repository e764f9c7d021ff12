/* Python binding of the leidenalg port: arguments in, GIL released for the
 * whole run, KeyboardInterrupt and MemoryError out. */
#include "leidenalg_binding.h"

#include <string.h>

#include "binding_util.h"

#include "igraph_rng.h"
#include "leidenalg_optimiser.h"
#include "leidenalg_partition.h"
#include "louvain_optimiser.h"

/* The layers' Python views, held for the run. */
typedef struct {
    az_graph_view gv;
    Py_buffer sizes;
    int has_sizes;
} layer_view;

static void release_layers(layer_view *views, Py_ssize_t k) {
    Py_ssize_t i;
    for (i = 0; i < k; i++) {
        if (views[i].has_sizes) PyBuffer_Release(&views[i].sizes);
        az_graph_release(&views[i].gv);
    }
}

/* layer item: (graph, node_sizes, partition_type, resolution, directed,
 * use_weights, layer_weight); n: the first layer's vertex count, or -1 */
static int acquire_layer(PyObject *item, layer_view *view, la_layer *layer, Py_ssize_t n) {
    PyObject *graph, *node_sizes;
    memset(view, 0, sizeof(*view));
    if (!PyArg_ParseTuple(item,
                          "OOidppd;a layer is (graph, node_sizes, partition_type, resolution, "
                          "directed, use_weights, layer_weight)",
                          &graph, &node_sizes, &layer->type, &layer->resolution, &layer->directed,
                          &layer->use_weights, &layer->weight)) {
        return -1;
    }
    if (layer->type < LA_RB_CONFIGURATION || layer->type > LA_CPM) {
        PyErr_SetString(PyExc_ValueError, "invalid partition type");
        return -1;
    }
    /* float32 or float64 weights; an edge list only undirected */
    if (az_graph_acquire(&view->gv, graph, 1, 0) != 0) return -1;
    if ((view->gv.g.sources && layer->directed) || (n >= 0 && view->gv.g.n_vertices != n)) {
        az_graph_release(&view->gv);
        PyErr_SetString(PyExc_ValueError,
                        "an edge-list graph must be undirected, and every layer's graph have "
                        "the first one's vertex count");
        return -1;
    }
    if (node_sizes != Py_None) {
        if (az_get_buffer(node_sizes, &view->sizes, 8, view->gv.g.n_vertices, 0, "node_sizes") !=
            0) {
            az_graph_release(&view->gv);
            return -1;
        }
        view->has_sizes = 1;
    }
    layer->graph = &view->gv.g;
    layer->node_size = view->has_sizes ? view->sizes.buf : NULL;
    return 0;
}

PyObject *az_py_leidenalg_optimise(PyObject *self, PyObject *args) {
    PyObject *layer_seq, *membership, *state, *items, *qualities = NULL, *out = NULL;
    Py_buffer b_memb, b_state;
    la_options opt;
    la_result res = {0.0, 1};
    la_layer *layers = NULL;
    layer_view *views = NULL;
    double *quality = NULL;
    az_mt19937 mt;
    az_interrupt intr = {az_check_signals, NULL, 0};
    double modularity = 0.0;
    Py_ssize_t n = -1, k = 0, i;
    int rc, legacy_modularity;
    unsigned long long max_comm_size;
    long long n_iterations;
    (void)self;

    if (!PyArg_ParseTuple(args, "OOOLKip", &layer_seq, &membership, &state, &n_iterations,
                          &max_comm_size, &opt.version, &legacy_modularity)) {
        return NULL;
    }
    opt.n_iterations = n_iterations;
    opt.max_comm_size = max_comm_size;
    if (opt.version != LA_OPT_0_12 && opt.version != LA_OPT_0_13) {
        PyErr_SetString(PyExc_ValueError, "invalid optimiser version");
        return NULL;
    }
    items = PySequence_Tuple(layer_seq); /* the limited API has no PySequence_Fast macros */
    if (!items) return NULL;
    k = PyTuple_Size(items);
    if (k < 1 || k > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "at least one layer");
        Py_DECREF(items);
        return NULL;
    }
    layers = calloc((size_t)k, sizeof(la_layer));
    views = calloc((size_t)k, sizeof(layer_view));
    quality = calloc((size_t)k, sizeof(double));
    if (!layers || !views || !quality) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < k; i++) {
        if (acquire_layer(PyTuple_GetItem(items, i), &views[i], &layers[i], n) != 0) {
            release_layers(views, i);
            goto done;
        }
        n = views[0].gv.g.n_vertices;
    }
    if (az_get_buffer(membership, &b_memb, 8, n, 1, "membership") != 0) {
        release_layers(views, k);
        goto done;
    }
    if (az_get_mt_state(state, &b_state, &mt) != 0) {
        PyBuffer_Release(&b_memb);
        release_layers(views, k);
        goto done;
    }

    Py_BEGIN_ALLOW_THREADS
    rc = la_optimise(layers, (int)k, &opt, &mt, b_memb.buf, quality, &res, &intr);
    if (rc == AZ_OK) {
        const int64_t *memb = b_memb.buf;
        int64_t n_comms = 0, v;
        for (v = 0; v < n; v++) {
            if (memb[v] + 1 > n_comms) n_comms = memb[v] + 1;
        }
        rc = la_igraph_modularity(layers[0].graph, layers[0].directed, legacy_modularity, memb,
                                  n_comms, &modularity);
    }
    Py_END_ALLOW_THREADS

    az_put_mt_state(&b_state, &mt);
    PyBuffer_Release(&b_memb);
    release_layers(views, k);
    if (rc != AZ_OK) {
        az_raise_for(rc);
        goto done;
    }
    qualities = PyTuple_New(k);
    for (i = 0; qualities && i < k; i++) {
        PyObject *q = PyFloat_FromDouble(quality[i]);
        if (!q || PyTuple_SetItem(qualities, i, q) != 0) { /* steals q */
            Py_CLEAR(qualities);
            break;
        }
    }
    if (qualities) {
        out = Py_BuildValue("NdOdK", qualities, modularity, res.sums_fresh ? Py_True : Py_False,
                            res.improvement, (unsigned long long)mt.drawn);
    }
done:
    Py_DECREF(items);
    free(layers);
    free(views);
    free(quality);
    return out;
}

PyObject *az_py_louvain_optimise(PyObject *self, PyObject *args) {
    PyObject *item, *membership, *state;
    Py_buffer b_memb, b_state;
    la_layer layer;
    layer_view view;
    az_mt19937 mt;
    az_interrupt intr = {az_check_signals, NULL, 0};
    double improvement = 0.0;
    int rc;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &item, &membership, &state)) return NULL;
    memset(&layer, 0, sizeof(layer));
    if (acquire_layer(item, &view, &layer, -1) != 0) return NULL;
    if (view.has_sizes) {
        release_layers(&view, 1);
        PyErr_SetString(PyExc_ValueError, "the louvain port takes no node sizes");
        return NULL;
    }
    if (az_get_buffer(membership, &b_memb, 8, view.gv.g.n_vertices, 1, "membership") != 0) {
        release_layers(&view, 1);
        return NULL;
    }
    if (az_get_mt_state(state, &b_state, &mt) != 0) {
        PyBuffer_Release(&b_memb);
        release_layers(&view, 1);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = lv_optimise(&layer, &mt, b_memb.buf, &improvement, &intr);
    Py_END_ALLOW_THREADS
    az_put_mt_state(&b_state, &mt);
    PyBuffer_Release(&b_memb);
    release_layers(&view, 1);
    if (rc != AZ_OK) return az_raise_for(rc);
    return Py_BuildValue("dK", improvement, (unsigned long long)mt.drawn);
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

/* Greedy: the largest shuffle of at most max_size vertices that fits what
 * remains (a shuffle of n draws n - 1 integers and, rarely, a rejected word
 * more for some), down to shuffles of two vertices, whose single draw on
 * [0, 1] never rejects. */
PyObject *az_py_shuffle_sizes(PyObject *self, PyObject *args) {
    PyObject *state, *sizes;
    Py_buffer b_state;
    az_rng rng = {{NULL, 0, 0}, 64, AZ_RNG_WHOLE_WORDS};
    uint32_t trial[AZ_MT_N];
    unsigned long long words;
    long long max_size;
    uint64_t remaining;
    (void)self;
    if (!PyArg_ParseTuple(args, "OKL", &state, &words, &max_size)) return NULL;
    if (max_size < 2 || max_size > (1 << 30)) {
        PyErr_SetString(PyExc_ValueError, "max_size must lie in [2, 2**30]");
        return NULL;
    }
    if (az_get_mt_state(state, &b_state, &rng.mt) != 0) return NULL;
    sizes = PyList_New(0);
    remaining = words;
    while (sizes && remaining > 0) {
        const uint32_t *start = rng.mt.key;
        const int start_pos = rng.mt.pos;
        int64_t n = remaining < (uint64_t)max_size ? (int64_t)remaining + 1 : max_size;
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
