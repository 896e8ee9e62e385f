"""Op table rows for eager/ops/nn.py and eager/ops/conv.py: activations,
softmax, cross-entropies, bias_add, convolution and pooling against NumPy
references (convolution and pooling against direct loops on tiny shapes)."""
import numpy as np
import scipy.special as sp

import eager as tf
from eager import errors
from eager.ops import nn, conv, pooling  # noqa: F401  (registers the ops)
from eager.ops._registry import execute
from tests.ops.optest import OpTest, random_array, UNARY_SHAPES

F = ("float32", "float64")
FH = ("float16", "float32", "float64")
INVALID = errors.InvalidArgumentError


def _unary(op, fn, ref, dtypes=FH, **kw):
    return OpTest(op, fn, ref, dtypes=dtypes, arity=1, **kw)


def _away(lo, hi, avoid=(0.0,), gap=0.05):
    """Samples in (lo, hi) kept `gap` away from the kinks in `avoid`."""
    def samples(dtype, rng):
        out = []
        for s in UNARY_SHAPES:
            x = random_array(s, dtype, rng, (lo, hi))
            for a in avoid:
                x = np.where(np.abs(x - a) < gap, x + 2 * gap, x).astype(dtype)
            out.append((x,))
        return out
    return samples


def _grad_from(samples, shapes=((3,), (2, 3))):
    return lambda rng: [s for s in samples("float64", rng) if np.shape(s[0]) in shapes]


# ---- references -------------------------------------------------------------------------
def _relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype)


def _selu(x):
    a, s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return (s * np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))).astype(x.dtype)


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x.astype(np.float64)))).astype(x.dtype) + np.maximum(x, 0)


def _softmax(x, axis=-1):
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis, keepdims=True))
    return (e / e.sum(axis, keepdims=True)).astype(x.dtype)


def _log_softmax(x, axis=-1):
    x64 = x.astype(np.float64)
    return (x64 - sp.logsumexp(x64, axis, keepdims=True)).astype(x.dtype)


def _xent(labels, logits, axis=-1):
    return -(labels.astype(np.float64) * _log_softmax(logits.astype(np.float64), axis)).sum(
        axis).astype(logits.dtype)


def _sparse_xent(labels, logits):
    ls = _log_softmax(logits.astype(np.float64))
    picked = np.take_along_axis(ls, labels[..., None].astype(np.int64), -1)[..., 0]
    return (-picked).astype(logits.dtype)


def _sigmoid_xent(labels, logits):
    x, z = logits.astype(np.float64), labels.astype(np.float64)
    return (-(z * sp.log_expit(x) + (1 - z) * sp.log_expit(-x))).astype(logits.dtype)


# ---- samples ---------------------------------------------------------------------------------
def _logit_samples(dtype, rng):
    shapes = [(1, 1), (3, 4), (2, 3, 5), (5,), (0, 3)]
    return [(random_array(s, dtype, rng, (-3, 3)),) for s in shapes]


def _xent_samples(dtype, rng):
    out = []
    for s in [(3, 4), (2, 3, 5), (5,), (0, 3)]:
        labels = rng.random(size=s).astype(dtype)
        labels /= np.maximum(labels.sum(-1, keepdims=True), 1e-3).astype(dtype)
        out.append((labels, random_array(s, dtype, rng, (-3, 3))))
    # A large-logit row: stable, no inf or nan.
    out.append((np.array([[0.0, 1.0, 0.0]], dtype), np.array([[1000.0, -1000.0, 20.0]], dtype)))
    return out


def _xent_grad(rng):
    # Unnormalised labels too: the gradient is exact for any labels.
    return [(rng.random(size=s), rng.uniform(-3, 3, size=s)) for s in [(3, 4), (2, 3, 5)]]


def _sparse_samples(dtype, rng):
    out = []
    for s, n in [((3,), 4), ((2, 3), 5), ((), 3), ((0,), 3)]:
        out.append((rng.integers(0, n, size=s).astype(np.int32),
                    random_array(s + (n,), dtype, rng, (-3, 3))))
    out.append((np.array([2], np.int64), np.array([[1000.0, -1000.0, 20.0]], dtype)))
    return out


def _sparse_grad_samples(rng):
    return [(rng.integers(0, n, size=s), rng.uniform(-3, 3, size=s + (n,)))
            for s, n in [((3,), 4), ((2, 3), 5)]]


def _pairs(dtype, rng, shapes=((3,), (2, 4), (0,))):
    return [(random_array(s, dtype, rng, (0, 1)), random_array(s, dtype, rng, (-30, 30)))
            for s in shapes]


def _sce_fn(labels, logits, axis=-1):
    return nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis)


def _sce_grad_fn(g, logits, labels):
    return execute(nn._sce_grad_op, (g, logits, labels), {"axis": logits.ndim - 1})


def _sce_grad_ref(g, logits, labels):
    x = logits.astype(np.float64)
    sm = _softmax(x)
    total = labels.sum(-1, keepdims=True)
    ge = g[..., None]
    return ((ge * (sm * total - labels)).astype(logits.dtype),
            (-ge * _log_softmax(x)).astype(logits.dtype))


def _sce_grad_samples(dtype, rng):
    return [(random_array(s[:-1], dtype, rng), random_array(s, dtype, rng, (-3, 3)),
             rng.random(size=s).astype(dtype)) for s in [(3, 4), (2, 3, 5), (1, 1)]]


def _sparse_grad_fn(g, logits, labels):
    return execute(nn._sparse_grad_op, (g, logits, labels))


def _sparse_grad_ref(g, logits, labels):
    sm = _softmax(logits.astype(np.float64))
    oh = np.eye(logits.shape[-1])[labels]
    return (g[..., None] * (sm - oh)).astype(logits.dtype)


def _sparse_grad_op_samples(dtype, rng):
    return [(random_array(s, dtype, rng), random_array(s + (n,), dtype, rng, (-3, 3)),
             rng.integers(0, n, size=s).astype(np.int32)) for s, n in [((3,), 4), ((2, 2), 3)]]


def _relu_grad_samples(dtype, rng):
    out = []
    for s in [(5,), (2, 3), (0,)]:
        y = np.maximum(random_array(s, dtype, rng), 0).astype(dtype)
        out.append((random_array(s, dtype, rng), y))
    return out


def _bias_samples(dtype, rng):
    return [(random_array((2, 3), dtype, rng), random_array((3,), dtype, rng)),
            (random_array((2, 2, 2, 4), dtype, rng), random_array((4,), dtype, rng)),
            (random_array((0, 3), dtype, rng), random_array((3,), dtype, rng))]


def _bias_nchw_samples(dtype, rng):
    return [(random_array((2, 3, 2, 2), dtype, rng), random_array((3,), dtype, rng)),
            (random_array((2, 3), dtype, rng), random_array((3,), dtype, rng))]


def _bias_grad_fn(fmt):
    return lambda g: execute(nn._bias_add_grad_op, (g,), {"data_format": fmt})


def _in_top_k_samples(dtype, rng):
    p = np.array([[0.1, 0.3, 0.3, 0.2], [0.5, 0.1, 0.2, 0.2], [1, np.inf, 0, 0],
                  [0.0, 0.0, 0.0, 0.0]], dtype)
    t = np.array([1, 3, 0, 2], np.int32)
    return [(p, t, 1), (p, t, 2), (p, np.array([4, -1, 0, 0], np.int64), 4)]


def _in_top_k_ref(p, t, k):
    out = []
    for row, ti in zip(p, t):
        if not 0 <= ti < len(row) or not np.isfinite(row[ti]):
            out.append(False)
        else:
            out.append(int(np.sum(row > row[ti])) < k)
    return np.array(out)


# ---- convolution references (direct loops) -------------------------------------------------
def _to_nhwc(x, fmt):
    return x.transpose(0, 2, 3, 1) if fmt == "NCHW" else x


def _from_nhwc(x, fmt):
    return x.transpose(0, 3, 1, 2) if fmt == "NCHW" else x


def _geometry(size, k, s, d, padding):
    ek = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-size // s)
        total = max((out - 1) * s + ek - size, 0)
        return out, total // 2
    if padding == "VALID":
        return (size - ek) // s + 1, 0
    before, after = padding
    return (size + before + after - ek) // s + 1, before


def _pads(padding, fmt):
    if isinstance(padding, str):
        return padding, padding
    sp_ = padding[2:] if fmt == "NCHW" else padding[1:3]
    return tuple(sp_[0]), tuple(sp_[1])


def ref_conv2d(x, w, strides, padding, fmt="NHWC", dilations=(1, 1)):
    xs = _to_nhwc(x, fmt).astype(np.float64)
    N, H, W, C = xs.shape
    KH, KW, _, O = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    ph, pw = _pads(padding, fmt)
    OH, pt = _geometry(H, KH, sh, dh, ph)
    OW, pl = _geometry(W, KW, sw, dw, pw)
    y = np.zeros((N, OH, OW, O))
    for i in range(OH):
        for j in range(OW):
            for kh in range(KH):
                for kw in range(KW):
                    r, c = i * sh - pt + kh * dh, j * sw - pl + kw * dw
                    if 0 <= r < H and 0 <= c < W:
                        y[:, i, j, :] += xs[:, r, c, :] @ w[kh, kw].astype(np.float64)
    return _from_nhwc(y, fmt).astype(x.dtype)


def ref_conv2d_input(g, w, xshape, strides, padding, fmt="NHWC", dilations=(1, 1)):
    gs = _to_nhwc(g, fmt).astype(np.float64)
    N, H, W, C = _to_nhwc(np.empty(xshape), fmt).shape
    KH, KW, _, O = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    ph, pw = _pads(padding, fmt)
    OH, pt = _geometry(H, KH, sh, dh, ph)
    OW, pl = _geometry(W, KW, sw, dw, pw)
    dx = np.zeros((N, H, W, C))
    for i in range(OH):
        for j in range(OW):
            for kh in range(KH):
                for kw in range(KW):
                    r, c = i * sh - pt + kh * dh, j * sw - pl + kw * dw
                    if 0 <= r < H and 0 <= c < W:
                        dx[:, r, c, :] += gs[:, i, j, :] @ w[kh, kw].T.astype(np.float64)
    return _from_nhwc(dx, fmt).astype(g.dtype)


def ref_conv2d_filter(x, g, wshape, strides, padding, fmt="NHWC", dilations=(1, 1)):
    xs = _to_nhwc(x, fmt).astype(np.float64)
    gs = _to_nhwc(g, fmt).astype(np.float64)
    N, H, W, C = xs.shape
    KH, KW, _, O = wshape
    (sh, sw), (dh, dw) = strides, dilations
    ph, pw = _pads(padding, fmt)
    OH, pt = _geometry(H, KH, sh, dh, ph)
    OW, pl = _geometry(W, KW, sw, dw, pw)
    dw_ = np.zeros(wshape)
    for i in range(OH):
        for j in range(OW):
            for kh in range(KH):
                for kw in range(KW):
                    r, c = i * sh - pt + kh * dh, j * sw - pl + kw * dw
                    if 0 <= r < H and 0 <= c < W:
                        dw_[kh, kw] += xs[:, r, c, :].T @ gs[:, i, j, :]
    return dw_.astype(x.dtype)


# (name, input shape NHWC, filter shape, strides, padding, format, dilations)
CONV_CASES = [
    ("same_nhwc", (2, 5, 5, 2), (3, 3, 2, 3), (1, 1), "SAME", "NHWC", (1, 1)),
    ("valid_stride2", (1, 6, 7, 3), (2, 3, 3, 2), (2, 2), "VALID", "NHWC", (1, 1)),
    ("same_stride2_nchw", (2, 5, 6, 2), (3, 2, 2, 4), (2, 1), "SAME", "NCHW", (1, 1)),
    ("dilated", (1, 7, 6, 2), (2, 3, 2, 2), (1, 1), "SAME", "NHWC", (2, 2)),
    ("valid_dilated_nchw", (1, 7, 7, 1), (3, 2, 1, 2), (1, 2), "VALID", "NCHW", (2, 1)),
    ("explicit", (1, 4, 4, 2), (3, 3, 2, 2), (1, 1), [[0, 0], [1, 2], [0, 1], [0, 0]], "NHWC",
     (1, 1)),
    ("one_by_one", (2, 3, 3, 4), (1, 1, 4, 3), (1, 1), "VALID", "NHWC", (1, 1)),
]


def _xshape(shape, fmt):
    n, h, w, c = shape
    return (n, c, h, w) if fmt == "NCHW" else shape


def _conv_rows():
    rows = []
    for name, xs, ws, st, pad, fmt, dil in CONV_CASES:
        xshape = _xshape(xs, fmt)

        def fn(x, w, st=st, pad=pad, fmt=fmt, dil=dil):
            return nn_conv2d(x, w, st, pad, fmt, dil)

        def ref(x, w, st=st, pad=pad, fmt=fmt, dil=dil):
            return ref_conv2d(x, w, st, pad, fmt, dil)

        def samples(dtype, rng, xshape=xshape, ws=ws):
            return [(random_array(xshape, dtype, rng), random_array(ws, dtype, rng))]

        def gsamples(rng, xshape=xshape, ws=ws):
            return [(rng.normal(size=xshape), rng.normal(size=ws))]

        rows.append(OpTest("conv2d", fn, ref, dtypes=FH if name == "same_nhwc" else F,
                           samples=samples, grad_samples=gsamples, name=name,
                           grad2=name in ("same_nhwc", "same_stride2_nchw"),
                           rtol=1e-4 if name != "same_nhwc" else None,
                           atol=1e-5 if name != "same_nhwc" else None,
                           errors=_conv_errors() if name == "same_nhwc" else ()))
        out = ref_conv2d(np.zeros(xshape), np.zeros(ws), st, pad, fmt, dil).shape

        def in_fn(g, w, st=st, pad=pad, fmt=fmt, dil=dil, xshape=xshape):
            return conv.conv2d_backprop_input(xshape, w, g, st, pad, data_format=fmt,
                                               dilations=dil)

        def in_ref(g, w, st=st, pad=pad, fmt=fmt, dil=dil, xshape=xshape):
            return ref_conv2d_input(g, w, xshape, st, pad, fmt, dil)

        def in_samples(dtype, rng, out=out, ws=ws):
            return [(random_array(out, dtype, rng), random_array(ws, dtype, rng))]

        def in_gsamples(rng, out=out, ws=ws):
            return [(rng.normal(size=out), rng.normal(size=ws))]

        def f_fn(x, g, st=st, pad=pad, fmt=fmt, dil=dil, ws=ws):
            return conv.conv2d_backprop_filter(x, ws, g, st, pad, data_format=fmt,
                                                dilations=dil)

        def f_ref(x, g, st=st, pad=pad, fmt=fmt, dil=dil, ws=ws):
            return ref_conv2d_filter(x, g, ws, st, pad, fmt, dil)

        def f_samples(dtype, rng, xshape=xshape, out=out):
            return [(random_array(xshape, dtype, rng), random_array(out, dtype, rng))]

        def f_gsamples(rng, xshape=xshape, out=out):
            return [(rng.normal(size=xshape), rng.normal(size=out))]

        if name in ("same_nhwc", "same_stride2_nchw", "valid_dilated_nchw", "explicit"):
            rows.append(OpTest("conv2d_backprop_input", in_fn, in_ref, dtypes=F, samples=in_samples,
                               grad_samples=in_gsamples, name=name, grad2=name == "same_nhwc",
                               rtol=1e-4, atol=1e-5))
            rows.append(OpTest("conv2d_backprop_filter", f_fn, f_ref, dtypes=F,
                               samples=f_samples, grad_samples=f_gsamples, name=name,
                               grad2=name == "same_nhwc", rtol=1e-4, atol=1e-5))
    return rows


def nn_conv2d(x, w, strides, padding, fmt, dilations):
    return conv.conv2d(x, w, strides, padding, data_format=fmt, dilations=dilations)


def _conv_errors():
    x = tf.constant(np.zeros((1, 4, 4, 3), np.float32))
    w = tf.constant(np.zeros((2, 2, 2, 5), np.float32))
    w3 = tf.constant(np.zeros((2, 2, 3, 5), np.float32))
    return [
        ((x, w), INVALID, r"conv2d: input depth.*\(1, 4, 4, 3\).*\(2, 2, 2, 5\)"),
        ((tf.constant(np.zeros((4, 4, 3), np.float32)), w3), INVALID,
         r"conv2d: input must be rank 4, got \(4, 4, 3\) float32"),
        ((x, tf.constant(np.zeros((2, 3, 5), np.float32))), INVALID,
         r"conv2d: filters must be rank 4.*\(2, 3, 5\)"),
        ((x, tf.constant(np.zeros((2, 2, 3, 5), np.float64))), INVALID,
         r"conv2d.*float32.*float64"),
        ((tf.constant(np.zeros((1, 4, 4, 3), np.int32)), tf.constant(np.zeros((2, 2, 3, 5),
                                                                                np.int32))),
         INVALID, r"conv2d: dtype int32 is not supported"),
    ]


# ---- pooling references ---------------------------------------------------------------------
def _pool_windows(H, W, k, s, padding):
    OH, pt = _geometry(H, k[0], s[0], 1, padding)
    OW, pl = _geometry(W, k[1], s[1], 1, padding)
    for i in range(OH):
        for j in range(OW):
            r0, c0 = i * s[0] - pt, j * s[1] - pl
            yield i, j, max(r0, 0), min(r0 + k[0], H), max(c0, 0), min(c0 + k[1], W)


def _pool_out(x, k, s, padding):
    N, H, W, C = x.shape
    OH, _ = _geometry(H, k[0], s[0], 1, padding)
    OW, _ = _geometry(W, k[1], s[1], 1, padding)
    return N, OH, OW, C


def ref_pool(x, k, s, padding, fmt="NHWC", kind="max"):
    xs = _to_nhwc(x, fmt)
    y = np.zeros(_pool_out(xs, k, s, padding), np.float64)
    for i, j, r0, r1, c0, c1 in _pool_windows(xs.shape[1], xs.shape[2], k, s, padding):
        win = xs[:, r0:r1, c0:c1, :].astype(np.float64)
        y[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return _from_nhwc(y, fmt).astype(x.dtype)


def ref_max_pool_grad(x, g, k, s, padding, fmt="NHWC"):
    xs, gs = _to_nhwc(x, fmt), _to_nhwc(g, fmt)
    dx = np.zeros(xs.shape, np.float64)
    N, C = xs.shape[0], xs.shape[3]
    for i, j, r0, r1, c0, c1 in _pool_windows(xs.shape[1], xs.shape[2], k, s, padding):
        for n in range(N):
            for c in range(C):
                win = xs[n, r0:r1, c0:c1, c]
                a, b = np.unravel_index(np.argmax(win), win.shape)   # the first maximum
                dx[n, r0 + a, c0 + b, c] += gs[n, i, j, c]
    return _from_nhwc(dx, fmt).astype(x.dtype)


def ref_avg_pool_grad(xshape, g, k, s, padding, fmt="NHWC"):
    gs = _to_nhwc(g, fmt)
    dx = np.zeros(_to_nhwc(np.empty(xshape), fmt).shape, np.float64)
    for i, j, r0, r1, c0, c1 in _pool_windows(dx.shape[1], dx.shape[2], k, s, padding):
        dx[:, r0:r1, c0:c1, :] += gs[:, i, j, None, None, :] / ((r1 - r0) * (c1 - c0))
    return _from_nhwc(dx, fmt).astype(g.dtype)


# (name, input shape NHWC, ksize, strides, padding, format)
POOL_CASES = [
    ("2x2_same", (2, 4, 4, 3), (2, 2), (2, 2), "SAME", "NHWC"),
    ("3x3_s2_same_odd", (1, 5, 7, 2), (3, 3), (2, 2), "SAME", "NHWC"),
    ("2x3_s1_valid_nchw", (2, 4, 5, 2), (2, 3), (1, 1), "VALID", "NCHW"),
    ("3x2_s2_same_nchw", (1, 5, 5, 2), (3, 2), (2, 1), "SAME", "NCHW"),
]


def _distinct(shape, rng):
    # Distinct values keep each window's maximum (and the numeric gradient) unique.
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) / max(n, 1) * 4 - 2).astype(np.float64)


def _pool_rows():
    rows = []
    for name, xs, k, s, pad, fmt in POOL_CASES:
        xshape = _xshape(xs, fmt)
        yshape = _xshape(_pool_out(np.empty(xs), k, s, pad), fmt)

        def samples(dtype, rng, xshape=xshape):
            return [(random_array(xshape, dtype, rng),)]

        def gsamples(rng, xshape=xshape):
            return [(_distinct(xshape, rng),)]

        for kind, fn in (("max", pooling.max_pool), ("avg", pooling.avg_pool)):
            rows.append(OpTest(
                kind + "_pool",
                lambda x, k=k, s=s, pad=pad, fmt=fmt, *, fn=fn: fn(x, k, s, pad, data_format=fmt),
                lambda x, kind=kind, k=k, s=s, pad=pad, fmt=fmt: ref_pool(x, k, s, pad, fmt, kind),
                dtypes=FH if name == "2x2_same" else F, samples=samples, grad_samples=gsamples,
                name=name, grad2=name == "2x2_same",
                errors=_pool_errors(fn, kind) if name == "2x2_same" else ()))
        attrs = {"ksize": k, "strides": s, "padding": pad, "data_format": fmt}

        def mp_grad(x, g, attrs=attrs):
            y = execute(pooling._max_pool, (x,), attrs)
            return execute(pooling._max_pool_grad_op, (x, y, g), attrs)

        def mp_grad_grad(x, gg, attrs=attrs):
            y = execute(pooling._max_pool, (x,), attrs)
            return execute(pooling._max_pool_grad_grad_op, (x, y, gg), attrs)

        def mp_grad_ref(x, g, k=k, s=s, pad=pad, fmt=fmt):
            return ref_max_pool_grad(x, g, k, s, pad, fmt)

        def mp_grad_grad_ref(x, gg, k=k, s=s, pad=pad, fmt=fmt):
            # <max_pool_grad(g), gg> = <g, max_pool_grad_grad(gg)>: read gg at each argmax.
            xs, ggs = _to_nhwc(x, fmt), _to_nhwc(gg, fmt)
            out = np.zeros(_pool_out(xs, k, s, pad), np.float64)
            for i, j, r0, r1, c0, c1 in _pool_windows(xs.shape[1], xs.shape[2], k, s, pad):
                for n in range(xs.shape[0]):
                    for c in range(xs.shape[3]):
                        win = xs[n, r0:r1, c0:c1, c]
                        a, b = np.unravel_index(np.argmax(win), win.shape)
                        out[n, i, j, c] = ggs[n, r0 + a, c0 + b, c]
            return _from_nhwc(out, fmt).astype(x.dtype)

        def mpg_samples(dtype, rng, xshape=xshape, yshape=yshape):
            return [(_distinct(xshape, rng).astype(dtype), random_array(yshape, dtype, rng))]

        def mpg_gsamples(rng, xshape=xshape, yshape=yshape):
            return [(_distinct(xshape, rng), rng.normal(size=yshape))]

        def mpgg_samples(dtype, rng, xshape=xshape):
            return [(_distinct(xshape, rng).astype(dtype), random_array(xshape, dtype, rng))]

        def mpgg_gsamples(rng, xshape=xshape):
            return [(_distinct(xshape, rng), rng.normal(size=xshape))]

        def ap_grad(g, attrs=attrs, xshape=xshape):
            return execute(pooling._avg_pool_grad_op, (g,), dict(attrs, input_shape=xshape))

        def ap_grad_ref(g, k=k, s=s, pad=pad, fmt=fmt, xshape=xshape):
            return ref_avg_pool_grad(xshape, g, k, s, pad, fmt)

        def apg_samples(dtype, rng, yshape=yshape):
            return [(random_array(yshape, dtype, rng),)]

        rows += [
            OpTest("max_pool_grad", mp_grad, mp_grad_ref, dtypes=F, samples=mpg_samples,
                   grad_samples=mpg_gsamples, grad_argnums=[1], name=name),
            OpTest("max_pool_grad_grad", mp_grad_grad, mp_grad_grad_ref, dtypes=F,
                   samples=mpgg_samples, grad_samples=mpgg_gsamples, grad_argnums=[1],
                   name=name),
            OpTest("avg_pool_grad", ap_grad, ap_grad_ref, dtypes=F, samples=apg_samples,
                   name=name),
        ]
    return rows


def _pool_errors(fn, kind):
    x = tf.constant(np.zeros((1, 4, 4, 3), np.float32))
    op = kind + "_pool"
    return [
        ((tf.constant(np.zeros((4, 4, 3), np.float32)),), INVALID,
         op + r": input must be rank 4.*\(4, 4, 3\) float32"),
        ((tf.constant(np.zeros((1, 2, 2, 1), np.float32)), 3, 1, "VALID"), INVALID,
         op + r": the window \[3, 3\] is larger than the input"),
        ((x, [2, 2, 2, 2], 2, "SAME"), INVALID, op + r": ksize in the batch and depth"),
        ((x, 0, 1, "SAME"), INVALID, op + r": ksize must be positive"),
        ((x, 2, 2, "FULL"), ValueError, op + r": padding must be 'SAME' or 'VALID'"),
        ((tf.constant(np.zeros((1, 4, 4, 3), np.int32)),), INVALID, op + r": dtype int32"),
    ]


def _pool_fn(fn):
    def call(x, ksize=2, strides=2, padding="SAME"):
        return fn(x, ksize, strides, padding)
    return call


# ---- the table -------------------------------------------------------------------------------
_f32 = tf.constant(np.zeros((2, 3), np.float32))

ENTRIES = [
    _unary("relu", nn.relu, _relu, FH + ("int32",), samples=_away(-2, 2), grad2=True,
           grad_samples=_grad_from(_away(-2, 2)),
           errors=[((tf.constant([True]),), INVALID, r"relu: dtype bool is not supported")]),
    OpTest("relu_grad", lambda g, y: execute(nn._relu_grad, (g, y)),
           lambda g, y: np.where(y > 0, g, 0).astype(g.dtype), dtypes=FH,
           samples=_relu_grad_samples, grad_argnums=[0], grad2=True),
    _unary("relu6", nn.relu6, lambda x: np.clip(x, 0, 6).astype(x.dtype),
           FH + ("int32",), samples=_away(-3, 9, (0.0, 6.0)), grad2=True,
           grad_samples=_grad_from(_away(-3, 9, (0.0, 6.0)))),
    _unary("leaky_relu", nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x).astype(x.dtype),
           samples=_away(-2, 2), grad_samples=_grad_from(_away(-2, 2)), grad2=True),
    OpTest("leaky_relu", lambda x: nn.leaky_relu(x, alpha=0.01),
           lambda x: np.where(x > 0, x, 0.01 * x).astype(x.dtype), dtypes=F, name="alpha",
           grad=False),
    _unary("elu", nn.elu, _elu, samples=_away(-3, 3), grad_samples=_grad_from(_away(-3, 3)),
           grad2=True),
    _unary("selu", nn.selu, _selu, samples=_away(-3, 3),
           grad_samples=_grad_from(_away(-3, 3)), grad2=True, rtol=1e-5, atol=1e-6),
    _unary("softplus", nn.softplus, _softplus, domain=(-30, 30), grad2=True,
           grad_samples=lambda rng: [(rng.uniform(-5, 5, size=s),) for s in [(3,), (2, 3)]]),
    OpTest("softplus", nn.softplus,
           lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))),
           samples=lambda dtype, rng: [(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype),)],
           grad=False, name="extremes"),
    _unary("softsign", nn.softsign, lambda x: (x / (1 + np.abs(x))).astype(x.dtype),
           grad2=True),
    OpTest("softmax", nn.softmax, _softmax, dtypes=FH, samples=_logit_samples, grad2=True,
           grad_samples=lambda rng: [(rng.normal(size=s) * 2,) for s in [(4,), (2, 3)]],
           errors=[((tf.constant(1.0),), INVALID, r"softmax: logits must have rank >= 1"),
                   ((tf.constant([1, 2]),), INVALID, r"softmax: dtype int32 is not supported"),
                   ((_f32, 2), INVALID, r"softmax: axis 2 is out of range for \(2, 3\) float32")]),
    OpTest("softmax", lambda x: nn.softmax(x, axis=0), lambda x: _softmax(x, 0), dtypes=F,
           samples=lambda dtype, rng: [(random_array((3, 4), dtype, rng),),
                                       (np.array([[1e4, 0], [-1e4, 0]], dtype),)],
           grad_samples=lambda rng: [(rng.normal(size=(3, 2)),)], name="axis0"),
    OpTest("log_softmax", nn.log_softmax, _log_softmax, dtypes=FH, samples=_logit_samples,
           grad2=True, grad_samples=lambda rng: [(rng.normal(size=s) * 2,) for s in [(4,), (2, 3)]]),
    OpTest("log_softmax", lambda x: nn.log_softmax(x, dim=0), lambda x: _log_softmax(x, 0),
           dtypes=F, samples=lambda dtype, rng: [(np.array([[1e4, 0], [-1e4, 0]], dtype),)],
           grad_samples=lambda rng: [(rng.normal(size=(3, 2)),)], name="dim0_large"),
    OpTest("softmax_cross_entropy_with_logits", _sce_fn, _xent, dtypes=FH, samples=_xent_samples,
           grad_samples=_xent_grad, grad2=True, rtol=1e-5, atol=1e-5,
           errors=[((tf.constant([[0.0, 1.0]]), tf.constant([[1.0, 2.0, 3.0]])), INVALID,
                    r"softmax_cross_entropy_with_logits: logits and labels must have the same "
                    r"shape, got logits \(1, 3\) float32 and labels \(1, 2\) float32"),
                   ((tf.constant([[0.0, 1.0]], tf.float64), tf.constant([[1.0, 2.0]])), INVALID,
                    r"float32.*float64|float64.*float32"),
                   ((tf.constant(1.0), tf.constant(1.0)), INVALID, r"rank >= 1")]),
    OpTest("softmax_cross_entropy_with_logits", lambda y, x: _sce_fn(y, x, axis=0),
           lambda y, x: _xent(y, x, 0), dtypes=F,
           samples=lambda dtype, rng: [(rng.random(size=(4, 3)).astype(dtype),
                                        random_array((4, 3), dtype, rng))],
           grad_samples=lambda rng: [(rng.random(size=(4, 3)), rng.normal(size=(4, 3)))],
           name="axis0"),
    OpTest("softmax_cross_entropy_with_logits_grad", _sce_grad_fn, _sce_grad_ref, dtypes=F,
           samples=_sce_grad_samples, grad2=True,
           grad_samples=lambda rng: [tuple(a.astype(np.float64) for a in s)
                                     for s in _sce_grad_samples("float64", rng)[:2]]),
    OpTest("sparse_softmax_cross_entropy_with_logits",
           lambda y, x: nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x),
           _sparse_xent, dtypes=FH, samples=_sparse_samples, grad_samples=_sparse_grad_samples,
           grad_argnums=[1], grad2=True, rtol=1e-5, atol=1e-5,
           errors=[((tf.constant([0, 3]), tf.constant(np.zeros((2, 3), np.float32))), INVALID,
                    r"sparse_softmax_cross_entropy_with_logits: Received a label value of 3 "
                    r"which is outside the valid range of \[0, 3\)"),
                   ((tf.constant([-1]), tf.constant(np.zeros((1, 3), np.float32))), INVALID,
                    r"label value of -1"),
                   ((tf.constant([0, 1]), tf.constant(np.zeros((3, 3), np.float32))), INVALID,
                    r"labels must have the shape of logits without its last dimension.*"
                    r"\(3, 3\) float32.*\(2,\) int32"),
                   ((tf.constant([0.0]), tf.constant(np.zeros((1, 3), np.float32))), INVALID,
                    r"labels must be int32 or int64, got \(1,\) float32")]),
    OpTest("sparse_softmax_cross_entropy_with_logits_grad", _sparse_grad_fn, _sparse_grad_ref,
           dtypes=F, samples=_sparse_grad_op_samples, grad_argnums=[0, 1], grad2=True,
           grad_samples=lambda rng: [tuple(a.astype(np.float64) if a.dtype.kind == "f" else a
                                           for a in s)
                                     for s in _sparse_grad_op_samples("float64", rng)]),
    OpTest("sigmoid_cross_entropy_with_logits",
           lambda z, x: nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
           _sigmoid_xent, dtypes=F, samples=_pairs, grad2=True,
           grad_samples=lambda rng: [(rng.random(size=(3,)), rng.normal(size=(3,)) * 3),
                                     (rng.random(size=(2, 2)), rng.normal(size=(2, 2)))],
           errors=[((tf.constant([0.0, 1.0]), tf.constant([1.0, 2.0, 3.0])), INVALID,
                    r"sigmoid_cross_entropy_with_logits: logits and labels must have the same "
                    r"shape")]),
    OpTest("l2_loss", nn.l2_loss, lambda x: np.asarray((x.astype(np.float64) ** 2).sum() / 2,
                                                          x.dtype),
           dtypes=FH, grad2=True,
           errors=[((tf.constant([1, 2]),), INVALID, r"l2_loss: dtype int32 is not supported")]),
    OpTest("bias_add", nn.bias_add, lambda v, b: v + b, dtypes=FH + ("int32",),
           samples=_bias_samples, grad2=True,
           errors=[((_f32, tf.constant([1.0, 2.0])), INVALID,
                    r"bias_add: Must provide as many biases as the last dimension.*"
                    r"\(2, 3\) float32.*\(2,\) float32"),
                   ((tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0])), INVALID,
                    r"bias_add: value must have rank >= 2"),
                   ((_f32, tf.constant([[1.0, 2.0, 3.0]])), INVALID, r"bias_add: bias must be 1-D"),
                   ((_f32, tf.constant([1.0, 2.0, 3.0], tf.float64)), INVALID,
                    r"float32.*float64")]),
    OpTest("bias_add", lambda v, b: nn.bias_add(v, b, data_format="NCHW"),
           lambda v, b: v + b.reshape((-1,) + (1,) * (v.ndim - 2)), dtypes=F,
           samples=_bias_nchw_samples, name="nchw"),
    OpTest("bias_add_grad", _bias_grad_fn("NHWC"),
           lambda g: g.reshape(-1, g.shape[-1]).sum(0, dtype=np.float64).astype(g.dtype),
           dtypes=FH, grad2=True,
           samples=lambda dtype, rng: [(random_array(s, dtype, rng),)
                                       for s in [(2, 3), (2, 2, 3, 4), (0, 2)]]),
    OpTest("bias_add_grad", _bias_grad_fn("NCHW"),
           lambda g: g.sum((0, 2, 3), dtype=np.float64).astype(g.dtype), dtypes=F,
           samples=lambda dtype, rng: [(random_array((2, 3, 2, 2), dtype, rng),)], name="nchw"),
    OpTest("dropout_mask", lambda x, rate=0.5, ns=None: nn.dropout(x, rate, ns, seed=3),
           lambda x: x, dtypes=FH,
           samples=lambda dtype, rng: [(random_array((4, 5), dtype, rng),)], random=True,
           grad=False,
           errors=[((_f32, 1.0), ValueError, r"dropout: rate must be .* in the range \[0, 1\), "
                                            r"got 1"),
                   ((_f32, -0.1), ValueError, r"dropout: rate"),
                   ((tf.constant([1, 2]), 0.5), ValueError, r"dropout: x has to be a floating"),
                   ((_f32, 0.5, [3, 1]), INVALID, r"dropout: noise_shape \[3, 1\] does not "
                                                  r"broadcast to x's shape \[2, 3\]")]),
    OpTest("in_top_k", nn.in_top_k, _in_top_k_ref, dtypes=F, samples=_in_top_k_samples,
           grad=False,
           errors=[((tf.constant([[0.1, 0.2]]), tf.constant([0, 1]), 1), INVALID,
                    r"in_top_k: predictions must be \[batch, classes\].*\(1, 2\) float32.*"
                    r"\(2,\) int32")]),
] + _conv_rows() + _pool_rows()
