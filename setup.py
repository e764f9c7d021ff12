"""Build script: the compiled core and the startup files that land in site-packages.

`autozyme.pth` (and its PEP 829 twin `autozyme.start`) must sit at the root of
site-packages for regular *and* editable installs. Regular wheels get them from
`build_py`; setuptools >= 64 builds editable wheels without running our
`build_py` into the wheel, so `editable_wheel` is extended to add them too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
STARTUP_FILES = ("autozyme.pth", "autozyme.start")

# Bit-identical results need IEEE arithmetic in igraph's operation order:
# no contraction into FMA, no fast-math reassociation.
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/fp:precise"]
else:
    COMPILE_ARGS = ["-O2", "-std=c99", "-ffp-contract=off", "-fno-fast-math", "-Wall"]

core = Extension(
    "autozyme._core",
    sources=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "autozyme" / "csrc").glob("*.c")),
    depends=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "autozyme" / "csrc").glob("*.h")),
    extra_compile_args=COMPILE_ARGS,
    # posix_memalign() and madvise() under -std=c99 (az_alloc.h)
    define_macros=[] if sys.platform == "win32" else [("_DEFAULT_SOURCE", "1")],
)


class BuildPyWithStartupFiles(build_py):
    """Copy the startup files next to the package, i.e. to the site-packages root."""

    def run(self) -> None:
        super().run()
        for name in STARTUP_FILES:
            self.copy_file(str(ROOT / name), str(Path(self.build_lib) / name))


cmdclass: dict[str, type] = {"build_py": BuildPyWithStartupFiles}

try:
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # setuptools < 64: `develop` runs build_py in place; nothing to add
    pass
else:

    class _StrategyWithStartupFiles:
        """Wrap setuptools' editable strategy so the wheel also carries our startup files."""

        def __init__(self, inner) -> None:
            self._inner = inner

        def __call__(self, wheel, files, mapping) -> None:
            self._inner(wheel, files, mapping)
            for name in STARTUP_FILES:
                wheel.writestr(name, (ROOT / name).read_bytes())

        def __enter__(self):
            self._inner.__enter__()
            return self

        def __exit__(self, *exc) -> None:
            self._inner.__exit__(*exc)

    class EditableWheelWithStartupFiles(editable_wheel):
        def _select_strategy(self, *args, **kwargs):
            return _StrategyWithStartupFiles(super()._select_strategy(*args, **kwargs))

    cmdclass["editable_wheel"] = EditableWheelWithStartupFiles


setup(ext_modules=[core], cmdclass=cmdclass)
