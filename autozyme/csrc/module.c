/* autozyme._core: Python binding of the compiled algorithms. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *core_abi(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(1);
}

static PyMethodDef core_methods[] = {
    {"abi", core_abi, METH_NOARGS, "Version of the core's calling convention."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "autozyme._core", "AutoZyme's compiled algorithms.", -1, core_methods,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&core_module); }
