/* Helpers shared by the Python bindings (module.c, leidenalg_binding.c). */
#ifndef AZ_BINDING_UTIL_H
#define AZ_BINDING_UTIL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

#endif
