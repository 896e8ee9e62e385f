"""Fast sums for the reductions' CPU kernels (eager/ops/reduction.py): whole
contiguous float32/float64 arrays, or each row of their last axis, summed
by the SIMD loops of reduce_loops.h with the GIL released."""
cimport numpy as cnp
import numpy as np

cnp.import_array()

cdef extern from "reduce_loops.h" nogil:
    double eager_sum_f32(const float *x, Py_ssize_t n)
    double eager_sum_f64(const double *x, Py_ssize_t n)


cdef inline double _sum_run(int typenum, const char *p, Py_ssize_t n) noexcept nogil:
    if typenum == cnp.NPY_FLOAT32:
        return eager_sum_f32(<const float *>p, n)
    return eager_sum_f64(<const double *>p, n)


def fast_sum(x, axis, bint keepdims, bint mean):
    """sum (or mean, when `mean`) of NumPy array x over `axis` (None or a
    sorted tuple of axes, as reduction._axes gives it), or None when these
    loops do not apply (other dtypes, non-contiguous, other axes, empty)."""
    if type(x) is not np.ndarray:
        return None
    cdef cnp.ndarray a = <cnp.ndarray>x
    cdef int typenum = cnp.PyArray_TYPE(a)
    if typenum != cnp.NPY_FLOAT32 and typenum != cnp.NPY_FLOAT64:
        return None
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        return None
    cdef int nd = cnp.PyArray_NDIM(a)
    cdef Py_ssize_t n = cnp.PyArray_SIZE(a)
    if n == 0 or nd == 0:
        return None
    cdef bint whole = axis is None or len(axis) == nd
    if not whole and not (len(axis) == 1 and axis[0] == nd - 1):
        return None
    cdef Py_ssize_t row = n if whole else cnp.PyArray_DIMS(a)[nd - 1]
    if row == 0:
        return None
    cdef Py_ssize_t rows = n // row, r
    cdef Py_ssize_t itemsize = cnp.PyArray_ITEMSIZE(a)
    cdef const char *p = <const char *>cnp.PyArray_DATA(a)
    cdef double s, scale = (1.0 / row) if mean else 1.0
    cdef cnp.ndarray out
    cdef float *of
    cdef double *od
    if whole:
        with nogil:
            s = _sum_run(typenum, p, n) * scale
        shape = (1,) * nd if keepdims else ()
        out = np.empty(shape, a.dtype)
        if typenum == cnp.NPY_FLOAT32:
            (<float *>cnp.PyArray_DATA(out))[0] = <float>s
        else:
            (<double *>cnp.PyArray_DATA(out))[0] = s
        return out
    shape = tuple(x.shape)[:nd - 1] + ((1,) if keepdims else ())
    out = np.empty(shape, a.dtype)
    # out has exactly `rows` elements and each row lies inside a's buffer
    # (a is C-contiguous with rows * row elements).
    if typenum == cnp.NPY_FLOAT32:
        of = <float *>cnp.PyArray_DATA(out)
        with nogil:
            for r in range(rows):
                of[r] = <float>(eager_sum_f32(<const float *>(p + r * row * itemsize), row) * scale)
    else:
        od = <double *>cnp.PyArray_DATA(out)
        with nogil:
            for r in range(rows):
                od[r] = eager_sum_f64(<const double *>(p + r * row * itemsize), row) * scale
    return out
