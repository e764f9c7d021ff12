/* The edge list of a python-igraph Graph, read straight from its igraph_t,
 * and its attribute values (float_list below).
 *
 * Graph.get_edgelist() builds a Python tuple per edge (0.6 s for 1.6M edges);
 * the igraph_t holds the same edges as two integer vectors, copied here in a
 * few milliseconds: as the CSR rows scanpy built the graph from where they are
 * a matrix's nonzeros (the cores' symmetric-matrix shortcut then applies and no
 * incidence list is copied), else with the per-vertex incidence order igraph's
 * own incidence lists follow (its oi / ii indices), so no core has to sort the
 * edges again. The layout below is igraph_t and igraph_vector_int_t of
 * include/igraph_datatype.h and igraph_vector_pmt.h, the same in the C cores
 * 0.10 and 1.0 on 64-bit builds (igraph_integer_t is int64_t there). The copy
 * is checked against what python-igraph itself reports (vertex and edge
 * counts, direction) and against igraph's invariants (endpoints in range, the
 * larger endpoint first in an undirected graph), so a different layout is
 * refused rather than misread. */
#include "igraph_graph_binding.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* mirrors igraph_vector_int_t: storage begin, storage end, end of the data */
typedef struct {
    int64_t *stor_begin, *stor_end, *end;
} az_igraph_vector_int;

/* mirrors the leading members of igraph_t (igraph_bool_t is C99 bool): the
 * edges, then their ids ordered by (from, to) and by (to, from) with each
 * vertex's first position in those orders */
typedef struct {
    int64_t n;
    unsigned char directed;
    az_igraph_vector_int from, to, oi, ii, os, is;
    void *attr; /* the attribute handler's table: python-igraph's, below */
} az_igraph_head;

/* mirrors igraphmodule_i_attribute_struct (src/_igraph/attributes.h, the same
 * in python-igraph 0.10 to 1.0): dicts of the graph's, the vertices' and the
 * edges' attributes, each value a list with one item per vertex or edge */
typedef struct {
    PyObject *attrs[3];
} az_igraph_attributes;

static int vector_holds(const az_igraph_vector_int *v, Py_ssize_t m) {
    return v->stor_begin != NULL && v->end >= v->stor_begin && v->stor_end >= v->end &&
           v->end - v->stor_begin == m;
}

/* Whether starts (os or is) cuts the m ids of order (oi or ii) into the runs of
 * edges whose end (from or to) is vertex 0, 1, ..., n - 1, checked against the
 * counts of each vertex (cnt, computed from the edges). */
static int runs_hold(const int64_t *starts, const int64_t *order, const int64_t *end,
                     const int64_t *cnt, Py_ssize_t n, Py_ssize_t m) {
    Py_ssize_t v;
    if (starts[0] != 0 || starts[n] != m) return 0;
    for (v = 0; v < n; v++) {
        int64_t k;
        if (starts[v + 1] - starts[v] != cnt[v]) return 0;
        for (k = starts[v]; k < starts[v + 1]; k++) {
            if (order[k] < 0 || order[k] >= m || end[order[k]] != v) return 0;
        }
    }
    return 1;
}

/* mirrors igraph_i_incident() in graph/type_indexededgelist.c for an undirected
 * graph, mode ALL, loops twice, as igraph_inclist_init() calls it for every
 * vertex: the vertex's ids in oi (edges with from == v), then in ii (to == v) */
static void write_incidence(const az_igraph_head *g, Py_ssize_t n, int32_t *inc) {
    const int64_t *os = g->os.stor_begin, *is = g->is.stor_begin;
    const int64_t *oi = g->oi.stor_begin, *ii = g->ii.stor_begin;
    Py_ssize_t v, at = 0;
    for (v = 0; v < n; v++) {
        int64_t k;
        for (k = os[v]; k < os[v + 1]; k++) inc[at++] = (int32_t)oi[k];
        for (k = is[v]; k < is[v + 1]; k++) inc[at++] = (int32_t)ii[k];
    }
}

static PyObject *layout_error(void) {
    PyErr_SetString(PyExc_ValueError, "igraph_t does not have the expected layout");
    return NULL;
}

/* The rows of a CSR matrix whose nonzeros, in stored order, are the edges in
 * id order (edge e joins row[e] and col[e]), as scanpy's
 * get_igraph_from_adjacency() adds them. igraph keeps only the ends of an
 * undirected edge (from >= to), not which was the row, so the row is chosen:
 * the smaller end where it continues the rows (a later row, or the current one
 * with a larger column), else the larger end under the same test. For the
 * nonzeros of a symmetric matrix with ascending columns this choice is always
 * the matrix's own row (a row r whose first entry (r, c) has c < r follows row
 * c or a later one, which holds (c, r) already); any choice that succeeds
 * names the same edges, so the igraph_t built from those rows is this one. A
 * directed edge's row is its from. Returns 0 where no choice continues the
 * rows; indptr and col then hold garbage. */
static int rows_of_edges(const az_igraph_head *g, Py_ssize_t n, Py_ssize_t m, int directed,
                         int64_t *indptr, int32_t *col) {
    const int64_t *from = g->from.stor_begin, *to = g->to.stor_begin;
    int64_t row = 0, last = -1, v;
    Py_ssize_t e;
    memset(indptr, 0, ((size_t)n + 1) * sizeof(int64_t));
    for (e = 0; e < m; e++) {
        int64_t r = from[e], c = to[e];
        if (directed) {
            if (r < row) return 0; /* a directed row's columns come in any order */
        } else if (c > row || (c == row && r > last)) {
            r = to[e]; /* the smaller end */
            c = from[e];
        } else if (!(r > row || (r == row && c > last))) {
            return 0;
        }
        if (r != row) last = -1;
        row = r;
        last = c;
        col[e] = (int32_t)c;
        indptr[r + 1]++;
    }
    for (v = 0; v < n; v++) indptr[v + 1] += indptr[v];
    return 1;
}

/* Whether every edge's ends are vertices, the larger first where undirected
 * (igraph_add_edges() stores an undirected edge with from >= to). */
static int ends_hold(const az_igraph_head *g, Py_ssize_t n, Py_ssize_t m, int directed) {
    const int64_t *from = g->from.stor_begin, *to = g->to.stor_begin;
    Py_ssize_t e;
    for (e = 0; e < m; e++) {
        if (from[e] < 0 || from[e] >= n || to[e] < 0 || to[e] >= n ||
            (!directed && from[e] < to[e])) {
            return 0;
        }
    }
    return 1;
}

/* Whether os / is cut oi / ii into each vertex's runs of edges (the incidence
 * order write_incidence() reads); 0 with MemoryError set if out of memory. */
static int incidence_holds(const az_igraph_head *g, Py_ssize_t n, Py_ssize_t m) {
    int64_t *cnt_from = calloc((size_t)n + 1, sizeof(int64_t));
    int64_t *cnt_to = calloc((size_t)n + 1, sizeof(int64_t));
    Py_ssize_t e;
    int ok = cnt_from != NULL && cnt_to != NULL;
    if (!ok) PyErr_NoMemory();
    for (e = 0; e < m && ok; e++) {
        cnt_from[g->from.stor_begin[e]]++;
        cnt_to[g->to.stor_begin[e]]++;
    }
    ok = ok && runs_hold(g->os.stor_begin, g->oi.stor_begin, g->from.stor_begin, cnt_from, n, m) &&
         runs_hold(g->is.stor_begin, g->ii.stor_begin, g->to.stor_begin, cnt_to, n, m);
    free(cnt_from);
    free(cnt_to);
    return ok;
}

static PyObject *int32_copy(const az_igraph_vector_int *v, Py_ssize_t m) {
    PyObject *out = PyByteArray_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
    int32_t *dst;
    Py_ssize_t e;
    if (out == NULL) return NULL;
    dst = (int32_t *)(void *)PyByteArray_AsString(out);
    for (e = 0; e < m; e++) dst[e] = (int32_t)v->stor_begin[e];
    return out;
}

/* The igraph_t behind a Graph's capsule, its members checked against the
 * counts and direction python-igraph reports (NULL with ValueError if they
 * disagree); the edges themselves are checked by ends_hold(). */
static const az_igraph_head *checked_head(PyObject *capsule, Py_ssize_t n, Py_ssize_t m,
                                          int directed) {
    const az_igraph_head *g = PyCapsule_GetPointer(capsule, NULL);
    if (g == NULL) return NULL;
    if (n < 0 || n >= INT32_MAX || m < 0 || m >= INT32_MAX || g->n != n ||
        g->directed != (directed != 0) ||
        !vector_holds(&g->from, m) || !vector_holds(&g->to, m) || !vector_holds(&g->oi, m) ||
        !vector_holds(&g->ii, m) || !vector_holds(&g->os, n + 1) || !vector_holds(&g->is, n + 1)) {
        layout_error();
        return NULL;
    }
    return g;
}

PyObject *az_py_igraph_edges(PyObject *self, PyObject *args) {
    PyObject *capsule, *indptr = NULL, *cols = NULL, *sources = NULL, *incidence = NULL;
    Py_ssize_t n, m;
    int directed;
    const az_igraph_head *g;
    (void)self;

    if (!PyArg_ParseTuple(args, "Onnp", &capsule, &n, &m, &directed)) return NULL;
    g = checked_head(capsule, n, m, directed);
    if (g == NULL) return NULL;
    if (!ends_hold(g, n, m, directed)) return layout_error();
    indptr = PyByteArray_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    cols = PyByteArray_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
    if (!indptr || !cols) goto fail;
    if (rows_of_edges(g, n, m, directed,
                      (int64_t *)(void *)PyByteArray_AsString(indptr),
                      (int32_t *)(void *)PyByteArray_AsString(cols))) {
        return Py_BuildValue("(NNOO)", indptr, cols, Py_None, Py_None);
    }
    Py_CLEAR(indptr);
    Py_CLEAR(cols);
    sources = int32_copy(&g->from, m);
    cols = int32_copy(&g->to, m);
    if (!sources || !cols) goto fail;
    if (directed) return Py_BuildValue("(ONNO)", Py_None, cols, sources, Py_None);
    if (!incidence_holds(g, n, m)) {
        if (!PyErr_Occurred()) layout_error();
        goto fail;
    }
    incidence = PyByteArray_FromStringAndSize(NULL, 2 * m * (Py_ssize_t)sizeof(int32_t));
    if (!incidence) goto fail;
    write_incidence(g, n, (int32_t *)(void *)PyByteArray_AsString(incidence));
    return Py_BuildValue("(ONNN)", Py_None, cols, sources, incidence);

fail:
    if (!PyErr_Occurred()) PyErr_NoMemory();
    Py_XDECREF(indptr);
    Py_XDECREF(cols);
    Py_XDECREF(sources);
    Py_XDECREF(incidence);
    return NULL;
}

/* The list python-igraph stores a vertex (kind 1) or edge (kind 2) attribute
 * in, as EdgeSeq.get_attribute_values() finds it before copying it into a new
 * list (which costs 8 bytes an edge and a pass over them); None where the
 * graph has no such attribute or it is not held as one list of the right
 * length. The caller must not change it. */
PyObject *az_py_igraph_attribute(PyObject *self, PyObject *args) {
    PyObject *capsule, *name, *dict, *values;
    Py_ssize_t n, m;
    int directed, kind;
    const az_igraph_head *g;
    (void)self;

    if (!PyArg_ParseTuple(args, "OnnpiU", &capsule, &n, &m, &directed, &kind, &name)) {
        return NULL;
    }
    if (kind != 1 && kind != 2) {
        PyErr_SetString(PyExc_ValueError, "kind must be 1 (vertex) or 2 (edge)");
        return NULL;
    }
    g = checked_head(capsule, n, m, directed);
    if (g == NULL) return NULL;
    if (g->attr == NULL) return layout_error();
    dict = ((const az_igraph_attributes *)g->attr)->attrs[kind];
    if (dict == NULL || !PyDict_CheckExact(dict)) return layout_error();
    values = PyDict_GetItemWithError(dict, name); /* borrowed */
    if (values == NULL) {
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    if (!PyList_CheckExact(values) || PyList_Size(values) != (kind == 2 ? m : n)) {
        Py_RETURN_NONE; /* not as python-igraph's setters leave it: the caller copies */
    }
    Py_INCREF(values);
    return values;
}

/* mirrors numpy's PyFloatScalarObject (numpy/arrayscalars.h): a float32
 * scalar's value right after the object header */
typedef struct {
    PyObject_HEAD
    float value;
} az_float32_scalar;

/* Whether a float32 scalar's value can be read in place: its type is at least
 * az_float32_scalar's size and the value there is what PyFloat_AsDouble gives. */
static int float32_in_place(PyObject *item) {
    PyObject *basicsize = PyObject_GetAttrString((PyObject *)Py_TYPE(item), "__basicsize__");
    const Py_ssize_t size = basicsize ? PyLong_AsSsize_t(basicsize) : -1;
    const double slow = PyFloat_AsDouble(item);
    const int ok = !PyErr_Occurred() && size >= (Py_ssize_t)sizeof(az_float32_scalar) &&
                   (double)((az_float32_scalar *)item)->value == slow;
    Py_XDECREF(basicsize);
    PyErr_Clear();
    return ok;
}

/* Widens the first k values of a float32 buffer into a new double one. */
static PyObject *widened(PyObject *narrow, Py_ssize_t k, Py_ssize_t size) {
    PyObject *out = PyByteArray_FromStringAndSize(NULL, size * (Py_ssize_t)sizeof(double));
    const float *from = (const float *)(void *)PyByteArray_AsString(narrow);
    double *to;
    Py_ssize_t i;
    if (out == NULL) return NULL;
    to = (double *)(void *)PyByteArray_AsString(out);
    for (i = 0; i < k; i++) to[i] = (double)from[i];
    return out;
}

/* An edge or vertex attribute as python-igraph stores it (a list of Python
 * floats, g.es["weight"]; numpy float32 scalars where scanpy built the graph)
 * copied into a buffer: numpy's conversion of the same list takes ten times as
 * long, as it first discovers a dtype for the list. Only exact floats, numpy
 * float32 scalars (read in place, as PyFloat_AsDouble would go through a new
 * Python float; checked against it on the first one) and items of the other
 * given exact types (numpy's float64 scalars: their values promote exactly, as
 * numpy's array of the list would hold them) are read; any other item gives
 * None and the caller converts the list as before. Where every value is a
 * float32's (a kNN graph's weights are), they are returned as float32, which
 * the cores promote exactly and read in half the memory (the buffer is
 * float32 until a value is not a float32's). */
PyObject *az_py_float_list(PyObject *self, PyObject *args) {
    PyObject *list, *float32_type, *types, *out;
    Py_ssize_t k, size, t, n_types;
    float *narrow;      /* the values while every one so far is a float32's */
    double *wide = NULL; /* from the first one that is not */
    int in_place = -1;  /* -1: not yet checked */
    (void)self;

    if (!PyArg_ParseTuple(args, "O!OO!", &PyList_Type, &list, &float32_type, &PyTuple_Type,
                          &types)) {
        return NULL;
    }
    n_types = PyTuple_Size(types);
    size = PyList_Size(list);
    out = PyByteArray_FromStringAndSize(NULL, size * (Py_ssize_t)sizeof(float));
    if (out == NULL) return NULL;
    narrow = (float *)(void *)PyByteArray_AsString(out);
    for (k = 0; k < size; k++) {
        PyObject *item = PyList_GetItem(list, k); /* borrowed */
        int known = item != NULL && PyFloat_CheckExact(item);
        double x;
        if (item != NULL && (PyObject *)Py_TYPE(item) == float32_type) {
            if (in_place < 0) in_place = float32_in_place(item);
            if (in_place) {
                const float f = ((az_float32_scalar *)item)->value;
                if (wide) {
                    wide[k] = (double)f;
                } else {
                    narrow[k] = f;
                }
                continue;
            }
            known = 1;
        }
        for (t = 0; item != NULL && !known && t < n_types; t++) {
            known = (PyObject *)Py_TYPE(item) == PyTuple_GetItem(types, t);
        }
        if (!known) {
            Py_DECREF(out);
            if (item == NULL) return NULL;
            Py_RETURN_NONE;
        }
        x = PyFloat_AsDouble(item);
        if (x == -1.0 && PyErr_Occurred()) {
            Py_DECREF(out);
            return NULL;
        }
        /* in range first: converting a double beyond FLT_MAX is undefined */
        if (!wide && !(fabs(x) <= FLT_MAX && (double)(float)x == x)) {
            PyObject *doubles = widened(out, k, size);
            Py_DECREF(out);
            if (doubles == NULL) return NULL;
            out = doubles;
            wide = (double *)(void *)PyByteArray_AsString(out);
        }
        if (wide) {
            wide[k] = x;
        } else {
            narrow[k] = (float)x;
        }
    }
    return Py_BuildValue("(Ni)", out, wide ? 8 : 4);
}
