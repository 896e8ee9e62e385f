"""CPU loops for convolution and pooling that NumPy cannot do in one pass:
the scatter-add of a patch matrix back onto an image (col2im, the input
gradient of conv2d), max pooling and the routing of its gradient to each
window's first maximum, and relu's gradient. The loops themselves are C in
nn_loops.h; this module checks what memory safety needs (dtypes,
contiguity, every size an index is formed from) and runs them without the
GIL. Images are NHWC, C-contiguous, float32 or float64; the op modules
(eager/ops/conv.py, pooling.py, nn.py) check the user-facing shapes."""
cimport numpy as cnp
from libc.stdlib cimport malloc, free

import numpy as np

cnp.import_array()

cdef extern from "nn_loops.h":
    void eager_im2col_f32(const float *x, float *cols, Py_ssize_t N, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                          Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_im2col_f64(const double *x, double *cols, Py_ssize_t N, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                          Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_col2im_f32(const float *cols, float *out, Py_ssize_t N, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                          Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_col2im_f64(const double *cols, double *out, Py_ssize_t N, Py_ssize_t H,
                          Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                          Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_max_pool_f32(const float *x, float *y, Py_ssize_t N, Py_ssize_t H,
                            Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                            Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                            Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_max_pool_f64(const double *x, double *y, Py_ssize_t N, Py_ssize_t H,
                            Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                            Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                            Py_ssize_t pt, Py_ssize_t pl) nogil
    void eager_max_pool_route_f32(const float *x, const float *y, const float *g, float *dst,
                                  unsigned char *done, Py_ssize_t N, Py_ssize_t H,
                                  Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH, Py_ssize_t OW,
                                  Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                                  Py_ssize_t pt, Py_ssize_t pl, int backward) nogil
    void eager_max_pool_route_f64(const double *x, const double *y, const double *g,
                                  double *dst, unsigned char *done, Py_ssize_t N,
                                  Py_ssize_t H, Py_ssize_t W, Py_ssize_t C, Py_ssize_t OH,
                                  Py_ssize_t OW, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh,
                                  Py_ssize_t sw, Py_ssize_t pt, Py_ssize_t pl,
                                  int backward) nogil
    void eager_relu_f32(const float *x, float *out, Py_ssize_t n) nogil
    void eager_relu_f64(const double *x, double *out, Py_ssize_t n) nogil
    void eager_relu_grad_f32(const float *g, const float *ans, float *out, Py_ssize_t n) nogil
    void eager_relu_grad_f64(const double *g, const double *ans, double *out,
                             Py_ssize_t n) nogil


cdef bint _is_f32(cnp.ndarray a) except -1:
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        raise ValueError("arrays must be C-contiguous")
    if a.dtype == np.float32:
        return True
    if a.dtype == np.float64:
        return False
    raise TypeError("arrays must be float32 or float64, got %s" % a.dtype)


cdef int _same(cnp.ndarray a, cnp.ndarray b, bint f32) except -1:
    if _is_f32(b) != f32:
        raise TypeError("arrays must have one dtype, got %s and %s" % (a.dtype, b.dtype))
    return 0


cdef tuple _dims4(cnp.ndarray a, str what):
    if a.ndim != 4:
        raise ValueError("%s must have rank 4, got shape %s" % (what, (<object>a).shape))
    return (<object>a).shape


cdef int _check_patches(Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t KH, Py_ssize_t KW,
                        Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t dh, Py_ssize_t dw,
                        Py_ssize_t pt, Py_ssize_t pl) except -1:
    # Any geometry is memory-safe (taps outside the image are skipped);
    # these only keep the index arithmetic far from overflow.
    if OH < 0 or OW < 0 or KH < 1 or KW < 1 or sh < 1 or sw < 1 or dh < 1 or dw < 1 \
            or pt < 0 or pl < 0 or max(OH, OW, KH, KW, sh, sw, dh, dw, pt, pl) > (1 << 30):
        raise ValueError("bad patch geometry")
    return 0


def im2col_nhwc(cnp.ndarray x, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t KH, Py_ssize_t KW,
                Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt,
                Py_ssize_t pl):
    """The patch matrix of x [N, H, W, C]: [N*OH*OW, KH*KW*C], rows in
    (n, oh, ow) order and columns in (kh, kw, c) order. Patch (oh, ow)
    starts at row oh*sh - pt and column ow*sw - pl, its taps dh and dw
    apart; taps outside the image are 0 (the zero padding)."""
    cdef bint f32 = _is_f32(x)
    N, H, W, C = _dims4(x, "x")
    _check_patches(OH, OW, KH, KW, sh, sw, dh, dw, pt, pl)
    cdef cnp.ndarray cols = np.empty((N * OH * OW, KH * KW * C), dtype=x.dtype)
    if cols.size == 0:
        return cols
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pc = cnp.PyArray_DATA(cols)
    cdef Py_ssize_t n = N, h = H, w = W, c = C
    with nogil:
        if f32:
            eager_im2col_f32(<float *>px, <float *>pc, n, h, w, c, OH, OW, KH, KW,
                             sh, sw, dh, dw, pt, pl)
        else:
            eager_im2col_f64(<double *>px, <double *>pc, n, h, w, c, OH, OW, KH, KW,
                             sh, sw, dh, dw, pt, pl)
    return cols


def col2im_nhwc(cnp.ndarray cols, cnp.ndarray out, Py_ssize_t OH, Py_ssize_t OW,
                Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t pt, Py_ssize_t pl):
    """Adds patch matrix `cols` (laid out as im2col_nhwc returns it) onto the
    image `out` [N, H, W, C] in place and returns it; taps outside the image
    are dropped (the adjoint of im2col_nhwc)."""
    cdef bint f32 = _is_f32(out)
    _same(out, cols, f32)
    N, H, W, C = _dims4(out, "out")
    _check_patches(OH, OW, KH, KW, sh, sw, dh, dw, pt, pl)
    if cols.ndim != 2 or cols.shape[0] != N * OH * OW or cols.shape[1] != KH * KW * C:
        raise ValueError("cols has shape %s, expected %s"
                         % ((<object>cols).shape, (N * OH * OW, KH * KW * C)))
    if cols.size == 0:
        return out
    cdef void *pc = cnp.PyArray_DATA(cols)
    cdef void *po = cnp.PyArray_DATA(out)
    cdef Py_ssize_t n = N, h = H, w = W, c = C
    with nogil:
        if f32:
            eager_col2im_f32(<float *>pc, <float *>po, n, h, w, c, OH, OW, KH, KW,
                             sh, sw, dh, dw, pt, pl)
        else:
            eager_col2im_f64(<double *>pc, <double *>po, n, h, w, c, OH, OW, KH, KW,
                             sh, sw, dh, dw, pt, pl)
    return out


cdef int _check_pool(Py_ssize_t H, Py_ssize_t W, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t KH,
                     Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t pt,
                     Py_ssize_t pl) except -1:
    # Every window must hold at least one element of the image: it starts
    # at o*s - p < size and ends at o*s - p + k > 0.
    if OH < 0 or OW < 0 or KH < 1 or KW < 1 or sh < 1 or sw < 1 or pt < 0 or pl < 0 \
            or pt >= KH or pl >= KW:
        raise ValueError("bad pooling geometry")
    if (OH and (OH - 1) * sh - pt >= H) or (OW and (OW - 1) * sw - pl >= W):
        raise ValueError("pooling windows lie outside the image")
    return 0


def max_pool_nhwc(cnp.ndarray x, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t KH, Py_ssize_t KW,
                  Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t pt, Py_ssize_t pl):
    """The max over each KH x KW window of x [N, H, W, C] (windows start at
    oh*sh - pt, ow*sw - pl and are clipped to the image): [N, OH, OW, C]."""
    cdef bint f32 = _is_f32(x)
    N, H, W, C = _dims4(x, "x")
    _check_pool(H, W, OH, OW, KH, KW, sh, sw, pt, pl)
    cdef cnp.ndarray y = np.empty((N, OH, OW, C), dtype=x.dtype)
    if y.size == 0:
        return y
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    cdef Py_ssize_t n = N, h = H, w = W, c = C
    with nogil:
        if f32:
            eager_max_pool_f32(<float *>px, <float *>py, n, h, w, c, OH, OW, KH, KW,
                               sh, sw, pt, pl)
        else:
            eager_max_pool_f64(<double *>px, <double *>py, n, h, w, c, OH, OW, KH, KW,
                               sh, sw, pt, pl)
    return y


def max_pool_route_nhwc(cnp.ndarray x, cnp.ndarray y, cnp.ndarray g, Py_ssize_t KH,
                        Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t pt,
                        Py_ssize_t pl, bint backward):
    """For max pooling x [N, H, W, C] to y [N, OH, OW, C]: with `backward`,
    g [N, OH, OW, C] added at each window's first element equal to its
    max, as an [N, H, W, C] array (the gradient); otherwise g is
    [N, H, W, C] and the result [N, OH, OW, C] holds g read at those
    elements (the gradient of the gradient)."""
    cdef bint f32 = _is_f32(x)
    _same(x, y, f32)
    _same(x, g, f32)
    N, H, W, C = _dims4(x, "x")
    _, OH, OW, _ = _dims4(y, "y")
    if (<object>y).shape != (N, OH, OW, C):
        raise ValueError("y has shape %s for x %s" % ((<object>y).shape, (<object>x).shape))
    _check_pool(H, W, OH, OW, KH, KW, sh, sw, pt, pl)
    want = (<object>y).shape if backward else (<object>x).shape
    if (<object>g).shape != want:
        raise ValueError("g has shape %s, expected %s" % ((<object>g).shape, want))
    cdef cnp.ndarray dst = np.zeros((<object>x).shape if backward else (<object>y).shape,
                                    dtype=x.dtype)
    if y.size == 0:
        return dst
    cdef unsigned char *done = <unsigned char *>malloc(C)
    if done == NULL:
        raise MemoryError()
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *py = cnp.PyArray_DATA(y)
    cdef void *pg = cnp.PyArray_DATA(g)
    cdef void *pd = cnp.PyArray_DATA(dst)
    cdef Py_ssize_t n = N, h = H, w = W, c = C, oh = OH, ow = OW
    with nogil:
        if f32:
            eager_max_pool_route_f32(<float *>px, <float *>py, <float *>pg, <float *>pd, done,
                                     n, h, w, c, oh, ow, KH, KW, sh, sw, pt, pl, backward)
        else:
            eager_max_pool_route_f64(<double *>px, <double *>py, <double *>pg, <double *>pd,
                                     done, n, h, w, c, oh, ow, KH, KW, sh, sw, pt, pl,
                                     backward)
    free(done)
    return dst


def relu(cnp.ndarray x):
    """max(x, 0) in one pass (NaN stays NaN) for a C-contiguous float32 or
    float64 array; None for anything else (the caller then uses NumPy)."""
    if not cnp.PyArray_IS_C_CONTIGUOUS(x) or (x.dtype != np.float32 and x.dtype != np.float64):
        return None
    cdef cnp.ndarray out = np.empty_like(x)
    cdef Py_ssize_t n = x.size
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *po = cnp.PyArray_DATA(out)
    cdef bint f32 = x.dtype == np.float32
    with nogil:
        if f32:
            eager_relu_f32(<float *>px, <float *>po, n)
        else:
            eager_relu_f64(<double *>px, <double *>po, n)
    return out


def relu_grad(cnp.ndarray g, cnp.ndarray ans):
    """g where ans > 0, else 0, in one pass, for C-contiguous float32 or
    float64 arrays of one shape and dtype; None for anything else (the
    caller then uses NumPy)."""
    if (g.dtype != ans.dtype or (<object>g).shape != (<object>ans).shape
            or not cnp.PyArray_IS_C_CONTIGUOUS(g) or not cnp.PyArray_IS_C_CONTIGUOUS(ans)):
        return None
    if g.dtype != np.float32 and g.dtype != np.float64:
        return None
    cdef cnp.ndarray out = np.empty_like(g)
    cdef Py_ssize_t n = g.size
    cdef void *pg = cnp.PyArray_DATA(g)
    cdef void *pa = cnp.PyArray_DATA(ans)
    cdef void *po = cnp.PyArray_DATA(out)
    cdef bint f32 = g.dtype == np.float32
    with nogil:
        if f32:
            eager_relu_grad_f32(<float *>pg, <float *>pa, <float *>po, n)
        else:
            eager_relu_grad_f64(<double *>pg, <double *>pa, <double *>po, n)
    return out
