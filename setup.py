"""Build of eager's Cython core: every eager/_ext/*.pyx, optimised, in one list."""
import glob
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# Directives live here and only here. boundscheck/wraparound are switched off
# per function (with a comment on why it is safe), never globally.
DIRECTIVES = {
    "language_level": 3,
    "embedsignature": True,
    "cdivision": False,
}

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2"]
else:
    COMPILE_ARGS = ["-O3", "-fno-strict-aliasing", "-Wno-unused-function"]


def extensions():
    mods = []
    # EAGER_BUILD_ONLY=tape,tensor rebuilds just those modules (development).
    only = [m for m in os.environ.get("EAGER_BUILD_ONLY", "").split(",") if m]
    for pyx in sorted(glob.glob(os.path.join("eager", "_ext", "*.pyx"))):
        name = pyx[:-4].replace(os.sep, ".")
        if only and name.rsplit(".", 1)[1] not in only:
            continue
        mods.append(Extension(
            name, [pyx],
            include_dirs=[np.get_include(), os.path.join("eager", "_ext")],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=COMPILE_ARGS,
        ))
    return cythonize(mods, compiler_directives=DIRECTIVES,
                     nthreads=int(os.environ.get("EAGER_BUILD_JOBS", "2")))


def cuda_kernels():
    """cuda_src/*.cu -> eager/_cuda_bin/*.fatbin (package data) where nvcc
    exists, unless EAGER_BUILD_CUDA=0 or only some Cython modules are being
    rebuilt; up-to-date modules (by source hash) are skipped. Without nvcc
    the GPU backend compiles at first use instead."""
    if os.environ.get("EAGER_BUILD_CUDA", "1") == "0" or os.environ.get("EAGER_BUILD_ONLY"):
        return
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "_eager_cuda_modules", os.path.join("eager", "backends", "cuda", "modules.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if mod.find_nvcc() is None:
        return
    archs = tuple(a for a in os.environ.get("EAGER_CUDA_ARCHS", "").split(",") if a) or mod.ARCHS
    bin_dir = os.path.join("eager", "_cuda_bin")
    mod.build_all(src="cuda_src", bin_dir=bin_dir, archs=archs,
                  jobs=int(os.environ.get("EAGER_BUILD_JOBS", "2")))
    # A package, so that setuptools ships the fatbins as its package data.
    init = os.path.join(bin_dir, "__init__.py")
    if os.path.isdir(bin_dir) and not os.path.exists(init):
        with open(init, "w") as f:
            f.write('"""Prebuilt CUDA kernels (fatbins) of cuda_src/, made by setup.py."""\n')


cuda_kernels()
setup(ext_modules=extensions())
