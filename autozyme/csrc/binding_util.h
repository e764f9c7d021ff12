/* Helpers shared by the Python bindings (module.c, leidenalg_binding.c). */
#ifndef AZ_BINDING_UTIL_H
#define AZ_BINDING_UTIL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "az_graph.h"
#include "az_runtime.h"
#include "mt19937.h"

/* The cores run with the GIL released; this briefly takes it back so Python can
 * handle pending signals (KeyboardInterrupt). Nonzero: abort the run. */
static inline int az_check_signals(void *ctx) {
    PyGILState_STATE st;
    int failed;
    (void)ctx;
    st = PyGILState_Ensure();
    failed = PyErr_CheckSignals() != 0;
    PyGILState_Release(st);
    return failed;
}

/* autozyme.algorithms.Interrupted, looked up when the module is initialised. */
extern PyObject *az_interrupted;

/* The Python exception for a core's result code (AZ_ENOMEM or AZ_EINTR); returns
 * NULL. An interrupt raises Interrupted holding the exception the signal handler
 * raised, so that the routing hands that one to the caller instead of taking it
 * for a bug of the fast path. */
static inline PyObject *az_raise_for(int rc) {
    PyObject *type, *value, *tb, *wrapped;
    if (rc == AZ_ENOMEM) return PyErr_NoMemory();
    if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) PyException_SetTraceback(value, tb);
    wrapped = PyObject_CallFunctionObjArgs(az_interrupted, value, NULL);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (wrapped != NULL) {
        PyErr_SetObject(az_interrupted, wrapped);
        Py_DECREF(wrapped);
    }
    return NULL;
}

/* A C-contiguous 1-d buffer of `length` items of `itemsize` bytes (length < 0: any). */
static inline int az_get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize,
                                Py_ssize_t length, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) != 0) return -1;
    if (view->ndim != 1 || view->itemsize != itemsize ||
        (length >= 0 && view->shape[0] != length)) {
        PyErr_Format(PyExc_ValueError, "%s: expected a 1-d array of %zd-byte items, length %zd",
                     name, itemsize, length);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* An MT19937 state the core advances in place: a writable uint32[625] buffer,
 * the key, then the position (autozyme.algorithms.rng's layout). */
static inline int az_get_mt_state(PyObject *obj, Py_buffer *view, az_mt19937 *mt) {
    if (az_get_buffer(obj, view, 4, AZ_MT_N + 1, 1, "state") != 0) return -1;
    mt->key = view->buf;
    mt->pos = (int)mt->key[AZ_MT_N];
    mt->drawn = 0;
    if (mt->pos < 0 || mt->pos > AZ_MT_N) {
        PyErr_SetString(PyExc_ValueError, "invalid MT19937 position");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Stores the position and releases the buffer of az_get_mt_state(). */
static inline void az_put_mt_state(Py_buffer *view, const az_mt19937 *mt) {
    mt->key[AZ_MT_N] = (uint32_t)mt->pos;
    PyBuffer_Release(view);
}

/* The item size of a 1-d buffer, or 0 with a Python error set. */
static inline Py_ssize_t az_buffer_itemsize(PyObject *obj) {
    Py_buffer view;
    Py_ssize_t itemsize;
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) return 0;
    itemsize = view.itemsize;
    PyBuffer_Release(&view);
    return itemsize;
}

/* Views of the arrays behind an edge graph (az_edge_graph); released by
 * az_graph_release(). */
typedef struct {
    Py_buffer rows, indices, weights; /* rows: indptr (CSR) or sources (edge list) */
    Py_buffer incidence;              /* edge list only */
    int has_weights;
    az_edge_graph g;
} az_graph_view;

static inline void az_graph_release(az_graph_view *gv) {
    PyBuffer_Release(&gv->rows);
    PyBuffer_Release(&gv->indices);
    PyBuffer_Release(&gv->incidence);
    if (gv->has_weights) PyBuffer_Release(&gv->weights);
}

/* graph: the tuple (n, indptr, sources, targets, incidence, weights) of
 * autozyme.algorithms.graph.EdgeGraph.core_graph(), exactly one of indptr
 * (int64, n + 1 entries: CSR) and sources (int32, one per edge: an edge list)
 * not None; targets: int32 or int64 (int32 for an edge list); incidence: with
 * sources only, int32, 2 entries per edge (az_edge_graph); weights: None,
 * float64, or float32 (read in place, promoted exactly) where the core takes
 * them (weights32_ok). csr_only: the core reads CSR rows. */
static inline int az_graph_acquire(az_graph_view *gv, PyObject *graph, int weights32_ok,
                                   int csr_only) {
    PyObject *indptr, *sources, *indices, *incidence, *weights;
    Py_ssize_t n, m, isz, wsz = 0;
    memset(gv, 0, sizeof(*gv));
    if (!PyArg_ParseTuple(graph,
                          "nOOOOO;graph must be (n, indptr, sources, targets, incidence, weights)",
                          &n, &indptr, &sources, &indices, &incidence, &weights)) {
        return -1;
    }
    if (n < 0 || n >= INT32_MAX || (indptr == Py_None) == (sources == Py_None) ||
        (sources == Py_None) != (incidence == Py_None) || (csr_only && indptr == Py_None)) {
        PyErr_SetString(PyExc_ValueError,
                        "graph: vertex count must lie in [0, 2**31 - 1), and exactly one of "
                        "indptr / sources be given (indptr where the core reads CSR), "
                        "incidence with sources");
        return -1;
    }
    if (indptr != Py_None) {
        if (az_get_buffer(indptr, &gv->rows, 8, n + 1, 0, "indptr") != 0) return -1;
        m = (Py_ssize_t)((const int64_t *)gv->rows.buf)[n];
        isz = az_buffer_itemsize(indices);
    } else {
        if (az_get_buffer(sources, &gv->rows, 4, -1, 0, "sources") != 0) return -1;
        m = gv->rows.shape[0];
        isz = 4;
    }
    if (isz == 0 || az_get_buffer(indices, &gv->indices, isz == 4 ? 4 : 8, m, 0, "targets") != 0) {
        PyBuffer_Release(&gv->rows);
        return -1;
    }
    if (incidence != Py_None &&
        az_get_buffer(incidence, &gv->incidence, 4, 2 * m, 0, "incidence") != 0) {
        PyBuffer_Release(&gv->rows);
        PyBuffer_Release(&gv->indices);
        return -1;
    }
    if (weights != Py_None) {
        wsz = az_buffer_itemsize(weights);
        if (wsz == 0 ||
            az_get_buffer(weights, &gv->weights, wsz == 4 && weights32_ok ? 4 : 8, m, 0,
                          "weights") != 0) {
            PyBuffer_Release(&gv->rows);
            PyBuffer_Release(&gv->indices);
            PyBuffer_Release(&gv->incidence);
            return -1;
        }
        gv->has_weights = 1;
    }
    gv->g.n_vertices = n;
    gv->g.n_edges = m;
    gv->g.indptr = indptr != Py_None ? gv->rows.buf : NULL;
    gv->g.sources = indptr != Py_None ? NULL : gv->rows.buf;
    gv->g.incidence = incidence != Py_None ? gv->incidence.buf : NULL;
    gv->g.indices32 = isz == 4 ? gv->indices.buf : NULL;
    gv->g.indices64 = isz == 4 ? NULL : gv->indices.buf;
    gv->g.weights = gv->has_weights && gv->weights.itemsize == 8 ? gv->weights.buf : NULL;
    gv->g.weights32 = gv->has_weights && gv->weights.itemsize == 4 ? gv->weights.buf : NULL;
    return 0;
}

#endif
