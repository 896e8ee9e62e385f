"""Finding, building and caching the compiled kernels of cuda_src/.

Each cuda_src/<name>.cu becomes one module. Its text is made self-contained
in Python (the `#include "eager_common.cuh"` line replaced by that header),
so a cache look-up hashes text and never runs the preprocessor. A module is
taken, in order, from: the memory cache (per device); eager/_cuda_bin/
<name>.fatbin, built with the package, when it was built from the same text
(its manifest records the hash) and holds code for this GPU; the disk cache
(~/.cache/eager/cuda or $EAGER_CUDA_CACHE), keyed by the hash of text,
options, nvcc version, architecture and eager's version; else nvcc compiles
it now, into the disk cache, written atomically.

Everything here but `load` runs without a GPU (the build and tests use it).
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

HEADER = "eager_common.cuh"
OPTIONS = ("-std=c++17", "-O3")
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"%s"[ \t]*$' % re.escape(HEADER), re.M)
_HERE = os.path.dirname(os.path.abspath(__file__))
_PKG = os.path.dirname(os.path.dirname(_HERE))                 # eager/
BIN_DIR = os.path.join(_PKG, "_cuda_bin")


def source_dir():
    """cuda_src/ of a source checkout, else the copy shipped in _cuda_bin/src."""
    repo = os.path.join(os.path.dirname(_PKG), "cuda_src")
    if os.path.isdir(repo):
        return repo
    return os.path.join(BIN_DIR, "src")


def module_names(src=None):
    src = src or source_dir()
    if not os.path.isdir(src):
        return []
    return sorted(f[:-3] for f in os.listdir(src) if f.endswith(".cu"))


def full_source(name, src=None):
    """The text of cuda_src/<name>.cu with the common header pasted in."""
    src = src or source_dir()
    with open(os.path.join(src, name + ".cu")) as f:
        text = f.read()
    with open(os.path.join(src, HEADER)) as f:
        header = f.read().replace("#pragma once", "")
    return _INCLUDE.sub(lambda m: header, text)


def source_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_nvcc():
    for cand in (os.environ.get("EAGER_NVCC"),
                 os.path.join(os.environ.get("CUDA_PATH", ""), "bin", "nvcc")
                 if os.environ.get("CUDA_PATH") else None,
                 os.path.join(os.environ.get("CUDA_HOME", ""), "bin", "nvcc")
                 if os.environ.get("CUDA_HOME") else None,
                 shutil.which("nvcc"), "/usr/local/cuda/bin/nvcc"):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


_nvcc_versions = {}


def nvcc_version(nvcc):
    v = _nvcc_versions.get(nvcc)
    if v is None:
        out = subprocess.run([nvcc, "--version"], capture_output=True, text=True, check=True)
        v = _nvcc_versions[nvcc] = out.stdout.strip().splitlines()[-1]
    return v


def compile_fatbin(text, archs, out_path, nvcc=None, options=OPTIONS, ptx_arch=None):
    """nvcc `text` into a fatbin at out_path with SASS for each arch in
    `archs` (e.g. ["sm_75", "sm_90"]) and PTX for `ptx_arch` (JIT on newer
    GPUs); written to a temporary name, then renamed."""
    nvcc = nvcc or find_nvcc()
    if nvcc is None:
        raise RuntimeError("nvcc was not found (set CUDA_PATH or EAGER_NVCC)")
    d = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eager-nvcc-") as tmp:
        cu = os.path.join(tmp, "k.cu")
        with open(cu, "w") as f:
            f.write(text)
        gencode = []
        for a in archs:
            gencode.append("-gencode=arch=compute_%s,code=%s" % (a[3:], a))
        if ptx_arch:
            gencode.append("-gencode=arch=compute_%s,code=compute_%s" % (ptx_arch[3:], ptx_arch[3:]))
        tmp_out = os.path.join(tmp, "k.fatbin")
        cmd = [nvcc, *options, "-fatbin", *gencode, "-o", tmp_out, cu]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("nvcc failed (%s):\n%s" % (" ".join(cmd), r.stderr[-4000:]))
        _atomic_copy(tmp_out, out_path)
    return out_path


def _load_fileio():
    # By file path, not `import eager...`: setup.py runs this module on its
    # own, before eager's extensions are built (fileio needs only os).
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                        "util", "fileio.py")
    spec = importlib.util.spec_from_file_location("_eager_fileio", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


atomic_write = _load_fileio().atomic_write


def _atomic_copy(src, dst):
    def copy(f):
        with open(src, "rb") as s:
            shutil.copyfileobj(s, f)
    atomic_write(dst, copy)


def write_manifest(bin_dir, entries):
    """The build's record of which source text each fatbin was made from."""
    text = json.dumps(entries, indent=1, sort_keys=True).encode()
    atomic_write(os.path.join(bin_dir, "manifest.json"), lambda f: f.write(text))


def read_manifest(bin_dir=BIN_DIR):
    try:
        with open(os.path.join(bin_dir, "manifest.json")) as f:
            m = json.load(f)
        return m if isinstance(m, dict) else {}
    except (OSError, ValueError):
        return {}


def cache_dir():
    d = os.environ.get("EAGER_CUDA_CACHE")
    if not d:
        d = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                         os.path.join(os.path.expanduser("~"), ".cache"), "eager", "cuda")
    return d


def cache_key(text, options, nvcc_ver, arch, version):
    h = hashlib.sha256()
    for part in (text, " ".join(options), nvcc_ver, arch, version):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _eager_version():
    try:
        from importlib.metadata import version
        return version("eager")
    except Exception:
        return "dev"


def prebuilt(name, text, arch):
    """The shipped fatbin of module `name` if it was built from `text` and
    holds SASS for `arch` or PTX for an older one; else None."""
    entry = read_manifest().get(name)
    if not entry or entry.get("sha256") != source_hash(text):
        return None
    cc = int(arch[3:])
    sass = [int(a[3:]) for a in entry.get("archs", [])]
    ptx = entry.get("ptx")
    if cc not in sass and not (ptx and int(ptx[3:]) <= cc):
        return None
    path = os.path.join(BIN_DIR, name + ".fatbin")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def compiled(name, text, arch):
    """The fatbin for `arch` from the disk cache, compiling it on a miss."""
    nvcc = find_nvcc()
    if nvcc is None:
        raise RuntimeError(
            "no prebuilt CUDA kernels of module %r fit this GPU (%s) and nvcc was not "
            "found to compile them (install the CUDA toolkit or set EAGER_NVCC)" % (name, arch))
    key = cache_key(text, OPTIONS, nvcc_version(nvcc), arch, _eager_version())
    path = os.path.join(cache_dir(), "%s-%s.fatbin" % (name, key[:32]))
    if not os.path.exists(path):
        compile_fatbin(text, [arch], path, nvcc=nvcc)
    with open(path, "rb") as f:
        return f.read()


def fatbin_for(name, arch):
    """The fatbin bytes of module `name` for GPU architecture `arch` ("sm_90")."""
    text = full_source(name)
    data = prebuilt(name, text, arch)
    if data is None:
        data = compiled(name, text, arch)
    return data


def kernel_names(text):
    """The extern "C" entry points a module's source defines, after its
    macros are expanded by nvcc's preprocessor (used by the tests)."""
    return sorted(set(re.findall(r"\b(eager_\w+)\s*\(", text)))


ARCHS = ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90")


def build_all(src=None, bin_dir=BIN_DIR, archs=ARCHS, ptx_arch="sm_90", jobs=2, log=print):
    """Compiles every cuda_src/*.cu into bin_dir/<name>.fatbin (SASS for
    `archs`, PTX for `ptx_arch`), skipping modules whose manifest entry says
    they are up to date; copies the sources to bin_dir/src for installs that
    compile at first use. Returns the names built."""
    from concurrent.futures import ThreadPoolExecutor
    src = src or source_dir()
    nvcc = find_nvcc()
    if nvcc is None:
        return []
    os.makedirs(os.path.join(bin_dir, "src"), exist_ok=True)
    manifest = read_manifest(bin_dir)
    todo = []
    for name in module_names(src):
        text = full_source(name, src)
        entry = {"sha256": source_hash(text), "archs": list(archs), "ptx": ptx_arch,
                 "nvcc": nvcc_version(nvcc)}
        for f in (name + ".cu", HEADER):
            _atomic_copy(os.path.join(src, f), os.path.join(bin_dir, "src", f))
        if manifest.get(name) == entry and os.path.exists(os.path.join(bin_dir, name + ".fatbin")):
            continue
        todo.append((name, text, entry))

    def one(item):
        name, text, entry = item
        compile_fatbin(text, archs, os.path.join(bin_dir, name + ".fatbin"), nvcc=nvcc,
                       ptx_arch=ptx_arch)
        return name, entry

    with ThreadPoolExecutor(max(1, jobs)) as ex:
        for name, entry in ex.map(one, todo):
            manifest[name] = entry
            log("cuda: built %s.fatbin (%s)" % (name, ", ".join(archs)))
    write_manifest(bin_dir, manifest)
    return [t[0] for t in todo]
