"""cuBLAS through ctypes: the library from the CUDA toolkit or NVIDIA's
nvidia-cublas wheel; one handle per device, bound to the device's stream, in
the device's primary context (the one PyCUDA uses, so our kernels and cuBLAS
share memory and ordering). Row-major products are computed as column-major
ones with the operands swapped: C = A @ B  <=>  C^T = B^T @ A^T."""
import ctypes
import glob
import os
import sys

_OP_N, _OP_T = 0, 1
_lib = None


def _candidates():
    names = []
    for root in (os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
        if root:
            names += sorted(glob.glob(os.path.join(root, "lib64", "libcublas.so*")), reverse=True)
            names += sorted(glob.glob(os.path.join(root, "lib", "x64", "cublas64_*.dll")), reverse=True)
    for p in sys.path:
        d = os.path.join(p, "nvidia", "cublas", "lib")
        if os.path.isdir(d):
            names += sorted(glob.glob(os.path.join(d, "libcublas.so*")), reverse=True)
    names += ["libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"]
    return names


def load():
    """The cuBLAS library (a ctypes CDLL); RuntimeError when none loads."""
    global _lib
    if _lib is not None:
        return _lib
    errs = []
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            errs.append("%s: %s" % (name, e))
            continue
        _declare(lib)
        _lib = lib
        return lib
    raise RuntimeError("cuBLAS could not be loaded (tried the CUDA toolkit in CUDA_PATH, "
                       "/usr/local/cuda and the nvidia-cublas wheel): %s" % "; ".join(errs[-3:]))


def _declare(lib):
    vp, i, p = ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
    ll = ctypes.c_longlong
    lib.cublasCreate_v2.argtypes = [ctypes.POINTER(vp)]
    lib.cublasDestroy_v2.argtypes = [vp]
    lib.cublasSetStream_v2.argtypes = [vp, vp]
    for name in ("cublasSgemm_v2", "cublasDgemm_v2"):
        f = getattr(lib, name)
        # handle, transa, transb, m, n, k, alpha*, A, lda, B, ldb, beta*, C, ldc
        f.argtypes = [vp, i, i, i, i, i, p, p, i, p, i, p, p, i]
    for name in ("cublasSgemmStridedBatched", "cublasDgemmStridedBatched"):
        f = getattr(lib, name)
        f.argtypes = [vp, i, i, i, i, i, p, p, i, ll, p, i, ll, p, p, i, ll, i]
    for f in (lib.cublasCreate_v2, lib.cublasDestroy_v2, lib.cublasSetStream_v2,
              lib.cublasSgemm_v2, lib.cublasDgemm_v2, lib.cublasSgemmStridedBatched,
              lib.cublasDgemmStridedBatched):
        f.restype = ctypes.c_int


_STATUS = {1: "NOT_INITIALIZED", 3: "ALLOC_FAILED", 7: "INVALID_VALUE", 8: "ARCH_MISMATCH",
           11: "MAPPING_ERROR", 13: "EXECUTION_FAILED", 14: "INTERNAL_ERROR",
           15: "NOT_SUPPORTED"}


def _check(status, what):
    if status != 0:
        from eager import errors
        msg = "%s failed: CUBLAS_STATUS_%s (%d)" % (what, _STATUS.get(status, "?"), status)
        if status == 3:
            raise errors.ResourceExhaustedError(None, None, msg)
        raise errors.InternalError(None, None, msg)


class Handle(object):
    """A cuBLAS handle on one device's stream (create it with that
    device's context current)."""

    def __init__(self, stream_handle):
        self.lib = lib = load()
        h = ctypes.c_void_p()
        _check(lib.cublasCreate_v2(ctypes.byref(h)), "cublasCreate")
        self.handle = h
        _check(lib.cublasSetStream_v2(h, ctypes.c_void_p(stream_handle)), "cublasSetStream")
        self._one = {4: ctypes.c_float(1.0), 8: ctypes.c_double(1.0)}
        self._zero = {4: ctypes.c_float(0.0), 8: ctypes.c_double(0.0)}

    def gemm(self, itemsize, a, b, c, m, n, k, trans_a=False, trans_b=False,
             batch=1, stride_a=0, stride_b=0, stride_c=0):
        """Row-major C[m, n] = op(A) @ op(B) for float32 (itemsize 4) or
        float64 (8); a, b, c are device addresses; op(A) is [m, k] and A is
        stored [m, k] or, transposed, [k, m]; with batch > 1, strided batches."""
        lib = self.lib
        lda = m if trans_a else k
        ldb = k if trans_b else n
        ta = _OP_T if trans_a else _OP_N
        tb = _OP_T if trans_b else _OP_N
        alpha = ctypes.byref(self._one[itemsize])
        beta = ctypes.byref(self._zero[itemsize])
        A, B, C = ctypes.c_void_p(a), ctypes.c_void_p(b), ctypes.c_void_p(c)
        if batch == 1:
            f = lib.cublasSgemm_v2 if itemsize == 4 else lib.cublasDgemm_v2
            _check(f(self.handle, tb, ta, n, m, k, alpha, B, ldb, A, lda, beta, C, n), "gemm")
        else:
            f = lib.cublasSgemmStridedBatched if itemsize == 4 else lib.cublasDgemmStridedBatched
            _check(f(self.handle, tb, ta, n, m, k, alpha, B, ldb, stride_b, A, lda, stride_a,
                     beta, C, n, stride_c, batch), "gemm_strided_batched")

    def close(self):
        if self.handle:
            self.lib.cublasDestroy_v2(self.handle)
            self.handle = None
