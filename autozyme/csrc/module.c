/* autozyme._core: Python binding of the compiled algorithms. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "binding_util.h"
#include "igraph_graph_binding.h"
#include "igraph_leiden.h"
#include "igraph_multilevel.h"
#include "leidenalg_binding.h"

/* The calling convention of the functions below; autozyme.algorithms.CORE_ABI
 * must match it (the decision refuses another build). */
static PyObject *core_abi(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(16);
}

static PyObject *core_leiden(PyObject *self, PyObject *args) {
    Py_ssize_t n, n_iterations;
    PyObject *graph, *node_weights, *membership, *state;
    int normalize, behaviour, words, long_bits, with_quality, rc;
    double resolution, beta, quality = 0.0, phases[AZ_N_PHASES] = {0.0};
    az_graph_view gv;
    Py_buffer memb, keybuf, nw;
    az_rng rng = {{NULL, 0, 0}, 0, AZ_RNG_GETRANDBITS};
    az_interrupt intr = {az_check_signals, NULL, 0};
    (void)self;

    if (!PyArg_ParseTuple(args, "OOpddniOOiip", &graph, &node_weights, &normalize, &resolution,
                          &beta, &n_iterations, &behaviour, &membership, &state, &words,
                          &long_bits, &with_quality)) {
        return NULL;
    }
    if ((behaviour & ~AZ_IGRAPH_BEHAVIOURS) != 0 || (long_bits != 32 && long_bits != 64) ||
        (words != AZ_RNG_GETRANDBITS && words != AZ_RNG_WHOLE_WORDS && words != AZ_RNG_RANDINT)) {
        PyErr_SetString(PyExc_ValueError, "invalid behaviour, words or long_bits");
        return NULL;
    }
    if (az_graph_acquire(&gv, graph, 1, 0) != 0) return NULL;
    n = gv.g.n_vertices;
    if (az_get_buffer(membership, &memb, 8, n, 1, "membership") != 0) {
        az_graph_release(&gv);
        return NULL;
    }
    if (az_get_mt_state(state, &keybuf, &rng.mt) != 0) {
        PyBuffer_Release(&memb);
        az_graph_release(&gv);
        return NULL;
    }
    if (node_weights != Py_None && az_get_buffer(node_weights, &nw, 8, n, 0, "node_weights") != 0) {
        PyBuffer_Release(&keybuf);
        PyBuffer_Release(&memb);
        az_graph_release(&gv);
        return NULL;
    }

    rng.long_bits = long_bits;
    rng.source = words;
    Py_BEGIN_ALLOW_THREADS
    rc = az_leiden(&gv.g, node_weights != Py_None ? nw.buf : NULL, normalize, resolution, beta,
                   n_iterations, behaviour, memb.buf, &rng, &intr, with_quality ? &quality : NULL,
                   phases);
    Py_END_ALLOW_THREADS

    /* stored on every exit, interrupts included: the caller's RandomState then ends
     * where upstream's would after the same draws */
    if (node_weights != Py_None) PyBuffer_Release(&nw);
    az_put_mt_state(&keybuf, &rng.mt);
    PyBuffer_Release(&memb);
    az_graph_release(&gv);
    if (rc != AZ_OK) return az_raise_for(rc);
    if (!with_quality) Py_INCREF(Py_None);
    return Py_BuildValue("(N(dddd))", with_quality ? PyFloat_FromDouble(quality) : Py_None,
                         phases[AZ_PHASE_SETUP], phases[AZ_PHASE_FASTMOVE],
                         phases[AZ_PHASE_REFINE], phases[AZ_PHASE_AGGREGATE]);
}

static PyObject *core_multilevel(PyObject *self, PyObject *args) {
    PyObject *graph, *state, *memberships = NULL, *modularity = NULL;
    int words, long_bits, transpose, rc;
    double resolution;
    az_graph_view gv;
    Py_buffer keybuf;
    az_rng rng = {{NULL, 0, 0}, 0, AZ_RNG_WHOLE_WORDS};
    az_interrupt intr = {az_check_signals, NULL, 0};
    az_multilevel_result res;
    Py_ssize_t j, size;
    (void)self;

    if (!PyArg_ParseTuple(args, "OdOiip", &graph, &resolution, &state, &words, &long_bits,
                          &transpose)) {
        return NULL;
    }
    if ((long_bits != 32 && long_bits != 64) ||
        (words != AZ_RNG_GETRANDBITS && words != AZ_RNG_WHOLE_WORDS && words != AZ_RNG_RANDINT)) {
        PyErr_SetString(PyExc_ValueError, "invalid words or long_bits");
        return NULL;
    }
    if (az_graph_acquire(&gv, graph, 1, 0) != 0) return NULL;
    if (az_get_mt_state(state, &keybuf, &rng.mt) != 0) {
        az_graph_release(&gv);
        return NULL;
    }
    rng.long_bits = long_bits;
    rng.source = words;
    Py_BEGIN_ALLOW_THREADS
    rc = az_multilevel(&gv.g, resolution, transpose, &rng, &intr, &res);
    Py_END_ALLOW_THREADS
    az_put_mt_state(&keybuf, &rng.mt); /* on every exit, as in core_leiden() */
    size = (Py_ssize_t)(res.n_levels * gv.g.n_vertices);
    az_graph_release(&gv);
    if (rc != AZ_OK) return az_raise_for(rc);
    memberships = PyByteArray_FromStringAndSize((const char *)res.memberships,
                                                size * (Py_ssize_t)sizeof(int32_t));
    modularity = PyList_New((Py_ssize_t)res.n_levels);
    for (j = 0; memberships && modularity && j < (Py_ssize_t)res.n_levels; j++) {
        PyObject *q = PyFloat_FromDouble(res.modularity[j]);
        if (q == NULL) {
            Py_CLEAR(modularity);
            break;
        }
        PyList_SetItem(modularity, j, q); /* steals q */
    }
    az_multilevel_result_free(&res);
    if (!memberships || !modularity) {
        Py_XDECREF(memberships);
        Py_XDECREF(modularity);
        return NULL;
    }
    return Py_BuildValue("(NN)", memberships, modularity);
}

static PyObject *core_modularity(PyObject *self, PyObject *args) {
    Py_ssize_t n_partitions;
    PyObject *graph, *membership;
    double resolution, result = 0.0;
    az_graph_view gv;
    Py_buffer memb;
    int behaviour, rc;
    (void)self;

    if (!PyArg_ParseTuple(args, "OOndi", &graph, &membership, &n_partitions, &resolution,
                          &behaviour)) {
        return NULL;
    }
    if ((behaviour & ~AZ_IGRAPH_BEHAVIOURS) != 0) {
        PyErr_SetString(PyExc_ValueError, "invalid behaviour");
        return NULL;
    }
    if (az_graph_acquire(&gv, graph, 1, 0) != 0) return NULL;
    if (az_get_buffer(membership, &memb, 8, gv.g.n_vertices, 0, "membership") != 0) {
        az_graph_release(&gv);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = az_igraph_modularity(&gv.g, memb.buf, n_partitions, resolution, behaviour, &result);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&memb);
    az_graph_release(&gv);
    if (rc != AZ_OK) return az_raise_for(rc);
    return PyFloat_FromDouble(result);
}

static PyMethodDef core_methods[] = {
    {"abi", core_abi, METH_NOARGS, "Version of the core's calling convention."},
    {"leiden", core_leiden, METH_VARARGS,
     "leiden(graph, node_weights, normalize, resolution, beta, n_iterations, behaviour,\n"
     "membership, state, words, long_bits, with_quality)\n"
     "-> (quality or None, (setup, fast-move, refinement, aggregation) seconds)\n"
     "igraph's Leiden on graph (EdgeGraph.core_graph()); updates membership (int64) and the\n"
     "MT19937 state (uint32[625]: the key, then the position) in place, also when interrupted.\n"
     "behaviour: IGRAPH_* bits; words: how igraph's 32-bit words are drawn (RNG_* constants)."},
    {"multilevel", core_multilevel, METH_VARARGS,
     "multilevel(graph, resolution, state, words, long_bits, transpose)\n"
     "-> (memberships: int32 bytes, one row of n labels per level; [modularity per level])\n"
     "igraph's multi-level (Louvain) algorithm on graph (EdgeGraph.core_graph()); advances the\n"
     "MT19937 state in place as leiden() does; transpose: the per-pass random transposition\n"
     "of C cores 0.10.13 and later."},
    {"modularity", core_modularity, METH_VARARGS,
     "modularity(graph, membership, n_partitions, resolution, behaviour)\n"
     "-> float"},
    {"igraph_edges", az_py_igraph_edges, METH_VARARGS, AZ_IGRAPH_EDGES_DOC},
    {"igraph_attribute", az_py_igraph_attribute, METH_VARARGS, AZ_IGRAPH_ATTRIBUTE_DOC},
    {"float_list", az_py_float_list, METH_VARARGS, AZ_FLOAT_LIST_DOC},
    {"leidenalg_optimise", az_py_leidenalg_optimise, METH_VARARGS, AZ_LEIDENALG_OPTIMISE_DOC},
    {"louvain_optimise", az_py_louvain_optimise, METH_VARARGS, AZ_LOUVAIN_OPTIMISE_DOC},
    {"igraph_mt_seed", az_py_igraph_mt_seed, METH_VARARGS, AZ_IGRAPH_MT_SEED_DOC},
    {"shuffle_sizes", az_py_shuffle_sizes, METH_VARARGS, AZ_SHUFFLE_SIZES_DOC},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "autozyme._core", "AutoZyme's compiled algorithms.", -1, core_methods,
};

PyObject *az_interrupted = NULL;

/* The AZ_IGRAPH_* bits (igraph_leiden.h) under the names the Python side composes
 * its behaviour classes from, and the AZ_RNG_* word sources (igraph_rng.h). */
PyMODINIT_FUNC PyInit__core(void) {
    PyObject *m, *algorithms = PyImport_ImportModule("autozyme.algorithms");
    if (algorithms == NULL) return NULL;
    Py_CLEAR(az_interrupted);
    az_interrupted = PyObject_GetAttrString(algorithms, "Interrupted");
    Py_DECREF(algorithms);
    if (az_interrupted == NULL) return NULL;
    m = PyModule_Create(&core_module);
    if (m == NULL) return NULL;
    if (PyModule_AddIntConstant(m, "IGRAPH_CORE_1_0", AZ_IGRAPH_CORE_1_0) != 0 ||
        PyModule_AddIntConstant(m, "IGRAPH_STRENGTH_BY_VERTEX", AZ_IGRAPH_STRENGTH_BY_VERTEX) !=
            0 ||
        PyModule_AddIntConstant(m, "IGRAPH_MODULARITY_PER_CLUSTER",
                                AZ_IGRAPH_MODULARITY_PER_CLUSTER) != 0 ||
        PyModule_AddIntConstant(m, "RNG_GETRANDBITS", AZ_RNG_GETRANDBITS) != 0 ||
        PyModule_AddIntConstant(m, "RNG_WHOLE_WORDS", AZ_RNG_WHOLE_WORDS) != 0 ||
        PyModule_AddIntConstant(m, "RNG_RANDINT", AZ_RNG_RANDINT) != 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
