/* The edge list of a python-igraph Graph, read straight from its igraph_t.
 *
 * Graph.get_edgelist() builds a Python tuple per edge (0.6 s for 1.6M edges);
 * the igraph_t holds the same edges as two integer vectors, copied here in a
 * few milliseconds. The layout below is igraph_t and igraph_vector_int_t of
 * include/igraph_datatype.h and igraph_vector_pmt.h, the same in the C cores
 * 0.10 and 1.0 on 64-bit builds (igraph_integer_t is int64_t there). The copy
 * is checked against what python-igraph itself reports (vertex and edge
 * counts, direction) and against igraph's invariants (endpoints in range, the
 * larger endpoint first in an undirected graph), so a different layout is
 * refused rather than misread. */
#include "igraph_graph_binding.h"

#include <stdint.h>
#include <string.h>

/* mirrors igraph_vector_int_t: storage begin, storage end, end of the data */
typedef struct {
    int64_t *stor_begin, *stor_end, *end;
} az_igraph_vector_int;

/* mirrors the leading members of igraph_t (igraph_bool_t is C99 bool) */
typedef struct {
    int64_t n;
    unsigned char directed;
    az_igraph_vector_int from, to;
} az_igraph_head;

static int vector_holds(const az_igraph_vector_int *v, Py_ssize_t m) {
    return v->stor_begin != NULL && v->end >= v->stor_begin && v->stor_end >= v->end &&
           v->end - v->stor_begin == m;
}

PyObject *az_py_igraph_edges(PyObject *self, PyObject *args) {
    PyObject *capsule, *sources, *targets;
    Py_ssize_t n, m, e;
    int directed;
    const az_igraph_head *g;
    int32_t *src, *dst;
    (void)self;

    if (!PyArg_ParseTuple(args, "Onnp", &capsule, &n, &m, &directed)) return NULL;
    g = PyCapsule_GetPointer(capsule, NULL);
    if (g == NULL) return NULL;
    if (n < 0 || n >= INT32_MAX || m < 0 || g->n != n || (g->directed != 0) != directed ||
        (g->directed != 0 && g->directed != 1) || !vector_holds(&g->from, m) ||
        !vector_holds(&g->to, m)) {
        PyErr_SetString(PyExc_ValueError, "igraph_t does not have the expected layout");
        return NULL;
    }
    sources = PyByteArray_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
    targets = PyByteArray_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
    if (sources == NULL || targets == NULL) {
        Py_XDECREF(sources);
        Py_XDECREF(targets);
        return NULL;
    }
    src = (int32_t *)(void *)PyByteArray_AsString(sources);
    dst = (int32_t *)(void *)PyByteArray_AsString(targets);
    for (e = 0; e < m; e++) {
        const int64_t a = g->from.stor_begin[e], b = g->to.stor_begin[e];
        /* igraph_add_edges() stores an undirected edge with from >= to */
        if (a < 0 || a >= n || b < 0 || b >= n || (!directed && a < b)) {
            Py_DECREF(sources);
            Py_DECREF(targets);
            PyErr_SetString(PyExc_ValueError, "igraph_t does not have the expected layout");
            return NULL;
        }
        src[e] = (int32_t)a;
        dst[e] = (int32_t)b;
    }
    return Py_BuildValue("(NN)", sources, targets);
}
