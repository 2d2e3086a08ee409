"""Tiny C-extension sdists for real builds: one that compiles and tells, at import time, what
its build saw (the before-all hook's marker, an environment variable), one that does not."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

_PYPROJECT = """\
[build-system]
requires = [{requires}]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
"""
# The hook writes the marker in the build container before any build; setup.py compiles
# it and the environment variable into the extension, so an import shows both acted.
_SETUP = """\
import os
from setuptools import Extension, setup
{imports}

marker = "/tmp/before-all-marker"
hook = open(marker).read().strip() if os.path.exists(marker) else "no hook"
env = os.environ.get("TINY_PROOF", "no env")
setup(ext_modules=[Extension(
    "{name}", ["{name}.c"],
    define_macros=[("HOOK_MARK", '"%s"' % hook), ("ENV_MARK", '"%s"' % env)],
)])
"""
_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *answer(PyObject *self, PyObject *args) {{ return PyLong_FromLong(42); }}
static PyMethodDef methods[] = {{{{"answer", answer, METH_NOARGS, NULL}}, {{NULL}}}};
static struct PyModuleDef module = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, methods}};

PyMODINIT_FUNC PyInit_{name}(void) {{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    PyModule_AddStringConstant(m, "hook", HOOK_MARK);
    PyModule_AddStringConstant(m, "env", ENV_MARK);
    return m;
}}
"""
_BROKEN_C = "#include <Python.h>\nthis is not C;\n"


def c_extension_sdist(
    directory: Path,
    name: str,
    version: str,
    *,
    compiles: bool = True,
    needs: tuple[str, ...] = (),
) -> Path:
    """`<name>-<version>.tar.gz` in `directory`: a setuptools project with one C extension;
    `needs` are C-extension modules its build requires and imports (it fails without)."""
    requires = ", ".join(f'"{item}"' for item in ("setuptools", *needs))
    imports = "".join(f"import {module}; assert {module}.answer() == 42\n" for module in needs)
    files = {
        "pyproject.toml": _PYPROJECT.format(name=name, version=version, requires=requires),
        "setup.py": _SETUP.format(name=name, imports=imports),
        f"{name}.c": _C.format(name=name) if compiles else _BROKEN_C,
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for filename, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{filename}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return path
