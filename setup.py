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


setup(ext_modules=extensions())
