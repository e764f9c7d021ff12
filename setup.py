"""Build script: the compiled core.

The startup files (``autozyme.pth``, ``autozyme.start``) are added to every wheel by the
in-tree build backend (``build_backend/autozyme_backend.py``), not here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).parent

# Bit-identical results need IEEE arithmetic in igraph's operation order:
# no contraction into FMA, no fast-math reassociation.
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:precise"]
else:
    COMPILE_ARGS = ["-O2", "-std=c99", "-ffp-contract=off", "-fno-fast-math", "-Wall"]

# posix_memalign() and madvise() under -std=c99 (az_alloc.h)
MACROS = [] if sys.platform == "win32" else [("_DEFAULT_SOURCE", "1")]
# The binding needs the buffer protocol, part of the stable ABI since Python 3.11: built
# there, one abi3 wheel serves every later CPython; 3.10 gets a wheel of its own.
LIMITED_API = sys.version_info >= (3, 11)
if LIMITED_API:
    MACROS.append(("Py_LIMITED_API", "0x030B0000"))

core = Extension(
    "autozyme._core",
    sources=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "autozyme" / "csrc").glob("*.c")),
    depends=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "autozyme" / "csrc").glob("*.h")),
    extra_compile_args=COMPILE_ARGS,
    define_macros=MACROS,
    py_limited_api=LIMITED_API,
)

setup(
    ext_modules=[core],
    options={"bdist_wheel": {"py_limited_api": "cp311"}} if LIMITED_API else {},
)
