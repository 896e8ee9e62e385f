"""Pooling: max_pool (gradient to each window's first maximum, and that
gradient's own gradient) and avg_pool (padding not counted), in NHWC with
NCHW transposed on the way in and out, as conv2d. The max-pooling loops are
C (eager/_ext/nn_kernels.pyx), with NumPy versions when that is not built."""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from eager.ops._registry import defop, api, execute, generic, MATCH_ALL, FLOATS
from eager.ops._argcheck import _desc, _invalid, _tensor
from eager.ops.conv import (_work, _nhwc, _from_nhwc, _format, _spatial, _padding_name,
                            _out_size, _spatial_shape, _pick)

try:
    from eager._ext import nn_kernels as _K
except ImportError:  # not built yet: the NumPy versions below do the same work
    _K = None


def _pool_geometry(H, W, ksize, strides, padding):
    """(OH, OW, pt, pl) for a pooling window; windows never start past the
    image (checked by _check_pool)."""
    OH, pt, _ = _out_size(H, ksize[0], strides[0], 1, padding, "pool", "rows")
    OW, pl, _ = _out_size(W, ksize[1], strides[1], 1, padding, "pool", "columns")
    return OH, OW, pt, pl


def _max_pool_nhwc(x, ksize, strides, padding):
    N, H, W, C = x.shape
    OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
    if _K is not None:
        return _K.max_pool_nhwc(x, OH, OW, ksize[0], ksize[1], strides[0], strides[1], pt, pl)
    kh, kw = ksize
    sh, sw = strides
    if (kh, kw) == (sh, sw) and pt == pl == 0 and OH * kh <= H and OW * kw <= W:
        # Non-overlapping windows that tile the image: one reshape, one max.
        return x[:, :OH * kh, :OW * kw].reshape(N, OH, kh, OW, kw, C).max(axis=(2, 4))
    if kh > H or kw > W:
        return _max_pool_loop(x, None, None, ksize, strides, padding, "forward")
    lowest = np.array(-np.inf, x.dtype)
    return _windows(x, OH, OW, ksize, strides, pt, pl, lowest).max(axis=(3, 4))


def _max_pool_loop(x, y, g, ksize, strides, padding, mode):
    """Max pooling (mode 'forward') or its routing ('backward', 'gradgrad')
    one window at a time, over windows clipped to the image: for windows
    larger than the image, where a padded copy would be huge."""
    N, H, W, C = x.shape
    OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
    r0, r1 = _window_bounds(H, OH, ksize[0], strides[0], pt)
    c0, c1 = _window_bounds(W, OW, ksize[1], strides[1], pl)
    out = np.zeros(x.shape if mode == "backward" else (N, OH, OW, C), x.dtype)
    n = np.arange(N)[:, None]
    c = np.arange(C)[None, :]
    for i in range(OH):
        for j in range(OW):
            win = x[:, r0[i]:r1[i], c0[j]:c1[j], :]
            if mode == "forward":
                out[:, i, j] = win.max(axis=(1, 2))
                continue
            first = np.argmax(win.reshape(N, -1, C) == y[:, i, j][:, None, :], axis=1)
            a, b = np.divmod(first, c1[j] - c0[j])
            rows, cols = r0[i] + a, c0[j] + b
            if mode == "backward":
                np.add.at(out, (n, rows, cols, c), g[:, i, j])
            else:
                out[:, i, j] = g[n, rows, cols, c]
    return out


def _windows(x, OH, OW, ksize, strides, pt, pl, fill):
    """A strided [N, OH, OW, KH, KW, C] view of x padded with `fill`."""
    N, H, W, C = x.shape
    kh, kw = ksize
    sh, sw = strides
    pb = max((OH - 1) * sh + kh - H - pt, 0)
    pr = max((OW - 1) * sw + kw - W - pl, 0)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, (N, OH, OW, kh, kw, C), (s0, s1 * sh, s2 * sw, s1, s2, s3),
                      writeable=False)


def _route_numpy(x, y, g, ksize, strides, padding, backward):
    """NumPy version of nn_kernels.max_pool_route_nhwc."""
    N, H, W, C = x.shape
    OH, OW, pt, pl = y.shape[1], y.shape[2], *_pool_geometry(H, W, ksize, strides, padding)[2:]
    kh, kw = ksize
    sh, sw = strides
    win = _windows(x, OH, OW, ksize, strides, pt, pl, np.array(np.nan, x.dtype))
    flat = win.reshape(N, OH, OW, kh * kw, C)
    first = np.argmax(flat == y[:, :, :, None, :], axis=3)   # first maximum
    i, j = np.divmod(first, kw)
    rows = np.arange(OH)[None, :, None, None] * sh - pt + i
    cols = np.arange(OW)[None, None, :, None] * sw - pl + j
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, None, None, :]
    rows, cols = np.clip(rows, 0, H - 1), np.clip(cols, 0, W - 1)
    if backward:
        dx = np.zeros(x.shape, x.dtype)
        np.add.at(dx, (n, rows, cols, c), g)
        return dx
    return g[n, rows, cols, c]


def _max_route(x, y, g, ksize, strides, padding, backward):
    if _K is not None:
        H, W = x.shape[1:3]
        OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
        return _K.max_pool_route_nhwc(x, y, g, ksize[0], ksize[1], strides[0], strides[1],
                                      pt, pl, backward)
    if ksize[0] > x.shape[1] or ksize[1] > x.shape[2]:
        return _max_pool_loop(x, y, g, ksize, strides, padding,
                              "backward" if backward else "gradgrad")
    return _route_numpy(x, y, g, ksize, strides, padding, backward)


def _max_pool_kernel(x, ksize, strides, padding, data_format):
    dtype = x.dtype
    (x,) = _work(x)
    return _from_nhwc(_max_pool_nhwc(_nhwc(x, data_format), ksize, strides, padding),
                      data_format, dtype)


def _max_pool_grad_kernel(x, y, g, ksize, strides, padding, data_format):
    dtype = x.dtype
    x, y, g = (_nhwc(a, data_format) for a in _work(x, y, g))
    return _from_nhwc(_max_route(x, y, g, ksize, strides, padding, True), data_format, dtype)


def _max_pool_grad_grad_kernel(x, y, gg, ksize, strides, padding, data_format):
    dtype = x.dtype
    x, y, gg = (_nhwc(a, data_format) for a in _work(x, y, gg))
    return _from_nhwc(_max_route(x, y, gg, ksize, strides, padding, False), data_format, dtype)


def _max_pool_grad(g, ans, x, **attrs):
    return (execute(_max_pool_grad_op, (x, ans, g), attrs),)


def _max_pool_grad_grad(gg, ans, x, y, g, **attrs):
    # The gradient routes g linearly (the argmax is locally constant), so
    # only g has a gradient: gg read at the same positions.
    return (None, None, execute(_max_pool_grad_grad_op, (x, y, gg), attrs))


def _max_pool_grad_grad_grad(ggg, ans, x, y, gg, **attrs):
    return (None, None, execute(_max_pool_grad_op, (x, y, ggg), attrs))


_max_pool = defop("max_pool", generic(FLOATS, MATCH_ALL), cpu=_max_pool_kernel,
                  grad=_max_pool_grad, cuda="max_pool")
_max_pool_grad_op = defop("max_pool_grad", generic(FLOATS, MATCH_ALL),
                          cpu=_max_pool_grad_kernel, grad=_max_pool_grad_grad,
                          cuda="max_pool_grad", internal=True)
_max_pool_grad_grad_op = defop("max_pool_grad_grad", generic(FLOATS, MATCH_ALL),
                               cpu=_max_pool_grad_grad_kernel, grad=_max_pool_grad_grad_grad,
                               cuda="max_pool_grad_grad", internal=True)


def _window_bounds(size, out, k, s, p):
    """[lo, hi) of each of `out` windows along one axis, clipped to the image."""
    start = np.arange(out, dtype=np.int64) * s - p
    return np.clip(start, 0, size), np.clip(start + k, 0, size)


def _avg_pool_nhwc(x, ksize, strides, padding):
    """Window sums from prefix sums along H, then along W: exact for any
    window size and padding, with no padded copy (TensorFlow does not
    count the padding in a window's mean)."""
    N, H, W, C = x.shape
    OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
    if N * OH * OW * C == 0:
        return np.zeros((N, OH, OW, C), x.dtype)
    kh, kw = ksize
    if (kh, kw) == tuple(strides) and pt == pl == 0 and OH * kh == H and OW * kw == W:
        s = x.reshape(N, OH, kh, OW, kw, C).sum(axis=(2, 4))
        s /= x.dtype.type(kh * kw)
        return s
    r0, r1 = _window_bounds(H, OH, kh, strides[0], pt)
    c0, c1 = _window_bounds(W, OW, kw, strides[1], pl)
    acc = np.float64
    ph = np.zeros((N, H + 1, W, C), acc)
    np.cumsum(x, axis=1, dtype=acc, out=ph[:, 1:])
    rows = ph[:, r1] - ph[:, r0]                                  # [N, OH, W, C]
    pw = np.zeros((N, OH, W + 1, C), acc)
    np.cumsum(rows, axis=2, out=pw[:, :, 1:])
    sums = pw[:, :, c1] - pw[:, :, c0]                            # [N, OH, OW, C]
    counts = np.outer(r1 - r0, c1 - c0)[None, :, :, None]
    return (sums / np.maximum(counts, 1)).astype(x.dtype)


def _spread(g, lo, hi, size, axis):
    """The adjoint of a windowed sum along `axis`: each g slice added to
    positions lo:hi (a difference array, then a prefix sum)."""
    shape = list(g.shape)
    shape[axis] = size + 1
    d = np.zeros(shape, np.float64)
    idx = [slice(None)] * g.ndim
    for pos, part in ((lo, g), (hi, -g)):
        idx[axis] = pos
        np.add.at(d, tuple(idx), part)
    idx[axis] = slice(0, size)
    return np.cumsum(d, axis=axis)[tuple(idx)]


def _avg_pool_grad_nhwc(g, xshape, ksize, strides, padding):
    N, H, W, C = xshape
    OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
    if N * H * W * C == 0 or g.size == 0:
        return np.zeros(xshape, g.dtype)
    r0, r1 = _window_bounds(H, OH, ksize[0], strides[0], pt)
    c0, c1 = _window_bounds(W, OW, ksize[1], strides[1], pl)
    counts = np.maximum(np.outer(r1 - r0, c1 - c0), 1)[None, :, :, None]
    gs = g.astype(np.float64) / counts
    cols = _spread(gs, c0, c1, W, 2)                              # [N, OH, W, C]
    return _spread(cols, r0, r1, H, 1).astype(g.dtype)            # [N, H, W, C]


def _avg_pool_kernel(x, ksize, strides, padding, data_format):
    dtype = x.dtype
    (x,) = _work(x)
    return _from_nhwc(_avg_pool_nhwc(_nhwc(x, data_format), ksize, strides, padding),
                      data_format, dtype)


def _avg_pool_grad_kernel(g, input_shape, ksize, strides, padding, data_format):
    dtype = g.dtype
    (g,) = _work(g)
    dx = _avg_pool_grad_nhwc(_nhwc(g, data_format), _spatial_shape(input_shape, data_format),
                             ksize, strides, padding)
    return _from_nhwc(dx, data_format, dtype)


def _avg_pool_grad(g, ans, x, **attrs):
    return (execute(_avg_pool_grad_op, (g,), dict(attrs, input_shape=tuple(x.shape))),)


def _avg_pool_grad_grad(gg, ans, g, input_shape, **attrs):
    return (execute(_avg_pool, (gg,), attrs),)


_avg_pool = defop("avg_pool", generic(FLOATS, MATCH_ALL), cpu=_avg_pool_kernel,
                  grad=_avg_pool_grad, cuda="avg_pool")
_avg_pool_grad_op = defop("avg_pool_grad", generic(FLOATS, MATCH_ALL),
                          cpu=_avg_pool_grad_kernel, grad=_avg_pool_grad_grad,
                          cuda="avg_pool_grad", internal=True)


def _pool_attrs(x, ksize, strides, padding, data_format, op):
    fmt = _format(data_format, op)
    if x.ndim != 4:
        raise _invalid(op, "input must be rank 4 (%s), got %s" % (fmt, _desc(x)))
    k = _spatial(ksize, "ksize", op, fmt)
    s = _spatial(strides, "strides", op, fmt)
    p = _padding_name(padding, op)
    if p is None:
        raise ValueError("%s: padding must be 'SAME' or 'VALID', got %r" % (op, padding))
    _, H, W, _ = _spatial_shape(tuple(x.shape), fmt)
    if p == "VALID" and (k[0] > H or k[1] > W):
        raise _invalid(op, "the window %s is larger than the input %s (VALID padding)"
                       % (list(k), _desc(x)))
    return {"ksize": k, "strides": s, "padding": p, "data_format": fmt}


@api(_max_pool, "eager.nn", names=("max_pool", "max_pool2d"))
def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):
    """The maximum over each ksize window of a 4-D batch of images.

    value (or input=): [batch, height, width, channels] (NHWC) or NCHW.
    ksize, strides: an int or a list of 1, 2 or 4 ints (4: in data_format
        order, 1 in the batch and channel places).
    padding: 'SAME' (output ceil(in / stride), windows clipped to the
        image) or 'VALID'.
    The gradient goes to the first maximum of each window.
    """
    x = _tensor(_pick(value, input, ("value", "input"), "max_pool"))
    if ksize is None or strides is None:
        raise TypeError("max_pool: ksize and strides are required")
    return execute(_max_pool, (x,), _pool_attrs(x, ksize, strides, padding, data_format,
                                                "max_pool"))


@api(_avg_pool, "eager.nn", names=("avg_pool", "avg_pool2d"))
def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):
    """The mean over each ksize window of a 4-D batch of images; with
    'SAME' padding a window's mean is over the elements inside the image
    (padding is not counted). Arguments as max_pool."""
    x = _tensor(_pick(value, input, ("value", "input"), "avg_pool"))
    if ksize is None or strides is None:
        raise TypeError("avg_pool: ksize and strides are required")
    return execute(_avg_pool, (x,), _pool_attrs(x, ksize, strides, padding, data_format,
                                                "avg_pool"))


max_pool2d = max_pool
avg_pool2d = avg_pool
