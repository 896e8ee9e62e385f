"""The CUDA kernels of eager's ops: op name -> launcher(storages..., **attrs)
-> DeviceArray(s). `install(registry)` puts them in each OpDef's
kernels["cuda"]. A launcher raises UnimplementedError (naming the op, the
dtype and the device) for what it does not cover; nothing falls back to the
CPU silently. Every launcher works on the stream of its inputs' device."""
import numpy as np

from eager import errors
from eager.backends.cuda import plan as P
from eager.backends.cuda.storage import DeviceArray

BLOCK = (256, 1, 1)
_ND32 = "25i"            # NdArgs<int>: shape[8], sa[8], sb[8], ndim
_ND64 = "24qi4x"         # NdArgs<i64>
_ND3 = "32qi4x"          # NdArgs3
_POOL = "6q6i"           # PoolArgs
_CONV = "6q8i"           # ConvArgs
_FLOATS = ("float32", "float64")
_ARITH = ("float32", "float64", "int32", "int64")
_CURRENT = [None]        # the op being run, for error messages

KERNELS = {}             # op name -> launcher


def kernel(*names):
    def deco(fn):
        for n in names:
            KERNELS[n] = fn
        return fn
    return deco


def _unimplemented(op, what):
    raise errors.UnimplementedError(None, op, "%s: %s on GPU is not implemented" % (op, what))


def _dev(*arrays):
    for a in arrays:
        if isinstance(a, DeviceArray):
            d = a.device
            d.activate()
            return d
    raise errors.InternalError(None, None, "no device array among the inputs")


def _empty(dev, shape, dtype):
    return DeviceArray(dev, shape, dtype)


def _nd_args(shape, sa, sb, use32):
    nd = len(shape)
    if nd > P.MAXD:
        raise errors.UnimplementedError(None, None, "more than %d dimensions that cannot be "
                                        "merged (shape %s)" % (P.MAXD, tuple(shape)))
    return (*P.pad_list(shape, 1), *P.pad_list(sa), *P.pad_list(sb), nd)


# ---- copies and fills -----------------------------------------------------------------
def strided_copy(dev, src_ptr, dst_ptr, itemsize, shape, src_strides, dst_strides):
    """dst[dst_strides] = src[src_strides] over `shape` (element strides;
    the pointers address element (0, ..., 0) of each view)."""
    n = P.prod(shape)
    if n == 0:
        return
    shape, (ss, ds) = P.collapse(list(shape), list(src_strides), list(dst_strides))
    if len(shape) == 1 and ss[0] == 1 and ds[0] == 1:
        dev.drv.memcpy_dtod_async(dst_ptr, src_ptr, n * itemsize, dev.stream)
        return
    use32 = P.fits_int32(shape, ss, ds)
    name = "eager_copy_w%d_%s" % (itemsize, "nd32" if use32 else "nd64")
    k = dev.kernel("array", name, "PPq" + (_ND32 if use32 else _ND64))
    k(dev.grid_stride(n), BLOCK, src_ptr, dst_ptr, n, *_nd_args(shape, ss, ds, use32))


def _copy_view(x, offset, shape, strides):
    """A contiguous copy of the view (offset, shape, strides) of x."""
    dev = _dev(x)
    out = _empty(dev, shape, x.dtype)
    w = x.dtype.itemsize
    strided_copy(dev, x.ptr + offset * w, out.ptr, w, shape, strides,
                 P.contiguous_strides(shape))
    return out


_FILL_FMT = {1: "B", 2: "H", 4: "I", 8: "Q", 16: "QQ"}


def fill(dev, out, value):
    """Every element of `out` set to `value` (converted to out's dtype)."""
    n = out.size
    if n == 0:
        return out
    w = out.dtype.itemsize
    bits = np.array(value, dtype=out.dtype).reshape(1)
    if not bits.any():
        return dev.memset0(out)
    if w == 16:
        raw = tuple(int(v) for v in bits.view(np.uint64))
    else:
        raw = (int(bits.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[w])[0]),)
    k = dev.kernel("array", "eager_fill_w%d" % w, "Pq" + _FILL_FMT[w])
    k(dev.grid_stride(n), BLOCK, out.ptr, n, *raw)
    return out


def _full(dev, shape, dtype, value):
    dtype = np.dtype(dtype)
    if dtype.kind in "OSU":
        _unimplemented(_CURRENT[0] or "fill", "dtype string")
    return fill(dev, _empty(dev, shape, dtype), value)


# ---- elementwise --------------------------------------------------------------------
_binary_cache = {}


def _binary(op, a, b, out_dtype=None):
    dt = a.dtype.name
    dev = _dev(a, b)
    key = (dev, op, dt, a.shape, b.shape)
    plan = _binary_cache.get(key)
    if plan is None:
        plan = _binary_plan(dev, op, dt, a.shape, b.shape)
        if len(_binary_cache) > 4096:
            _binary_cache.clear()
        _binary_cache[key] = plan
    k, grid, shape, extra = plan
    out = DeviceArray(dev, shape, out_dtype or a.dtype)
    if out.size:
        k(grid, BLOCK, a.ptr, b.ptr, out.ptr, *extra)
    return out


def _binary_plan(dev, op, dt, sa_shape, sb_shape):
    try:
        shape = P.broadcast_shape(sa_shape, sb_shape)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, op, "%s: Incompatible shapes: %s vs. %s (%s)" % (op, sa_shape, sb_shape, dt)) \
            from None
    n = P.prod(shape)
    base = "eager_%s_%s" % (op, dt)
    if sa_shape == sb_shape or (P.prod(sa_shape) == 1 and shape == sb_shape) or \
            (P.prod(sb_shape) == 1 and shape == sa_shape):
        k = dev.kernel("elementwise", base, "PPPqqq")
        return (k, dev.grid_flat(n), shape,
                (n, 0 if P.prod(sa_shape) == 1 and n > 1 else 1,
                 0 if P.prod(sb_shape) == 1 and n > 1 else 1))
    cshape, (sa, sb) = P.collapse(list(shape), P.broadcast_strides(sa_shape, shape),
                                  P.broadcast_strides(sb_shape, shape))
    use32 = P.fits_int32(cshape, sa, sb)
    k = dev.kernel("elementwise", base + ("_nd32" if use32 else "_nd64"),
                   "PPPq" + (_ND32 if use32 else _ND64))
    return (k, dev.grid_stride(n), shape, (n, *_nd_args(cshape, sa, sb, use32)))


def _binary_kernel(op, dtypes, out=None):
    def launcher(a, b):
        if a.dtype.name not in dtypes:
            _unimplemented(op, "dtype %s" % a.dtype.name)
        return _binary(op, a, b, out)
    return launcher


_BINARY = {
    "add": _ARITH, "subtract": _ARITH, "multiply": _ARITH, "divide": _FLOATS,
    "floordiv": _ARITH, "floormod": _ARITH, "pow": _ARITH, "maximum": _ARITH,
    "minimum": _ARITH, "squared_difference": _ARITH, "atan2": _FLOATS, "relu_grad": _FLOATS,
}
_COMPARE = {
    "equal": _ARITH + ("bool", "uint8", "int8", "int16"),
    "not_equal": _ARITH + ("bool", "uint8", "int8", "int16"),
    "less": _ARITH + ("uint8", "int8", "int16"), "less_equal": _ARITH + ("uint8", "int8", "int16"),
    "greater": _ARITH + ("uint8", "int8", "int16"),
    "greater_equal": _ARITH + ("uint8", "int8", "int16"),
    "logical_and": ("bool",), "logical_or": ("bool",), "logical_xor": ("bool",),
}
for _n, _d in _BINARY.items():
    KERNELS[_n] = _binary_kernel(_n, _d)
for _n, _d in _COMPARE.items():
    KERNELS[_n] = _binary_kernel(_n, _d, np.dtype(np.bool_))

_unary_cache = {}


def _unary(op, x, out_dtype=None, alpha=0.0, suffix=None):
    dev = _dev(x)
    name = "eager_%s_%s" % (op, suffix or x.dtype.name)
    k = _unary_cache.get((dev, name))
    if k is None:
        k = _unary_cache[(dev, name)] = dev.kernel("unary", name, "PPqd")
    out = DeviceArray(dev, x.shape, out_dtype or x.dtype)
    n = out.size
    if n:
        k(dev.grid_flat(n), BLOCK, x.ptr, out.ptr, n, alpha)
    return out


_F = _FLOATS
_I = ("int32", "int64")
_UNARY = {
    "negative": _F + _I, "abs": _F + _I, "sign": _F + _I, "square": _F + _I, "sqrt": _F,
    "rsqrt": _F, "reciprocal": _F, "exp": _F, "expm1": _F, "log": _F, "log1p": _F,
    "sin": _F, "cos": _F, "tan": _F, "asin": _F, "acos": _F, "atan": _F, "sinh": _F,
    "cosh": _F, "tanh": _F, "sigmoid": _F, "erf": _F, "erfc": _F, "lgamma": _F,
    "floor": _F, "ceil": _F, "round": _F + _I, "relu": _F + _I, "relu6": _F + _I,
    "elu": _F, "selu": _F, "softplus": _F, "softsign": _F,
    "invert": _I + ("uint8", "bool"), "logical_not": ("bool",),
}
_UNARY_BOOL = {"is_nan": _F, "is_inf": _F, "is_finite": _F}


def _unary_kernel(op, dtypes, out=None):
    def launcher(x):
        if x.dtype.name not in dtypes:
            _unimplemented(op, "dtype %s" % x.dtype.name)
        return _unary(op, x, out)
    return launcher


for _n, _d in _UNARY.items():
    KERNELS[_n] = _unary_kernel(_n, _d)
for _n, _d in _UNARY_BOOL.items():
    KERNELS[_n] = _unary_kernel(_n, _d, np.dtype(np.bool_))


@kernel("leaky_relu")
def _leaky_relu(x, alpha=0.2):
    if x.dtype.name not in _FLOATS:
        _unimplemented("leaky_relu", "dtype %s" % x.dtype.name)
    return _unary("leaky_relu", x, alpha=float(alpha))


_CASTABLE = ("bool", "uint8", "int8", "int16", "uint16", "int32", "int64", "float16",
             "float32", "float64")


@kernel("cast")
def cast(x, dtype):
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if x.dtype.name not in _CASTABLE or dtype.name not in _CASTABLE:
        _unimplemented("cast", "cast from %s to %s" % (x.dtype.name, dtype.name))
    return _unary("cast_%s" % x.dtype.name, x, dtype, suffix=dtype.name)


@kernel("select")
def _select(x, y, cond):
    dev = _dev(x, y, cond)
    shape = P.broadcast_shape(P.broadcast_shape(x.shape, y.shape), cond.shape)
    out = _empty(dev, shape, x.dtype)
    n = out.size
    if n == 0:
        return out
    cshape, (sa, sb, sc) = P.collapse(list(shape), P.broadcast_strides(x.shape, shape),
                                      P.broadcast_strides(y.shape, shape),
                                      P.broadcast_strides(cond.shape, shape))
    if len(cshape) > P.MAXD:
        _unimplemented("select", "shape %s" % (shape,))
    k = dev.kernel("elementwise", "eager_select_w%d" % x.dtype.itemsize, "PPPPq" + _ND3)
    k(dev.grid_stride(n), BLOCK, x.ptr, y.ptr, cond.ptr, out.ptr, n,
      *P.pad_list(cshape, 1), *P.pad_list(sa), *P.pad_list(sb), *P.pad_list(sc), len(cshape))
    return out


# ---- reductions ---------------------------------------------------------------------
_ACC = {"float32": "float32", "float64": "float64", "int32": "int64", "int64": "int64",
        "bool": "uint8"}
_IDENTITY = {"sum": 0, "prod": 1}


def _reduce_raw(op, x, axis, count_mean=False):
    """x reduced over `axis` (sorted tuple or None) by op in sum/prod/max/min;
    the result has the kept dimensions (not keepdims)."""
    dev = _dev(x)
    dt = x.dtype.name
    if dt not in _ACC or (dt == "bool" and op not in ("max", "min")):
        _unimplemented(_CURRENT[0] or "reduce", "dtype %s" % dt)
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else tuple(axis)
    kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    red_n = P.prod(x.shape[i] for i in axes)
    out = _empty(dev, kept, x.dtype)
    if out.size == 0:
        return out
    if red_n == 0:
        if op == "sum":
            return fill(dev, out, np.nan if (count_mean and x.dtype.kind == "f") else 0)
        if op == "prod":
            return fill(dev, out, 1)
        if x.dtype.kind == "f":
            return fill(dev, out, -np.inf if op == "max" else np.inf)
        if dt == "bool":
            return fill(dev, out, op == "min")
        info = np.iinfo(x.dtype)
        return fill(dev, out, info.min if op == "max" else info.max)
    count = red_n if count_mean else 0
    plan = P.reduce_plan(x.shape, axes)
    if plan[0] == "copy":
        strided_copy(dev, x.ptr, out.ptr, x.dtype.itemsize, [x.size], [1], [1])
        return out
    if plan[0] == "transpose":
        perm = plan[1]
        xt = _copy_view(x, 0, tuple(x.shape[i] for i in perm),
                        [P.contiguous_strides(x.shape)[i] for i in perm])
        plan = ("rows", plan[2], plan[3])
        x = xt
    # The partial results' dtype: the accumulator of sums and products.
    pdt = dt if (dt == "bool" or op in ("max", "min")) else _ACC[dt]
    rdt = dt
    if plan[0] == "rows":
        _, rows, cols = plan
        chunks = 1
        if rows < 2 * dev.n_sm and cols >= 8192:
            chunks = min((cols + 4095) // 4096, max(1, (4 * dev.n_sm) // rows))
        if chunks == 1:
            _rows(dev, op, rdt, rdt, x.ptr, out.ptr, rows, cols, 1, cols, count)
            return out
        clen = (cols + chunks - 1) // chunks
        part = _empty(dev, (rows * chunks,), np.dtype(pdt))
        _rows(dev, op, rdt, pdt, x.ptr, part.ptr, rows, cols, chunks, clen, 0)
        _rows(dev, op, pdt, rdt, part.ptr, out.ptr, rows, chunks, 1, chunks, count)
        return out
    _, outer, red, inner = plan
    xblocks = (inner + 31) // 32
    chunks = 1
    if outer * xblocks < 2 * dev.n_sm and red >= 256:
        chunks = min((red + 63) // 64, max(1, (4 * dev.n_sm) // (outer * xblocks)))
    if chunks == 1:
        _cols(dev, op, rdt, rdt, x.ptr, out.ptr, outer, red, inner, 1, red, count)
        return out
    clen = (red + chunks - 1) // chunks
    part = _empty(dev, (outer * chunks * inner,), np.dtype(pdt))
    _cols(dev, op, rdt, pdt, x.ptr, part.ptr, outer, red, inner, chunks, clen, 0)
    _cols(dev, op, pdt, rdt, part.ptr, out.ptr, outer, chunks, inner, 1, chunks, count)
    return out


def _rows(dev, op, tin, tout, src, dst, rows, cols, chunks, clen, count):
    k = dev.kernel("reduce", "eager_reduce_%s_%s_%s_rows" % (op, tin, tout), "PPqqqqq")
    g = min(rows * chunks, dev.n_sm * 32)
    k((g, 1, 1), BLOCK, src, dst, rows, cols, chunks, clen, count)


def _cols(dev, op, tin, tout, src, dst, outer, red, inner, chunks, clen, count):
    k = dev.kernel("reduce", "eager_reduce_%s_%s_%s_cols" % (op, tin, tout), "PPqqqqqq")
    grid = ((inner + 31) // 32, min(outer * chunks, 65535), 1)
    k(grid, (32, 8, 1), src, dst, outer, red, inner, chunks, clen, count)


def _keep(out, x, axis, keepdims):
    if keepdims:
        shape = tuple(1 if axis is None or i in axis else d for i, d in enumerate(x.shape))
        return out.reshape(shape)
    return out


def _reduction(op, mean=False):
    def launcher(x, axis=None, keepdims=False):
        return _keep(_reduce_raw(op, x, axis, mean), x, axis, keepdims)
    return launcher


KERNELS["reduce_sum"] = _reduction("sum")
KERNELS["reduce_mean"] = _reduction("sum", True)
KERNELS["reduce_prod"] = _reduction("prod")
KERNELS["reduce_max"] = _reduction("max")
KERNELS["reduce_min"] = _reduction("min")
KERNELS["reduce_any"] = _reduction("max")
KERNELS["reduce_all"] = _reduction("min")


def _to_last(x, axes):
    """x with `axes` moved to the end, contiguous, as [rows, cols]."""
    plan = P.reduce_plan(x.shape, axes)
    if plan[0] == "copy":
        return x, x.size, 1
    if plan[0] == "rows":
        return x, plan[1], plan[2]
    nd = x.ndim
    red = tuple(a % nd for a in axes)
    perm = [i for i in range(nd) if i not in red] + list(red)
    xt = _copy_view(x, 0, tuple(x.shape[i] for i in perm),
                    [P.contiguous_strides(x.shape)[i] for i in perm])
    cols = P.prod(x.shape[i] for i in red)
    return xt, xt.size // cols if cols else 0, cols


@kernel("reduce_logsumexp")
def _logsumexp(x, axis=None, keepdims=False):
    dev = _dev(x)
    if x.dtype.name not in _FLOATS:
        _unimplemented("reduce_logsumexp", "dtype %s" % x.dtype.name)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    out = _empty(dev, kept, x.dtype)
    xt, rows, cols = _to_last(x, axes)
    if out.size:
        if cols == 0:
            fill(dev, out, -np.inf)
        else:
            k = dev.kernel("nn", "eager_softmax_rows_%s" % x.dtype.name, "PPqqi")
            k((min(rows, dev.n_sm * 32), 1, 1), BLOCK, xt.ptr, out.ptr, rows, cols, 2)
    return _keep(out, x, axis, keepdims)


@kernel("reduce_variance")
def _variance(x, axis=None, keepdims=False):
    if x.dtype.name not in _FLOATS:
        _unimplemented("reduce_variance", "dtype %s" % x.dtype.name)
    m = _keep(_reduce_raw("sum", x, axis, True), x, axis, True)
    d = _binary("squared_difference", x, m)
    return _keep(_reduce_raw("sum", d, axis, True), x, axis, keepdims)


def _arg(op):
    def launcher(x, axis, output_type):
        dev = _dev(x)
        ot = np.dtype(output_type)
        if x.dtype.name not in _ARITH:
            _unimplemented("arg" + op, "dtype %s" % x.dtype.name)
        outer, red, inner = P.split_axis(x.shape, axis)
        out = _empty(dev, x.shape[:axis] + x.shape[axis + 1:], ot)
        n = out.size
        if n:
            k = dev.kernel("reduce", "eager_arg%s_%s_%s" % (op, x.dtype.name, ot.name), "PPqqq")
            k(dev.grid_stride(n), BLOCK, x.ptr, out.ptr, outer, red, inner)
        return out
    return launcher


KERNELS["argmax"] = _arg("max")
KERNELS["argmin"] = _arg("min")


# ---- creation (no tensor inputs: the device is the scope's) ----------------------------
def _scope_device():
    from eager._ext.context import context
    ctx = context()
    d = ctx.devices[ctx.current_device()]
    d.activate()
    return d


@kernel("zeros")
def _zeros(shape, dtype):
    return _full(_scope_device(), shape, dtype, 0)


@kernel("ones")
def _ones(shape, dtype):
    return _full(_scope_device(), shape, dtype, 1)


def _like(value):
    def launcher(x, dtype=None):
        return _full(_dev(x), x.shape, x.dtype if dtype is None else dtype, value)
    return launcher


KERNELS["zeros_like"] = _like(0)
KERNELS["ones_like"] = _like(1)


@kernel("fill")
def _fill(value, dims):
    dev = _dev(value)
    out = _empty(dev, dims, value.dtype)
    if out.size:
        strided_copy(dev, value.ptr, out.ptr, value.dtype.itemsize, list(out.shape),
                     [0] * out.ndim, P.contiguous_strides(out.shape))
    return out


@kernel("range")
def _range(start, limit, delta, size, dtype):
    dev = _scope_device()
    dtype = np.dtype(dtype)
    if dtype.name not in _ARITH:
        _unimplemented("range", "dtype %s" % dtype.name)
    out = _empty(dev, (size,), dtype)
    if size:
        f = {"int32": "i", "int64": "q", "float32": "f", "float64": "d"}[dtype.name]
        k = dev.kernel("array", "eager_iota_%s" % dtype.name, "Pq" + f + f)
        cv = int if dtype.kind == "i" else float
        k(dev.grid_stride(size), BLOCK, out.ptr, size, cv(start), cv(delta))
    return out


def _host_made(name):
    # Ops whose whole value is a function of their attributes (eye, linspace
    # ...): computed on the host and uploaded, as TensorFlow keeps such
    # values in host memory. Stated here, not hidden: no input is read.
    def launcher(*args, **attrs):
        from eager.ops._registry import REGISTRY
        host = REGISTRY[name].cpu_kernel(*[a.get() if isinstance(a, DeviceArray) else a
                                           for a in args], **attrs)
        dev = _dev(*args) if any(isinstance(a, DeviceArray) for a in args) else _scope_device()
        return dev.from_host(np.asarray(host))
    return launcher


KERNELS["eye"] = _host_made("eye")
KERNELS["linspace"] = _host_made("linspace")


@kernel("shape")
def _shape(x, out_type):
    return x.device.from_host(np.array(x.shape, dtype=out_type))


@kernel("size")
def _size(x, out_type):
    return x.device.from_host(np.array(x.size, dtype=out_type))


@kernel("rank")
def _rank(x):
    return x.device.from_host(np.array(x.ndim, dtype=np.int32))


# ---- views and data movement ---------------------------------------------------------
@kernel("identity", "read_variable", "stop_gradient")
def _identity(x):
    return x


@kernel("conj", "real")
def _real_identity(x):
    if x.dtype.kind == "c":
        _unimplemented(_CURRENT[0] or "conj", "complex dtypes")
    return x


@kernel("reshape")
def _reshape(x, shape):
    return x.reshape(tuple(shape))


@kernel("expand_dims")
def _expand_dims(x, axis):
    s = list(x.shape)
    s.insert(axis, 1)
    return x.reshape(tuple(s))


@kernel("squeeze")
def _squeeze(x, axis):
    return x.reshape(tuple(d for i, d in enumerate(x.shape) if i not in axis))


@kernel("transpose")
def _transpose(x, perm):
    cs = P.contiguous_strides(x.shape)
    return _copy_view(x, 0, tuple(x.shape[p] for p in perm), [cs[p] for p in perm])


@kernel("broadcast_to")
def _broadcast_to(x, shape):
    shape = tuple(shape)
    return _copy_view(x, 0, shape, P.broadcast_strides(x.shape, shape))


@kernel("tile")
def _tile(x, multiples):
    # x viewed as [1, d0, 1, d1, ...] broadcast to [m0, d0, m1, d1, ...].
    nd = max(x.ndim, len(multiples))
    xs = (1,) * (nd - x.ndim) + tuple(x.shape)
    ms = (1,) * (nd - len(multiples)) + tuple(multiples)
    cs = P.contiguous_strides(xs)
    shape, strides = [], []
    for d, m, s in zip(xs, ms, cs):
        shape += [m, d]
        strides += [0, s]
    out = _copy_view(x, 0, tuple(shape), strides)
    return out.reshape(tuple(d * m for d, m in zip(xs, ms)))


@kernel("reverse")
def _reverse(x, axis):
    if not axis:
        return x
    cs = P.contiguous_strides(x.shape)
    off = 0
    strides = list(cs)
    for a in axis:
        a %= x.ndim
        if x.shape[a] > 0:
            off += (x.shape[a] - 1) * cs[a]
        strides[a] = -cs[a]
    return _copy_view(x, off, x.shape, strides)


@kernel("slice")
def _slice(x, begin, size):
    cs = P.contiguous_strides(x.shape)
    off = sum(b * s for b, s in zip(begin, cs))
    return _copy_view(x, off, tuple(size), cs)


@kernel("getitem")
def _getitem(x, key):
    try:
        off, shape, strides = P.view_of(x.shape, key)
    except TypeError:
        _unimplemented("getitem", "indexing with tensors or masks")
    return _copy_view(x, off, shape, strides)


@kernel("getitem_grad")
def _getitem_grad(g, key, shape):
    try:
        off, vshape, strides = P.view_of(shape, key)
    except TypeError:
        _unimplemented("getitem_grad", "indexing with tensors or masks")
    dev = _dev(g)
    out = dev.memset0(_empty(dev, shape, g.dtype))
    w = g.dtype.itemsize
    strided_copy(dev, g.ptr, out.ptr + off * w, w, vshape, P.contiguous_strides(vshape), strides)
    return out


def _concat_into(xs, axis, out):
    dev = out.device
    w = out.dtype.itemsize
    ocs = P.contiguous_strides(out.shape)
    pos = 0
    for x in xs:
        if x.size:
            strided_copy(dev, x.ptr, out.ptr + pos * ocs[axis] * w, w, x.shape,
                         P.contiguous_strides(x.shape), ocs)
        pos += x.shape[axis]
    return out


@kernel("concat")
def _concat(*xs, axis):
    dev = _dev(*xs)
    shape = list(xs[0].shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    return _concat_into(xs, axis, _empty(dev, shape, xs[0].dtype))


@kernel("stack")
def _stack(*xs, axis):
    dev = _dev(*xs)
    parts = []
    for x in xs:
        s = list(x.shape)
        s.insert(axis, 1)
        parts.append(x.reshape(tuple(s)))
    shape = list(parts[0].shape)
    shape[axis] = len(parts)
    return _concat_into(parts, axis, _empty(dev, shape, xs[0].dtype))


def _pieces(x, sizes, axis):
    cs = P.contiguous_strides(x.shape)
    out, pos = [], 0
    for s in sizes:
        shape = list(x.shape)
        shape[axis] = s
        out.append(_copy_view(x, pos * cs[axis], tuple(shape), cs))
        pos += s
    return out


@kernel("split")
def _split(x, sizes, axis):
    return tuple(_pieces(x, sizes, axis))


@kernel("unstack")
def _unstack(x, axis):
    parts = _pieces(x, [1] * x.shape[axis], axis)
    shape = x.shape[:axis] + x.shape[axis + 1:]
    return tuple(p.reshape(shape) for p in parts)


@kernel("pad")
def _pad(x, paddings, mode, constant_values):
    if mode != "CONSTANT":
        _unimplemented("pad", "mode %s" % mode)
    dev = _dev(x)
    if x.ndim == 0:
        return dev.copy(x)
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, paddings))
    out = _full(dev, shape, x.dtype, constant_values)
    ocs = P.contiguous_strides(shape)
    off = sum(a * s for (a, _), s in zip(paddings, ocs))
    w = x.dtype.itemsize
    strided_copy(dev, x.ptr, out.ptr + off * w, w, x.shape, P.contiguous_strides(x.shape), ocs)
    return out


# ---- gather, one_hot ---------------------------------------------------------------------
_IDX = {"int32": "i32", "int64": "i64"}


@kernel("gather")
def _gather(params, indices, axis, batch_dims):
    if batch_dims:
        _unimplemented("gather", "batch_dims > 0")
    if indices.dtype.name not in _IDX:
        _unimplemented("gather", "indices of dtype %s" % indices.dtype.name)
    dev = _dev(params, indices)
    outer, n_p, inner = P.split_axis(params.shape, axis)
    shape = params.shape[:axis] + indices.shape + params.shape[axis + 1:]
    out = _empty(dev, shape, params.dtype)
    n = out.size
    if n:
        # Out-of-range indices read as 0, as TensorFlow's GPU kernel does
        # (its CPU kernel raises): checking them here would wait for the GPU.
        w = params.dtype.itemsize
        k = dev.kernel("array", "eager_gather_w%d_%s" % (w, _IDX[indices.dtype.name]), "PPPqqqq")
        k(dev.grid_stride(n), BLOCK, params.ptr, indices.ptr, out.ptr, outer, n_p,
          indices.size, inner)
    return out


@kernel("gather_grad")
def _gather_grad(g, indices, shape, axis, batch_dims):
    if batch_dims:
        _unimplemented("gather_grad", "batch_dims > 0")
    if g.dtype.name not in _FLOATS or indices.dtype.name not in _IDX:
        _unimplemented("gather_grad", "dtype %s with %s indices" % (g.dtype.name, indices.dtype.name))
    dev = _dev(g, indices)
    out = dev.memset0(_empty(dev, shape, g.dtype))
    outer, n_p, inner = P.split_axis(tuple(shape), axis)
    n = g.size
    if n:
        k = dev.kernel("array", "eager_scatter_add_%s_%s" % (g.dtype.name, indices.dtype.name),
                       "PPPqqqq")
        k(dev.grid_stride(n), BLOCK, g.ptr, indices.ptr, out.ptr, outer, n_p, indices.size, inner)
    return out


@kernel("one_hot")
def _one_hot(indices, depth, on_value, off_value, axis, dtype):
    dtype = np.dtype(dtype)
    w = dtype.itemsize
    if w not in (1, 4, 8) or dtype.kind not in "biuf":
        _unimplemented("one_hot", "dtype %s" % dtype.name)
    dev = _dev(indices)
    nd = indices.ndim
    ax = nd if axis in (-1, nd) else axis
    outer, inner = P.prod(indices.shape[:ax]), P.prod(indices.shape[ax:])
    shape = indices.shape[:ax] + (depth,) + indices.shape[ax:]
    out = _empty(dev, shape, dtype)
    if out.size:
        ut = {1: np.uint8, 4: np.uint32, 8: np.uint64}[w]
        on = int(np.array(on_value, dtype).reshape(1).view(ut)[0])
        off = int(np.array(off_value, dtype).reshape(1).view(ut)[0])
        f = {1: "B", 4: "I", 8: "Q"}[w]
        k = dev.kernel("array", "eager_one_hot_w%d_%s" % (w, indices.dtype.name), "PPqqq" + f + f)
        k(dev.grid_stride(out.size), BLOCK, indices.ptr, out.ptr, outer, depth, inner, on, off)
    return out


# ---- linear algebra ------------------------------------------------------------------------
@kernel("matmul")
def _matmul(a, b, adjoint_a=False, adjoint_b=False):
    if a.dtype.name not in _FLOATS:
        _unimplemented("matmul", "dtype %s (cuBLAS float32/float64 only)" % a.dtype.name)
    dev = _dev(a, b)
    if a.ndim < 2 or b.ndim < 2:
        _unimplemented("matmul", "rank < 2")
    m, k = (a.shape[-1], a.shape[-2]) if adjoint_a else (a.shape[-2], a.shape[-1])
    n = b.shape[-2] if adjoint_b else b.shape[-1]
    batch = P.broadcast_shape(a.shape[:-2], b.shape[:-2])
    out = _empty(dev, batch + (m, n), a.dtype)
    if out.size == 0:
        return out
    if k == 0:
        return dev.memset0(out)
    w = a.dtype.itemsize
    blas = dev.blas()
    nb = P.prod(batch)
    if nb == 1:
        blas.gemm(w, a.ptr, b.ptr, out.ptr, m, n, k, adjoint_a, adjoint_b)
        return out
    if b.ndim == 2 and not adjoint_a and P.prod(a.shape[:-2]) == nb:
        # [..., m, k] @ [k, n]: one GEMM of (nb*m) rows.
        blas.gemm(w, a.ptr, b.ptr, out.ptr, nb * m, n, k, False, adjoint_b)
        return out
    # Strided batches; an operand without (or with broadcast) batch
    # dimensions is materialised to the full batch unless it has none.
    def batched(x, rows, cols):
        xb = P.prod(x.shape[:-2])
        if xb == nb:
            return x, rows * cols
        if xb == 1:
            return x, 0
        return _broadcast_to(x, batch + x.shape[-2:]), rows * cols
    ab, sa = batched(a, a.shape[-2], a.shape[-1])
    bb, sb = batched(b, b.shape[-2], b.shape[-1])
    blas.gemm(w, ab.ptr, bb.ptr, out.ptr, m, n, k, adjoint_a, adjoint_b,
              batch=nb, stride_a=sa, stride_b=sb, stride_c=m * n)
    return out


# ---- softmax family and losses -----------------------------------------------------------
def _rows_of(x, axis, op):
    if x.dtype.name not in _FLOATS:
        _unimplemented(op, "dtype %s" % x.dtype.name)
    return _to_last(x, (axis % x.ndim,)) if x.ndim else (x, 1, 1)


def _from_last(y, x, axis):
    """Undo _to_last for an output laid out like its input."""
    nd = x.ndim
    a = axis % nd if nd else 0
    if nd == 0 or a == nd - 1 or P.prod(x.shape[a + 1:]) == 1:
        return y.reshape(x.shape)
    moved = x.shape[:a] + x.shape[a + 1:] + (x.shape[a],)
    perm = list(range(a)) + [nd - 1] + list(range(a, nd - 1))
    return _transpose(y.reshape(moved), perm)


def _softmax_mode(mode, opname):
    def launcher(x, axis):
        dev = _dev(x)
        xt, rows, cols = _rows_of(x, axis, opname)
        out = _empty(dev, (rows, cols), x.dtype)
        if out.size:
            k = dev.kernel("nn", "eager_softmax_rows_%s" % x.dtype.name, "PPqqi")
            k((min(rows, dev.n_sm * 32), 1, 1), _row_block(cols), xt.ptr, out.ptr, rows, cols, mode)
        return _from_last(out, x, axis)
    return launcher


def _row_block(cols):
    return (256, 1, 1) if cols > 128 else (64, 1, 1) if cols > 32 else (32, 1, 1)


KERNELS["softmax"] = _softmax_mode(0, "softmax")
KERNELS["log_softmax"] = _softmax_mode(1, "log_softmax")


@kernel("softmax_cross_entropy_with_logits")
def _sce(logits, labels, axis):
    dev = _dev(logits, labels)
    xt, rows, cols = _rows_of(logits, axis, "softmax_cross_entropy_with_logits")
    yt, _, _ = _to_last(labels, (axis % labels.ndim,))
    a = axis % logits.ndim
    out = _empty(dev, logits.shape[:a] + logits.shape[a + 1:], logits.dtype)
    if out.size:
        if cols == 0:
            return dev.memset0(out)
        k = dev.kernel("nn", "eager_xent_rows_%s" % logits.dtype.name, "PPPqq")
        k((min(rows, dev.n_sm * 32), 1, 1), _row_block(cols), xt.ptr, yt.ptr, out.ptr, rows, cols)
    return out


@kernel("softmax_cross_entropy_with_logits_grad")
def _sce_grad(g, logits, labels, axis):
    dev = _dev(g, logits, labels)
    xt, rows, cols = _rows_of(logits, axis, "softmax_cross_entropy_with_logits_grad")
    yt, _, _ = _to_last(labels, (axis % labels.ndim,))
    dx = _empty(dev, (rows, cols), logits.dtype)
    dy = _empty(dev, (rows, cols), logits.dtype)
    if dx.size:
        k = dev.kernel("nn", "eager_xent_grad_rows_%s" % logits.dtype.name, "PPPPPqq")
        k((min(rows, dev.n_sm * 32), 1, 1), _row_block(cols), g.ptr, xt.ptr, yt.ptr, dx.ptr,
          dy.ptr, rows, cols)
    return _from_last(dx, logits, axis), _from_last(dy, logits, axis)


@kernel("sparse_softmax_cross_entropy_with_logits")
def _sparse(logits, labels):
    dev = _dev(logits, labels)
    if logits.dtype.name not in _FLOATS or labels.dtype.name not in _IDX:
        _unimplemented("sparse_softmax_cross_entropy_with_logits",
                       "logits %s with labels %s" % (logits.dtype.name, labels.dtype.name))
    cols = logits.shape[-1]
    rows = logits.size // cols if cols else 0
    out = _empty(dev, logits.shape[:-1], logits.dtype)
    if out.size:
        k = dev.kernel("nn", "eager_sparse_xent_rows_%s_%s" % (logits.dtype.name, labels.dtype.name),
                       "PPPqq")
        k((min(rows, dev.n_sm * 32), 1, 1), _row_block(cols), logits.ptr, labels.ptr, out.ptr,
          rows, cols)
    return out


@kernel("sparse_softmax_cross_entropy_with_logits_grad")
def _sparse_grad(g, logits, labels):
    dev = _dev(g, logits, labels)
    if logits.dtype.name not in _FLOATS or labels.dtype.name not in _IDX:
        _unimplemented("sparse_softmax_cross_entropy_with_logits_grad",
                       "logits %s with labels %s" % (logits.dtype.name, labels.dtype.name))
    cols = logits.shape[-1]
    rows = logits.size // cols if cols else 0
    out = _empty(dev, logits.shape, logits.dtype)
    if out.size:
        k = dev.kernel("nn", "eager_sparse_xent_grad_rows_%s_%s"
                       % (logits.dtype.name, labels.dtype.name), "PPPPqq")
        k((min(rows, dev.n_sm * 32), 1, 1), _row_block(cols), g.ptr, logits.ptr, labels.ptr,
          out.ptr, rows, cols)
    return out


@kernel("l2_loss")
def _l2_loss(t):
    if t.dtype.name not in _FLOATS:
        _unimplemented("l2_loss", "dtype %s" % t.dtype.name)
    s = _reduce_raw("sum", _unary("square", t), None)
    half = t.device.from_host(np.array(0.5, t.dtype))
    return _binary("multiply", s, half)


def _channels_last(fmt, nd):
    return not (fmt is not None and fmt.startswith("NC") and nd > 2)


@kernel("bias_add")
def _bias_add(value, bias, data_format):
    if _channels_last(data_format, value.ndim):
        return _binary("add", value, bias)
    return _binary("add", value, bias.reshape((-1,) + (1,) * (value.ndim - 2)))


@kernel("bias_add_grad")
def _bias_add_grad(g, data_format):
    nd = g.ndim
    axis = nd - 1 if _channels_last(data_format, nd) else 1
    return _reduce_raw("sum", g, tuple(i for i in range(nd) if i != axis))


# ---- convolution (NHWC, im2col + cuBLAS GEMM) -----------------------------------------------
def _nhwc(x, fmt):
    return _transpose(x, (0, 2, 3, 1)) if fmt == "NCHW" else x


def _from_nhwc(y, fmt):
    return _transpose(y, (0, 3, 1, 2)) if fmt == "NCHW" else y


def _nhwc_shape(shape, fmt):
    return (shape[0], shape[2], shape[3], shape[1]) if fmt == "NCHW" else tuple(shape)


def _conv_args(xshape, wshape, strides, pads, dilations):
    N, H, W, C = xshape
    KH, KW = wshape[0], wshape[1]
    sh, sw = strides
    dh, dw = dilations
    pt, pb, pl, pr = pads
    OH = (H + pt + pb - dh * (KH - 1) - 1) // sh + 1
    OW = (W + pl + pr - dw * (KW - 1) - 1) // sw + 1
    return (N, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl)


def _conv_check(x):
    if x.dtype.name not in _FLOATS:
        _unimplemented(_CURRENT[0] or "conv2d", "dtype %s" % x.dtype.name)


def _im2col(dev, x, args):
    N, H, W, C, OH, OW, KH, KW = args[:8]
    cols = _empty(dev, (N * OH * OW, KH * KW * C), x.dtype)
    if cols.size:
        k = dev.kernel("nn", "eager_im2col_%s" % x.dtype.name, "PP" + _CONV)
        k(dev.grid_stride(cols.size), BLOCK, x.ptr, cols.ptr, *args)
    return cols


def _is_pointwise(args):
    KH, KW, sh, sw, dh, dw, pt, pl = args[6:]
    return KH == KW == 1 and sh == sw == 1 and pt == pl == 0


@kernel("conv2d")
def _conv2d(x, w, strides, pads, dilations, data_format):
    _conv_check(x)
    dev = _dev(x, w)
    xn = _nhwc(x, data_format)
    args = _conv_args(xn.shape, w.shape, strides, pads, dilations)
    N, H, W, C, OH, OW, KH, KW = args[:8]
    O = w.shape[3]
    out = _empty(dev, (N, OH, OW, O), x.dtype)
    if out.size == 0:
        return _from_nhwc(out, data_format)
    K = KH * KW * C
    if K == 0:
        return _from_nhwc(dev.memset0(out), data_format)
    cols = xn if (_is_pointwise(args) and pads[1] == pads[3] == 0) else _im2col(dev, xn, args)
    dev.blas().gemm(x.dtype.itemsize, cols.ptr, w.ptr, out.ptr, N * OH * OW, O, K)
    return _from_nhwc(out, data_format)


@kernel("conv2d_backprop_input")
def _conv2d_input(g, w, input_shape, strides, pads, dilations, data_format):
    _conv_check(g)
    dev = _dev(g, w)
    gn = _nhwc(g, data_format)
    xshape = _nhwc_shape(input_shape, data_format)
    args = _conv_args(xshape, w.shape, strides, pads, dilations)
    N, H, W, C, OH, OW, KH, KW = args[:8]
    O = w.shape[3]
    K = KH * KW * C
    dx = _empty(dev, xshape, g.dtype)
    if dx.size == 0:
        return _from_nhwc(dx, data_format)
    if gn.size == 0 or O == 0:
        return _from_nhwc(dev.memset0(dx), data_format)
    cols = _empty(dev, (N * OH * OW, K), g.dtype)
    # cols = g [N*OH*OW, O] @ w^T [O, K]
    dev.blas().gemm(g.dtype.itemsize, gn.ptr, w.ptr, cols.ptr, N * OH * OW, K, O,
                    False, True)
    k = dev.kernel("nn", "eager_col2im_%s" % g.dtype.name, "PP" + _CONV)
    k(dev.grid_stride(dx.size), BLOCK, cols.ptr, dx.ptr, *args)
    return _from_nhwc(dx, data_format)


@kernel("conv2d_backprop_filter")
def _conv2d_filter(x, g, filter_shape, strides, pads, dilations, data_format):
    _conv_check(x)
    dev = _dev(x, g)
    xn = _nhwc(x, data_format)
    gn = _nhwc(g, data_format)
    args = _conv_args(xn.shape, filter_shape, strides, pads, dilations)
    N, H, W, C, OH, OW, KH, KW = args[:8]
    O = filter_shape[3]
    K = KH * KW * C
    dw = _empty(dev, tuple(filter_shape), x.dtype)
    if dw.size == 0:
        return dw
    if N * OH * OW == 0:
        return dev.memset0(dw)
    cols = xn if (_is_pointwise(args) and pads[1] == pads[3] == 0) else _im2col(dev, xn, args)
    # dw [K, O] = cols^T [K, N*OH*OW] @ g [N*OH*OW, O]
    dev.blas().gemm(x.dtype.itemsize, cols.ptr, gn.ptr, dw.ptr, K, O, N * OH * OW, True, False)
    return dw


# ---- pooling (NHWC kernels) --------------------------------------------------------------------
def _pool_args(xshape, ksize, strides, padding):
    from eager.ops.pooling import _pool_geometry
    N, H, W, C = xshape
    OH, OW, pt, pl = _pool_geometry(H, W, ksize, strides, padding)
    return (N, H, W, C, OH, OW, ksize[0], ksize[1], strides[0], strides[1], pt, pl)


def _pool_fwd(kind):
    def launcher(x, ksize, strides, padding, data_format):
        _conv_check(x)
        dev = _dev(x)
        xn = _nhwc(x, data_format)
        args = _pool_args(xn.shape, ksize, strides, padding)
        N, H, W, C, OH, OW = args[:6]
        y = _empty(dev, (N, OH, OW, C), x.dtype)
        if y.size:
            k = dev.kernel("nn", "eager_%s_pool_%s" % (kind, x.dtype.name), "PP" + _POOL)
            k(dev.grid_stride(y.size), BLOCK, xn.ptr, y.ptr, *args)
        return _from_nhwc(y, data_format)
    return launcher


KERNELS["max_pool"] = _pool_fwd("max")
KERNELS["avg_pool"] = _pool_fwd("avg")


def _max_route(mode):
    def launcher(x, y, g, ksize, strides, padding, data_format):
        _conv_check(x)
        dev = _dev(x, y, g)
        xn, yn, gn = _nhwc(x, data_format), _nhwc(y, data_format), _nhwc(g, data_format)
        args = _pool_args(xn.shape, ksize, strides, padding)
        out = _empty(dev, xn.shape if mode == 0 else yn.shape, x.dtype)
        if mode == 0:
            dev.memset0(out)
        if yn.size:
            k = dev.kernel("nn", "eager_max_pool_route_%s" % x.dtype.name, "PPPP" + _POOL + "i")
            k(dev.grid_stride(yn.size), BLOCK, xn.ptr, yn.ptr, gn.ptr, out.ptr, *args, mode)
        return _from_nhwc(out, data_format)
    return launcher


KERNELS["max_pool_grad"] = _max_route(0)
KERNELS["max_pool_grad_grad"] = _max_route(1)


@kernel("avg_pool_grad")
def _avg_pool_grad(g, input_shape, ksize, strides, padding, data_format):
    _conv_check(g)
    dev = _dev(g)
    gn = _nhwc(g, data_format)
    xshape = _nhwc_shape(input_shape, data_format)
    args = _pool_args(xshape, ksize, strides, padding)
    dx = _empty(dev, xshape, g.dtype)
    if dx.size:
        k = dev.kernel("nn", "eager_avg_pool_grad_%s" % g.dtype.name, "PP" + _POOL)
        k(dev.grid_stride(dx.size), BLOCK, gn.ptr, dx.ptr, *args)
    return _from_nhwc(dx, data_format)


# ---- random numbers (Philox) --------------------------------------------------------------------
def _rng_words(seed, seed2):
    s, s2 = int(seed) & 0xFFFFFFFFFFFFFFFF, int(seed2) & 0xFFFFFFFFFFFFFFFF
    return (s & 0xFFFFFFFF, s >> 32, s2 & 0xFFFFFFFF, s2 >> 32)


def _scalar_param(v):
    if v is None:
        return None
    a = np.asarray(v)
    return float(a.reshape(-1)[0]) if a.size == 1 else None


def _affine(dev, u, scale, shift):
    """u * scale + shift with array parameters (broadcast to u's shape)."""
    sc = dev.from_host(np.asarray(scale, u.dtype))
    sh = dev.from_host(np.asarray(shift, u.dtype))
    return _binary("add", _binary("multiply", u, sc), sh)


@kernel("random_uniform")
def _random_uniform(shape, dtype, seed, seed2, minval=None, maxval=None):
    dev = _scope_device()
    dtype = np.dtype(dtype)
    out = _empty(dev, shape, dtype)
    n = out.size
    if n == 0:
        return out
    words = _rng_words(seed, seed2)
    if dtype.kind == "i":
        if dtype.name not in ("int32", "int64"):
            _unimplemented("random_uniform", "dtype %s" % dtype.name)
        lo, hi = int(np.asarray(minval).reshape(-1)[0]), int(np.asarray(maxval).reshape(-1)[0])
        if hi <= lo:
            raise errors.InvalidArgumentError(None, "random_uniform", "random_uniform: need "
                                              "minval < maxval, got %d >= %d" % (lo, hi))
        f = "i" if dtype.name == "int32" else "q"
        k = dev.kernel("random", "eager_random_uniform_%s" % dtype.name, "PqIIII" + f + "Q")
        k(dev.grid_stride((n + 1) // 2), BLOCK, out.ptr, n, *words, lo, hi - lo)
        return out
    if dtype.name not in _FLOATS:
        _unimplemented("random_uniform", "dtype %s" % dtype.name)
    lo, hi = _scalar_param(minval), _scalar_param(maxval)
    arrays = minval is not None and (lo is None or hi is None)
    if minval is None or arrays:
        lo, hi = 0.0, 1.0
    f = "f" if dtype.name == "float32" else "d"
    per = 4 if f == "f" else 2
    k = dev.kernel("random", "eager_random_uniform_%s" % dtype.name, "PqIIII" + f + f)
    k(dev.grid_stride((n + per - 1) // per), BLOCK, out.ptr, n, *words, lo, hi)
    if arrays:
        mn, mx = np.asarray(minval, dtype), np.asarray(maxval, dtype)
        return _affine(dev, out, np.subtract(mx, mn, dtype=dtype), mn)
    return out


def _normal(truncated):
    def launcher(shape, dtype, seed, seed2, mean=None, stddev=None):
        dev = _scope_device()
        dtype = np.dtype(dtype)
        if dtype.name not in _FLOATS:
            _unimplemented("truncated_normal" if truncated else "random_normal",
                           "dtype %s" % dtype.name)
        out = _empty(dev, shape, dtype)
        n = out.size
        if n == 0:
            return out
        m, s = _scalar_param(mean), _scalar_param(stddev)
        arrays = mean is not None and (m is None or s is None)
        if mean is None or arrays:
            m, s = 0.0, 1.0
        f = "f" if dtype.name == "float32" else "d"
        per = 4 if f == "f" else 2
        k = dev.kernel("random", "eager_random_normal_%s" % dtype.name, "PqIIII" + f + f + "i")
        k(dev.grid_stride((n + per - 1) // per), BLOCK, out.ptr, n, *_rng_words(seed, seed2),
          m, s, int(truncated))
        if arrays:
            return _affine(dev, out, stddev, mean)
        return out
    return launcher


KERNELS["random_normal"] = _normal(False)
KERNELS["truncated_normal"] = _normal(True)


@kernel("dropout_mask")
def _dropout_mask(shape, dtype, rate, seed, seed2):
    dev = _scope_device()
    dtype = np.dtype(dtype)
    if dtype.name not in _FLOATS:
        _unimplemented("dropout_mask", "dtype %s" % dtype.name)
    out = _empty(dev, shape, dtype)
    n = out.size
    if n:
        f = "f" if dtype.name == "float32" else "d"
        k = dev.kernel("random", "eager_dropout_mask_%s" % dtype.name, "PqIIIIf" + f)
        k(dev.grid_stride((n + 3) // 4), BLOCK, out.ptr, n, *_rng_words(seed, seed2),
          float(rate), 1.0 / (1.0 - rate))
    return out


# ---- optimizer updates (called by eager.train through the device) -------------------------------
_OPTIM = {
    # kernels.py name -> (cuda name, number of slots, scalar format)
    "gradient_descent": ("sgd", 0, "d"),
    "momentum": ("momentum", 1, "ddi"),
    "adam": ("adam", 2, "dddd"),
    "adam_amsgrad": ("adam", 3, "dddd"),
    "adagrad": ("adagrad", 1, "dd"),
    "rmsprop": ("rmsprop", 2, "dddd"),
}


def optimizer_update(name, var, slots, g, scalars):
    """Runs update `name` (a function name of eager/train/kernels.py) in
    place on device arrays var and slots with gradient g; False when the
    GPU has no kernel for it (the caller then updates host copies)."""
    spec = _OPTIM.get(name)
    if spec is None or var.dtype.name not in _FLOATS:
        return False
    cname, nslots, sfmt = spec
    dev = _dev(var)
    slots = list(slots)
    if name == "adam":
        slots.append(None)          # no vhat
    if name == "rmsprop" and len(slots) == 1:
        slots.append(None)          # no momentum slot
    n = var.size
    if n == 0:
        return True
    k = dev.kernel("optim", "eager_%s_%s" % (cname, var.dtype.name),
                   "P" * (1 + len(slots) + 1) + "q" + sfmt)
    ptrs = [var.ptr] + [0 if s is None else s.ptr for s in slots] + [g.ptr]
    sc = [int(v) if c == "i" else float(v) for v, c in zip(scalars, sfmt)]
    k(dev.grid_stride(n), BLOCK, *ptrs, n, *sc)
    return True


def install(registry):
    """Puts the launchers into the registry's OpDefs (kernels["cuda"]); an
    op whose cuda hint is already a callable (copy_to_device) keeps it."""
    n = 0
    for name, op in registry.items():
        hint = op.kernels.get("cuda_src")
        if callable(hint):
            op.kernels["cuda"] = hint
            n += 1
            continue
        fn = KERNELS.get(name)
        if fn is not None:
            # The elementwise launchers name their op themselves; the others
            # record it for their error messages.
            hot = name in _BINARY or name in _COMPARE or name in _UNARY or name in _UNARY_BOOL
            op.kernels["cuda"] = fn if hot else _named(name, fn)
            n += 1
    return n


def _named(name, fn):
    def launcher(*args, **attrs):
        _CURRENT[0] = name
        return fn(*args, **attrs)
    launcher.__name__ = "cuda_" + name
    launcher.__wrapped__ = fn
    return launcher
