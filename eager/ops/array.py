"""Shape and array ops: creation (constant, zeros, range, eye ...), reshaping
(reshape, transpose, concat, split ...), indexing (gather, slicing,
Tensor.__getitem__) and their gradients. Kernels return NumPy views where
they can: tensors are immutable, so sharing storage is safe."""
import builtins
import operator
import os

import numpy as np

from eager import errors
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, MATCH_ALL, ALL, ANY, NUMERIC,
                                 FLOATS, int32, int64, uint8, float32, string)

# The module defines TensorFlow's `range` and `slice` as range_ and slice_
# (exported under TF's names) so that the builtins stay usable here.
_range = builtins.range
_slice = builtins.slice


# ---- helpers -----------------------------------------------------------------
def _invalid(op, msg):
    return errors.InvalidArgumentError(None, op, "%s: %s" % (op, msg))


def _out_of_range(op, msg):
    return errors.IndexOutOfRangeError(None, op, "%s: %s" % (op, msg))


def _desc(t):
    return "%s %s" % (tuple(t.shape), t.dtype.name)


def _tensor(x, dtype=None):
    return x if type(x) is Tensor else convert_to_tensor(x, dtype)


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def _int_list(value, op, what, scalar_ok=False):
    """A tuple of Python ints from a list, tuple, TensorShape, 1-D int
    tensor or array (or a scalar when scalar_ok)."""
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "iu":
            raise TypeError("%s: %s must be integers, got dtype %s" % (op, what, arr.dtype))
        if arr.ndim == 0 and scalar_ok:
            return (int(arr),)
        if arr.ndim != 1:
            raise _invalid(op, "%s must be a 1-D list of integers, got shape %s"
                           % (what, arr.shape))
        return tuple(int(v) for v in arr)
    if isinstance(value, int) and not isinstance(value, bool) and scalar_ok:
        return (value,)
    try:
        seq = list(value)
    except TypeError:
        raise TypeError("%s: %s must be a list of integers, got %r" % (op, what, value)) from None
    out = []
    for v in seq:
        if isinstance(v, (bool, np.bool_)) or v is None:
            raise TypeError("%s: %s must be integers, got %r" % (op, what, value))
        try:
            out.append(operator.index(v))
        except TypeError:
            raise TypeError("%s: %s must be integers, got %r" % (op, what, value)) from None
    return tuple(out)


def _index_scalar(value, op, what):
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        return operator.index(value)
    except TypeError:
        raise TypeError("%s: %s must be an integer, got %r" % (op, what, value)) from None


def _axis(axis, ndim, op, extra=0):
    """`axis` as a non-negative int in [0, ndim + extra)."""
    a = _index_scalar(axis, op, "axis")
    n = ndim + extra
    if not -n <= a < n:
        raise _invalid(op, "axis %d is out of range [%d, %d) for a tensor of rank %d"
                       % (a, -n, n, ndim))
    return a + n if a < 0 else a


def _memory_limit():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


_MEMORY = _memory_limit()


def _check_alloc(op, dims, dtype, what="shape"):
    """Negative dims raise; outputs larger than this machine's memory raise
    ResourceExhaustedError before NumPy tries (calloc may not fail)."""
    for d in dims:
        if d < 0:
            raise _invalid(op, "negative dimension in %s %s" % (what, list(dims)))
    nbytes = _prod(dims) * max(as_dtype(dtype).itemsize, 8 if as_dtype(dtype) == string else 1)
    if nbytes > _MEMORY:
        raise errors.ResourceExhaustedError(
            None, op, "%s: an output of shape %s %s needs %d bytes, more than this "
            "machine's memory" % (op, list(dims), as_dtype(dtype).name, nbytes))


def _convert_matching(values, op):
    """TensorFlow's rule for a list input: the first Tensor sets the dtype."""
    ref = None
    for v in values:
        if isinstance(v, Tensor):
            ref = v.dtype
            break
    out = []
    for v in values:
        if isinstance(v, Tensor):
            if v.dtype != ref:
                raise _invalid(op, "inputs must have one dtype, got %s"
                               % ", ".join(_desc(_tensor(u)) if isinstance(u, Tensor)
                                           else type(u).__name__ for u in values))
            out.append(v)
        else:
            try:
                t = convert_to_tensor(v, ref)
            except TypeError as e:
                raise TypeError("%s: %s" % (op, e)) from None
            if ref is None:
                ref = t.dtype
            out.append(t)
    return out


def _reduce_sum(x, axis=None):
    from eager.ops.reduction import reduce_sum
    return reduce_sum(x, axis=axis)


# ---- constant and filled tensors ----------------------------------------------
@api(None, "eager")
def constant(value, dtype=None, shape=None, name=None, verify_shape=False):
    """A tensor from a Python value, NumPy array or tensor.

    value: a scalar, a (nested) list, an array or a Tensor.
    dtype: the element type (Python ints may become any numeric type, floats
        any float type); by default int32, float32, bool, complex128 or string.
    shape: the result's shape: `value` is reshaped when it has that many
        elements, or a scalar is broadcast (`constant(0, shape=[2, 3])`).

    >>> constant([1, 2]).numpy()
    array([1, 2], dtype=int32)
    >>> constant(7.0, shape=[2]).numpy()
    array([7., 7.], dtype=float32)
    """
    if isinstance(value, Tensor) and dtype is not None and as_dtype(dtype) != value.dtype:
        raise TypeError("constant: expected a tensor of dtype %s, got %s"
                        % (as_dtype(dtype).name, _desc(value)))
    try:
        t = convert_to_tensor(value, dtype)
    except OverflowError as e:
        raise TypeError("constant: cannot convert %r to dtype %s: %s"
                        % (value, as_dtype(dtype).name, e)) from None
    if shape is None:
        return t
    dims = _int_list(shape, "constant", "shape", scalar_ok=True)
    if dims == tuple(t.shape):
        return t
    if verify_shape:
        raise TypeError("constant: expected shape %s, value has shape %s"
                        % (list(dims), tuple(t.shape)))
    n = _prod(t.shape)
    if any(d < 0 for d in dims):
        raise _invalid("constant", "negative dimension in shape %s" % (list(dims),))
    if n == _prod(dims):
        return reshape(t, dims)
    if n == 1:
        return fill(dims, reshape(t, ()))
    raise TypeError("constant: value has %d elements (shape %s %s) but shape %s has %d"
                    % (n, tuple(t.shape), t.dtype.name, list(dims), _prod(dims)))


def _zeros_kernel(shape, dtype):
    if dtype == object:
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, dtype)


_zeros = defop("zeros", generic(), cpu=_zeros_kernel, differentiable=False)
_ones = defop("ones", generic(), cpu=lambda shape, dtype: np.ones(shape, dtype),
              differentiable=False)


@api(_zeros, "eager")
def zeros(shape, dtype=float32, name=None):
    """A tensor of `shape` (a list of ints, an int, or a 1-D int tensor)
    filled with zeros ("" for strings)."""
    dtype = as_dtype(dtype)
    dims = _int_list(shape, "zeros", "shape", scalar_ok=True)
    _check_alloc("zeros", dims, dtype)
    return execute(_zeros, (), {"shape": dims, "dtype": dtype.np_dtype})


@api(_ones, "eager")
def ones(shape, dtype=float32, name=None):
    """A tensor of `shape` filled with ones (True for bool)."""
    dtype = as_dtype(dtype)
    if dtype == string:
        raise _invalid("ones", "dtype string has no one")
    dims = _int_list(shape, "ones", "shape", scalar_ok=True)
    _check_alloc("ones", dims, dtype)
    return execute(_ones, (), {"shape": dims, "dtype": dtype.np_dtype})


def _like_kernel(fill_value):
    def k(x, dtype):
        dtype = x.dtype if dtype is None else dtype
        if dtype == object:
            return np.full(x.shape, b"", dtype=object)
        return np.full(x.shape, fill_value, dtype=dtype)
    return k


_zeros_like = defop("zeros_like", generic(ANY), cpu=_like_kernel(0), differentiable=False)
_ones_like = defop("ones_like", generic(ALL), cpu=_like_kernel(1), differentiable=False)


@api(_zeros_like, "eager")
def zeros_like(input, dtype=None, name=None):
    """Zeros with the shape of `input`, and its dtype unless `dtype` is given."""
    dtype = None if dtype is None else as_dtype(dtype).np_dtype
    return execute(_zeros_like, (input,), {"dtype": dtype})


@api(_ones_like, "eager")
def ones_like(input, dtype=None, name=None):
    """Ones with the shape of `input`, and its dtype unless `dtype` is given."""
    if dtype is not None:
        if as_dtype(dtype) == string:
            raise _invalid("ones_like", "dtype string has no one")
        dtype = as_dtype(dtype).np_dtype
    return execute(_ones_like, (input,), {"dtype": dtype})


def _fill_kernel(value, dims):
    return np.full(dims, value, dtype=value.dtype)


def _check_fill(op, tensors, attrs):
    if tensors[0].ndim != 0:
        raise _invalid("fill", "value must be a scalar, got %s" % _desc(tensors[0]))


_fill = defop("fill", generic(ANY), cpu=_fill_kernel, check=_check_fill,
              grad=lambda g, ans, value, dims: (_reduce_sum(g),))


@api(_fill, "eager")
def fill(dims, value, name=None):
    """A tensor of shape `dims` with every element `value` (a scalar); the
    gradient of `value` is the sum of the incoming gradient."""
    d = _int_list(dims, "fill", "dims", scalar_ok=True)
    value = _tensor(value)
    _check_alloc("fill", d, value.dtype, "dims")
    return execute(_fill, (value,), {"dims": d})


# ---- ranges and special matrices ------------------------------------------------
def _range_kernel(start, limit, delta, size, dtype):
    if dtype.kind in "iu":
        return (start + delta * np.arange(size, dtype=np.int64)).astype(dtype)
    return (start + delta * np.arange(size, dtype=np.float64)).astype(dtype)


_range_op = defop("range", generic(), cpu=_range_kernel, differentiable=False)
_RANGE_ORDER = ("int32", "int64", "float32", "float64")


def _range_dtype(v):
    if isinstance(v, (list, tuple)):
        raise _invalid("range", "start, limit and delta must be scalars, got %r" % (v,))
    if isinstance(v, (Tensor, np.ndarray, np.generic)):
        return as_dtype(v.dtype).name
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int32" if -2 ** 31 <= v < 2 ** 31 else "int64"
    if isinstance(v, float):
        return "float32"
    raise TypeError("range: arguments must be numbers or scalar tensors, got %r" % (v,))


@api(_range_op, "eager", names=("range",))
def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """[start, start + delta, ...) up to but not including `limit`.

    range(limit) starts at 0. The dtype is int32 for ints, float32 for
    floats, or the widest dtype among tensor arguments (int32 < int64 <
    float32 < float64), unless `dtype` is given.

    >>> range_(1, 7, 2).numpy()
    array([1, 3, 5], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    args = (start, limit, delta)
    if dtype is None:
        best = 0
        for v in args:
            d = _range_dtype(v)
            if d not in _RANGE_ORDER:
                raise TypeError("range: unsupported dtype %s (use int32, int64, float32 or "
                                "float64)" % d)
            best = builtins.max(best, _RANGE_ORDER.index(d))
        dtype = _RANGE_ORDER[best]
    dtype = as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise TypeError("range: unsupported dtype %s" % dtype.name)
    vals = []
    for what, v in zip(("start", "limit", "delta"), args):
        a = np.asarray(v)
        if a.ndim != 0:
            raise _invalid("range", "%s must be a scalar, got shape %s" % (what, a.shape))
        if a.dtype.kind not in "iuf":
            raise TypeError("range: %s must be a number, got %r" % (what, v))
        vals.append(int(a) if dtype.is_integer else float(a))
    s, lim, d = vals
    if d == 0:
        raise _invalid("range", "requires delta != 0")
    if d > 0 and s > lim:
        raise _invalid("range", "requires start <= limit when delta > 0: %s/%s" % (s, lim))
    if d < 0 and s < lim:
        raise _invalid("range", "requires start >= limit when delta < 0: %s/%s" % (s, lim))
    if dtype.is_integer:
        size = -(-(lim - s) // d)
    else:
        if not (np.isfinite(s) and np.isfinite(lim) and np.isfinite(d)):
            raise _invalid("range", "start, limit and delta must be finite")
        size = int(np.ceil((lim - s) / d))
    _check_alloc("range", (size,), dtype)
    return execute(_range_op, (), {"start": s, "limit": lim, "delta": d, "size": size,
                                   "dtype": dtype.np_dtype})


def _linspace_kernel(start, stop, num, axis):
    return np.linspace(start, stop, num, axis=axis).astype(start.dtype)


def _check_linspace(op, tensors, attrs):
    a, b = tensors
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise _invalid("linspace", "start %s and stop %s do not broadcast"
                       % (_desc(a), _desc(b))) from None


_linspace = defop("linspace", generic(FLOATS, MATCH_ALL), cpu=_linspace_kernel,
                  check=_check_linspace, differentiable=False)


@api(_linspace, "eager", names=("linspace", "lin_space"))
def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`, both included.
    start and stop may be tensors (broadcast together); the values run along
    `axis` of the result. Python ints are taken as float32 (no gradient)."""
    if isinstance(start, Tensor):
        st, sp = start, _tensor(stop, start.dtype)
    elif isinstance(stop, Tensor):
        st, sp = convert_to_tensor(start, stop.dtype), stop
    else:
        st = convert_to_tensor(start)
        if not st.dtype.is_floating:
            st = convert_to_tensor(np.asarray(st, dtype=np.float32))
        sp = convert_to_tensor(stop, st.dtype)
    n = _index_scalar(num, "linspace", "num")
    if n <= 0:
        raise _invalid("linspace", "requires num > 0, got %d" % n)
    try:
        rank = len(np.broadcast_shapes(tuple(st.shape), tuple(sp.shape)))
    except ValueError:
        rank = st.ndim
    ax = _axis(axis, rank, "linspace", extra=1)
    _check_alloc("linspace", (n,) + tuple(st.shape), st.dtype)
    return execute(_linspace, (st, sp), {"num": n, "axis": ax})


def _eye_kernel(num_rows, num_columns, batch_shape, dtype):
    m = np.eye(num_rows, num_columns, dtype=dtype)
    if batch_shape:
        m = np.broadcast_to(m, tuple(batch_shape) + m.shape).copy()
    return m


_eye = defop("eye", generic(), cpu=_eye_kernel, differentiable=False)


@api(_eye, "eager", "eager.linalg")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None):
    """An identity matrix of shape [num_rows, num_columns] (square by
    default), repeated over `batch_shape` when given."""
    r = _index_scalar(num_rows, "eye", "num_rows")
    c = r if num_columns is None else _index_scalar(num_columns, "eye", "num_columns")
    b = () if batch_shape is None else _int_list(batch_shape, "eye", "batch_shape")
    dtype = as_dtype(dtype)
    _check_alloc("eye", b + (r, c), dtype)
    return execute(_eye, (), {"num_rows": r, "num_columns": c, "batch_shape": b,
                              "dtype": dtype.np_dtype})


_identity = defop("identity", generic(), cpu=lambda x: x, grad=lambda g, ans, x: (g,))


@api(_identity, "eager")
def identity(input, name=None):
    """A tensor with the same value as `input` (sharing its storage)."""
    return execute(_identity, (input,))


_shape = defop("shape", generic(), cpu=lambda x, out_type: np.array(x.shape, dtype=out_type),
               differentiable=False)
_size = defop("size", generic(), cpu=lambda x, out_type: np.array(x.size, dtype=out_type),
              differentiable=False)
_rank = defop("rank", generic(), cpu=lambda x: np.array(x.ndim, dtype=np.int32),
              differentiable=False)


def _out_type(out_type, op):
    d = as_dtype(out_type)
    if d not in (int32, int64):
        raise TypeError("%s: out_type must be int32 or int64, got %s" % (op, d.name))
    return d.np_dtype


@api(_shape, "eager")
def shape(input, out_type=int32, name=None):
    """The shape of `input` as a 1-D int32 (or `out_type`) tensor."""
    return execute(_shape, (input,), {"out_type": _out_type(out_type, "shape")})


@api(_size, "eager")
def size(input, out_type=int32, name=None):
    """The number of elements of `input` as a scalar int32 (or `out_type`) tensor."""
    return execute(_size, (input,), {"out_type": _out_type(out_type, "size")})


@api(_rank, "eager")
def rank(input, name=None):
    """The number of dimensions of `input` as a scalar int32 tensor."""
    return execute(_rank, (input,))


def _broadcast_copy(x, shape):
    # np.empty + copyto is several times cheaper than np.broadcast_to(...).copy().
    out = np.empty(shape, x.dtype)
    np.copyto(out, x)
    return out


def _broadcast_to_grad(g, ans, x, shape):
    from eager.ops._registry import unbroadcast
    return (unbroadcast(g, tuple(x.shape)),)


_broadcast_to = defop("broadcast_to", generic(),
                      cpu=lambda x, shape: _broadcast_copy(x, shape),
                      grad=_broadcast_to_grad)


@api(_broadcast_to, "eager")
def broadcast_to(input, shape, name=None):
    """`input` broadcast (NumPy rules) to `shape`; the gradient sums back."""
    x = _tensor(input)
    dims = _int_list(shape, "broadcast_to", "shape", scalar_ok=True)
    _check_alloc("broadcast_to", dims, x.dtype)
    xs = tuple(x.shape)
    ok = len(xs) <= len(dims) and all(
        a == b or a == 1 for a, b in zip(xs[::-1], dims[::-1]))
    if not ok:
        raise _invalid("broadcast_to", "cannot broadcast a tensor of shape %s %s to shape %s"
                       % (xs, x.dtype.name, list(dims)))
    if xs == dims:
        return x
    return execute(_broadcast_to, (x,), {"shape": dims})


@api(None, "eager")
def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D tensors: N tensors of shape [len(args[1]),
    len(args[0]), ...] with indexing='xy' (the default) or [len(args[0]), ...]
    with indexing='ij'."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError("meshgrid: unexpected arguments %s" % sorted(kwargs))
    if indexing not in ("xy", "ij"):
        raise ValueError("meshgrid: indexing must be 'xy' or 'ij', got %r" % (indexing,))
    ts = [reshape(_tensor(a), [-1]) for a in args]
    n = len(ts)
    dims = [t.shape[0] for t in ts]
    if indexing == "xy" and n > 1:
        dims[0], dims[1] = dims[1], dims[0]
    out = []
    for i, t in enumerate(ts):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        s = [1] * n
        s[pos] = -1
        out.append(broadcast_to(reshape(t, s), dims))
    return out


# ---- reshaping ------------------------------------------------------------------
_reshape = defop("reshape", generic(), cpu=lambda x, shape: x.reshape(shape),
                 grad=lambda g, ans, x, shape: (reshape(g, tuple(x.shape)),))


@api(_reshape, "eager")
def reshape(tensor, shape, name=None):
    """`tensor` with a new shape of the same number of elements; one
    dimension may be -1 and is inferred. A view: no copy when possible.

    >>> reshape([[1, 2], [3, 4]], [-1]).numpy()
    array([1, 2, 3, 4], dtype=int32)
    """
    x = _tensor(tensor)
    dims = _int_list(shape, "reshape", "shape", scalar_ok=True)
    xs = tuple(x.shape)
    if dims == xs:
        return execute(_reshape, (x,), {"shape": dims})
    n = _prod(xs)
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in dims):
        raise _invalid("reshape", "shape %s may hold one -1 and no other negative size"
                       % (list(dims),))
    known = _prod(d for d in dims if d != -1)
    if unknown:
        if known == 0 or n % known:
            raise _invalid("reshape", "cannot reshape a tensor with %d elements (shape %s %s) "
                           "to shape %s" % (n, xs, x.dtype.name, list(dims)))
        dims = dims[:unknown[0]] + (n // known,) + dims[unknown[0] + 1:]
    elif known != n:
        raise _invalid("reshape", "cannot reshape a tensor with %d elements (shape %s %s) to "
                       "shape %s (%d elements)" % (n, xs, x.dtype.name, list(dims), known))
    return execute(_reshape, (x,), {"shape": dims})


def _transpose_grad(g, ans, x, perm):
    return (transpose(g, [int(i) for i in np.argsort(perm)]),)


_transpose = defop("transpose", generic(), cpu=lambda x, perm: x.transpose(perm),
                   grad=_transpose_grad)


@api(_transpose, "eager")
def transpose(a, perm=None, conjugate=False, name="transpose"):
    """`a` with its dimensions permuted by `perm` (reversed by default), and
    conjugated when `conjugate` is True. A view, no copy."""
    x = _tensor(a)
    nd = x.ndim
    if perm is None:
        p = tuple(_range(nd - 1, -1, -1))
    else:
        p = _int_list(perm, "transpose", "perm")
        if sorted(q % nd if nd and -nd <= q < nd else q for q in p) != list(_range(nd)):
            raise _invalid("transpose", "perm %s is not a permutation of the %d dimensions "
                           "of a tensor of shape %s %s" % (list(p), nd, tuple(x.shape),
                                                           x.dtype.name))
        p = tuple(q % nd for q in p)
    r = execute(_transpose, (x,), {"perm": p})
    if conjugate and x.dtype.is_complex:
        from eager.ops.math import conj
        r = conj(r)
    return r


@api(None, "eager.linalg", names=("matrix_transpose", "transpose"))
@api(None, "eager", names=("matrix_transpose",))
def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """`a` with its last two dimensions swapped (conjugated when `conjugate`)."""
    x = _tensor(a)
    if x.ndim < 2:
        raise _invalid("matrix_transpose", "needs a tensor of rank >= 2, got %s" % _desc(x))
    perm = list(_range(x.ndim - 2)) + [x.ndim - 1, x.ndim - 2]
    return transpose(x, perm, conjugate=conjugate)


_expand_dims = defop("expand_dims", generic(), cpu=lambda x, axis: np.expand_dims(x, axis),
                     grad=lambda g, ans, x, axis: (reshape(g, tuple(x.shape)),))


@api(_expand_dims, "eager")
def expand_dims(input, axis, name=None):
    """`input` with a new dimension of size 1 inserted at `axis`
    (in [-rank - 1, rank]). A view."""
    x = _tensor(input)
    return execute(_expand_dims, (x,), {"axis": _axis(axis, x.ndim, "expand_dims", extra=1)})


_squeeze = defop("squeeze", generic(), cpu=lambda x, axis: np.squeeze(x, axis),
                 grad=lambda g, ans, x, axis: (reshape(g, tuple(x.shape)),))


@api(_squeeze, "eager")
def squeeze(input, axis=None, name=None, squeeze_dims=None):
    """`input` without its dimensions of size 1, or only those in `axis`
    (each must have size 1). A view."""
    x = _tensor(input)
    if axis is None:
        axis = squeeze_dims
    xs = tuple(x.shape)
    if axis is None:
        axes = tuple(i for i, d in enumerate(xs) if d == 1)
    else:
        axes = tuple(sorted({_axis(a, x.ndim, "squeeze")
                             for a in _int_list(axis, "squeeze", "axis", scalar_ok=True)}))
        for a in axes:
            if xs[a] != 1:
                raise _invalid("squeeze", "cannot squeeze axis %d of size %d (shape %s %s)"
                               % (a, xs[a], xs, x.dtype.name))
    return execute(_squeeze, (x,), {"axis": axes})


# ---- joining and splitting --------------------------------------------------------
def _concat_grad(g, ans, *inputs, axis):
    return tuple(split(g, [t.shape[axis] for t in inputs], axis=axis))


_concat = defop("concat", generic(ALL + (string,), MATCH_ALL),
                cpu=lambda *xs, axis: np.concatenate(xs, axis=axis), grad=_concat_grad)


@api(_concat, "eager")
def concat(values, axis, name="concat"):
    """The tensors in `values` joined along `axis`; they must agree on every
    other dimension and have one dtype.

    >>> concat([[1, 2], [3]], 0).numpy()
    array([1, 2, 3], dtype=int32)
    """
    if not isinstance(values, (list, tuple)):
        values = [values]
    ts = _convert_matching(values, "concat")
    if not ts:
        raise _invalid("concat", "needs at least one tensor")
    nd = ts[0].ndim
    if nd == 0:
        raise _invalid("concat", "cannot concatenate scalars (use stack instead)")
    ax = _axis(axis, nd, "concat")
    s0 = tuple(ts[0].shape)
    for t in ts[1:]:
        s = tuple(t.shape)
        if len(s) != nd or any(a != b for i, (a, b) in enumerate(zip(s, s0)) if i != ax):
            raise _invalid("concat", "shapes must agree except on axis %d: %s"
                           % (ax, ", ".join(_desc(u) for u in ts)))
    if len(ts) == 1:
        return identity(ts[0])
    return execute(_concat, tuple(ts), {"axis": ax})


def _stack_grad(g, ans, *inputs, axis):
    return tuple(unstack(g, num=len(inputs), axis=axis))


_stack = defop("stack", generic(ALL + (string,), MATCH_ALL),
               cpu=lambda *xs, axis: np.stack(xs, axis=axis), grad=_stack_grad)


@api(_stack, "eager")
def stack(values, axis=0, name="stack"):
    """The tensors in `values`, all of one shape and dtype, stacked along a
    new dimension `axis`."""
    if isinstance(values, Tensor):
        values = unstack(values)
    ts = _convert_matching(list(values), "stack")
    if not ts:
        raise _invalid("stack", "needs at least one tensor")
    s0 = tuple(ts[0].shape)
    for t in ts[1:]:
        if tuple(t.shape) != s0:
            raise _invalid("stack", "all tensors must have one shape, got %s"
                           % ", ".join(_desc(u) for u in ts))
    ax = _axis(axis, len(s0), "stack", extra=1)
    return execute(_stack, tuple(ts), {"axis": ax})


def _unstack_kernel(x, axis):
    lead = (_slice(None),) * axis
    return tuple(x[lead + (i, Ellipsis)] for i in _range(x.shape[axis]))


def _fill_missing(g, ans):
    return [zeros_like(a) if gi is None else gi for gi, a in zip(g, ans)]


def _unstack_grad(g, ans, x, axis):
    if not ans:
        return (zeros_like(x),)
    return (stack(_fill_missing(g, ans), axis=axis),)


_unstack = defop("unstack", generic(), cpu=_unstack_kernel, grad=_unstack_grad, n_outputs=-1)


@api(_unstack, "eager")
def unstack(value, num=None, axis=0, name="unstack"):
    """The slices of `value` along `axis`, as a list of tensors of one
    lower rank (views, no copies)."""
    x = _tensor(value)
    if x.ndim == 0:
        raise _invalid("unstack", "cannot unstack a scalar (%s)" % _desc(x))
    ax = _axis(axis, x.ndim, "unstack")
    if num is not None and num != x.shape[ax]:
        raise _invalid("unstack", "num=%d does not match dimension %d of shape %s"
                       % (num, ax, tuple(x.shape)))
    return list(execute(_unstack, (x,), {"axis": ax}))


def _split_kernel(x, sizes, axis):
    return tuple(np.split(x, np.cumsum(sizes[:-1]).tolist(), axis=axis))


def _split_grad(g, ans, x, sizes, axis):
    if not ans:
        return (zeros_like(x),)
    return (concat(_fill_missing(g, ans), axis=axis),)


_split = defop("split", generic(), cpu=_split_kernel, grad=_split_grad, n_outputs=-1)


@api(_split, "eager")
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """`value` cut along `axis` into `num_or_size_splits` equal pieces (an
    int), or into pieces of the listed sizes (one may be -1). Returns a list
    of views.

    >>> [t.numpy().tolist() for t in split([1, 2, 3, 4, 5], [2, -1])]
    [[1, 2], [3, 4, 5]]
    """
    x = _tensor(value)
    if x.ndim == 0:
        raise _invalid("split", "cannot split a scalar (%s)" % _desc(x))
    ax = _axis(axis, x.ndim, "split")
    dim = x.shape[ax]
    if isinstance(num_or_size_splits, (int, np.integer)) or (
            isinstance(num_or_size_splits, (Tensor, np.ndarray))
            and np.ndim(num_or_size_splits) == 0):
        n = _index_scalar(num_or_size_splits, "split", "num_or_size_splits")
        if n <= 0 or dim % n:
            raise _invalid("split", "cannot split dimension %d of size %d into %d equal pieces "
                           "(shape %s %s)" % (ax, dim, n, tuple(x.shape), x.dtype.name))
        sizes = (dim // n,) * n
    else:
        sizes = _int_list(num_or_size_splits, "split", "num_or_size_splits")
        unknown = [i for i, s in enumerate(sizes) if s == -1]
        known = sum(s for s in sizes if s != -1)
        if len(unknown) > 1 or any(s < -1 for s in sizes) or not sizes:
            raise _invalid("split", "size_splits %s must be non-negative, with at most one -1"
                           % (list(sizes),))
        if unknown and known <= dim:
            sizes = sizes[:unknown[0]] + (dim - known,) + sizes[unknown[0] + 1:]
        elif unknown or known != dim:
            raise _invalid("split", "size_splits %s do not add up to dimension %d of size %d "
                           "(shape %s)" % (list(sizes), ax, dim, tuple(x.shape)))
    if num is not None and num != len(sizes):
        raise _invalid("split", "num=%d but there are %d pieces" % (num, len(sizes)))
    return list(execute(_split, (x,), {"sizes": sizes, "axis": ax}))


def _tile_grad(g, ans, x, multiples):
    xs = tuple(x.shape)
    if not xs:
        return (g,)
    inter = []
    for m, d in zip(multiples, xs):
        inter += [m, d]
    return (reshape(_reduce_sum(reshape(g, inter), axis=list(_range(0, 2 * len(xs), 2))), xs),)


_tile = defop("tile", generic(), cpu=lambda x, multiples: np.tile(x, multiples),
              grad=_tile_grad)


@api(_tile, "eager")
def tile(input, multiples, name=None):
    """`input` repeated multiples[i] times along each dimension i; the
    gradient sums the copies."""
    x = _tensor(input)
    m = _int_list(multiples, "tile", "multiples")
    xs = tuple(x.shape)
    if len(m) != len(xs):
        raise _invalid("tile", "multiples %s must have one entry per dimension of the input "
                       "(shape %s %s)" % (list(m), xs, x.dtype.name))
    if any(v < 0 for v in m):
        raise _invalid("tile", "multiples %s must be non-negative" % (list(m),))
    _check_alloc("tile", tuple(a * b for a, b in zip(m, xs)), x.dtype)
    return execute(_tile, (x,), {"multiples": m})


# ---- padding ---------------------------------------------------------------------
def _pad_kernel(x, paddings, mode, constant_values):
    if x.ndim == 0:
        return x.copy()
    if mode == "CONSTANT":
        return np.pad(x, paddings, mode="constant", constant_values=constant_values)
    return np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


def _pad_grad(g, ans, x, paddings, mode, constant_values):
    if mode == "CONSTANT":
        return (slice_(g, [p[0] for p in paddings], list(x.shape)),)
    return (execute(_mirror_pad_grad, (g,), {"paddings": paddings, "mode": mode}),)


_pad = defop("pad", generic(), cpu=_pad_kernel, grad=_pad_grad)


def _mirror_pad_grad_kernel(g, paddings, mode):
    off = 0 if mode == "SYMMETRIC" else 1
    out = g
    for axis, (before, after) in enumerate(paddings):
        if before == 0 and after == 0:
            continue
        n = out.shape[axis] - before - after
        i = np.arange(out.shape[axis]) - before
        src = np.where(i < 0, -i - 1 + off, np.where(i >= n, 2 * n - 1 - i - off, i))
        res = np.zeros(out.shape[:axis] + (n,) + out.shape[axis + 1:], g.dtype)
        np.add.at(res, (_slice(None),) * axis + (src,), out)
        out = res
    return out


# The adjoint of mirror padding: folds the padded border back onto the
# elements it copies. Its own gradient is the mirror pad again.
_mirror_pad_grad = defop(
    "mirror_pad_grad", generic(NUMERIC), cpu=_mirror_pad_grad_kernel, internal=True,
    grad=lambda g, ans, x, paddings, mode: (pad(g, paddings, mode),))


@api(_pad, "eager")
def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """`tensor` padded with paddings[i] = [before, after] elements on each
    side of dimension i. mode: "CONSTANT" (fills with `constant_values`),
    "REFLECT" (mirrors without the edge; pads < dim) or "SYMMETRIC" (mirrors
    with the edge; pads <= dim). All modes are differentiable."""
    x = _tensor(tensor)
    xs = tuple(x.shape)
    m = str(mode).upper()
    if m not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise _invalid("pad", "mode must be CONSTANT, REFLECT or SYMMETRIC, got %r" % (mode,))
    p = np.asarray(paddings)
    if p.size == 0 and len(xs) == 0:
        p = np.zeros((0, 2), np.int64)
    if p.dtype.kind not in "iu":
        raise TypeError("pad: paddings must be integers, got %r" % (paddings,))
    if p.shape != (len(xs), 2):
        raise _invalid("pad", "paddings must have shape [%d, 2] for an input of shape %s, got "
                       "shape %s" % (len(xs), xs, p.shape))
    p = tuple((int(a), int(b)) for a, b in p)
    for d, (a, b) in zip(xs, p):
        if a < 0 or b < 0:
            raise _invalid("pad", "paddings must be non-negative, got %s" % (list(p),))
        if m == "REFLECT" and (a >= d or b >= d) and (a or b):
            raise _invalid("pad", "REFLECT paddings must be less than the dimension: "
                           "paddings %s for shape %s" % (list(p), xs))
        if m == "SYMMETRIC" and (a > d or b > d):
            raise _invalid("pad", "SYMMETRIC paddings must be at most the dimension: "
                           "paddings %s for shape %s" % (list(p), xs))
    _check_alloc("pad", tuple(d + a + b for d, (a, b) in zip(xs, p)), x.dtype)
    cv = None
    if m == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 \
                and not isinstance(constant_values, (str, bytes)) and constant_values == 0:
            # The default 0 pads with the dtype's zero (False, 0, 0.0, b"").
            cv = np.asarray(b"" if x.dtype == string else 0).astype(x.dtype.np_dtype)
        else:
            cv = np.asarray(_tensor(constant_values, x.dtype))
    if cv is not None and (cv.ndim != 0 or cv.dtype != x.dtype.np_dtype):
        raise _invalid("pad", "constant_values must be a scalar of dtype %s, got %s %s"
                       % (x.dtype.name, cv.shape, cv.dtype))
    return execute(_pad, (x,), {"paddings": p, "mode": m, "constant_values": cv})


# ---- slicing ---------------------------------------------------------------------
def _slice_grad(g, ans, x, begin, size):
    return (pad(g, [(b, d - b - s) for b, s, d in zip(begin, size, x.shape)]),)


def _slice_kernel(x, begin, size):
    return x[tuple(_slice(b, b + s) for b, s in zip(begin, size))]


_slice_op = defop("slice", generic(), cpu=_slice_kernel, grad=_slice_grad)


@api(_slice_op, "eager", names=("slice",))
def slice_(input_, begin, size, name=None):
    """The block of `input_` starting at `begin` with `size` (-1: to the end
    of that dimension). A view.

    >>> slice_([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1]).numpy().tolist()
    [[2, 3], [5, 6]]
    """
    x = _tensor(input_)
    xs = tuple(x.shape)
    b = _int_list(begin, "slice", "begin")
    s = _int_list(size, "slice", "size")
    if len(b) != len(xs) or len(s) != len(xs):
        raise _invalid("slice", "begin %s and size %s must have one entry per dimension of "
                       "shape %s" % (list(b), list(s), xs))
    s = tuple(d - bi if si == -1 else si for si, bi, d in zip(s, b, xs))
    for i, (bi, si, d) in enumerate(zip(b, s, xs)):
        if not 0 <= bi <= d or si < 0 or bi + si > d:
            raise _out_of_range("slice", "begin %s, size %s are out of range for dimension %d of "
                                "shape %s %s" % (list(b), list(s), i, xs, x.dtype.name))
    return execute(_slice_op, (x,), {"begin": b, "size": s})


@api(None, "eager")
def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Python slicing spelled out: for each i, input_[begin[i]:end[i]:strides[i]],
    where bit i of begin_mask/end_mask drops begin[i]/end[i], of ellipsis_mask
    puts `...`, of new_axis_mask a new dimension, and of shrink_axis_mask the
    single index begin[i]. Same as x[...] (Tensor.__getitem__)."""
    b = _int_list(begin, "strided_slice", "begin")
    e = _int_list(end, "strided_slice", "end")
    st = (1,) * len(b) if strides is None else _int_list(strides, "strided_slice", "strides")
    if not len(b) == len(e) == len(st):
        raise _invalid("strided_slice", "begin %s, end %s and strides %s must have one length"
                       % (list(b), list(e), list(st)))
    key = []
    for i in _range(len(b)):
        if (ellipsis_mask >> i) & 1:
            key.append(Ellipsis)
        elif (new_axis_mask >> i) & 1:
            key.append(None)
        elif (shrink_axis_mask >> i) & 1:
            key.append(b[i])
        else:
            key.append(_slice(None if (begin_mask >> i) & 1 else b[i],
                              None if (end_mask >> i) & 1 else e[i], st[i]))
    return _getitem_impl(_tensor(input_), tuple(key), "strided_slice")


_reverse = defop("reverse", generic(), cpu=lambda x, axis: np.flip(x, axis) if axis else x,
                 grad=lambda g, ans, x, axis: (reverse(g, list(axis)),))


@api(_reverse, "eager", names=("reverse", "reverse_v2"))
def reverse(tensor, axis, name=None):
    """`tensor` with the order of elements reversed along each dimension in
    `axis` (a list of ints). A view."""
    x = _tensor(tensor)
    axes = tuple(_axis(a, x.ndim, "reverse")
                 for a in _int_list(axis, "reverse", "axis", scalar_ok=True))
    if len(set(axes)) != len(axes):
        raise _invalid("reverse", "axis %s lists a dimension twice" % (list(axes),))
    return execute(_reverse, (x,), {"axis": axes})


# ---- gather and scatter ---------------------------------------------------------
def _check_indices(idx, op):
    if not idx.dtype.is_integer:
        raise TypeError("%s: indices must be int32 or int64, got %s" % (op, _desc(idx)))


def _gather_kernel(params, indices, axis, batch_dims):
    dim = params.shape[axis]
    if indices.size and (indices.min() < 0 or indices.max() >= dim):
        bad = indices[(indices < 0) | (indices >= dim)].flat[0]
        raise _out_of_range("gather", "index %d is not in [0, %d) (params %s %s, axis %d)"
                            % (bad, dim, params.shape, params.dtype, axis))
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    lead = params.shape[:batch_dims]
    nb = _prod(lead)
    p = params.reshape((nb,) + params.shape[batch_dims:])
    ix = indices.reshape((nb,) + indices.shape[batch_dims:])
    a = axis - batch_dims
    inner = params.shape[batch_dims:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]
    out = np.empty((nb,) + inner, params.dtype)
    for b in _range(nb):
        out[b] = np.take(p[b], ix[b], axis=a)
    return out.reshape(lead + inner)


def _gather_grad(g, ans, params, indices, axis, batch_dims):
    return (execute(_gather_grad_op, (g, indices),
                    {"shape": tuple(params.shape), "axis": axis, "batch_dims": batch_dims}),
            None)


_gather = defop("gather", generic(ANY), cpu=_gather_kernel, grad=_gather_grad)


def _gather_grad_kernel(g, indices, shape, axis, batch_dims):
    out = np.zeros(shape, g.dtype)
    if batch_dims == 0:
        np.add.at(out, (_slice(None),) * axis + (indices,), g)
        return out
    nb = _prod(shape[:batch_dims])
    o = out.reshape((nb,) + tuple(shape[batch_dims:]))
    gb = g.reshape((nb,) + g.shape[batch_dims:])
    ib = indices.reshape((nb,) + indices.shape[batch_dims:])
    lead = (_slice(None),) * (axis - batch_dims)
    for b in _range(nb):
        np.add.at(o[b], lead + (ib[b],), gb[b])
    return out


# gather's adjoint: zeros of params' shape with g added at the gathered
# places (repeated indices add up). Its gradient is gather again.
_gather_grad_op = defop(
    "gather_grad", generic(NUMERIC), cpu=_gather_grad_kernel, internal=True,
    grad=lambda g, ans, x, indices, shape, axis, batch_dims:
        (gather(g, indices, axis=axis, batch_dims=batch_dims), None))


@api(_gather, "eager")
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Slices of `params` along `axis` (default: batch_dims) at `indices`
    (int32/int64, each in [0, params.shape[axis]); others raise
    IndexOutOfRangeError). The first `batch_dims` dimensions of params and
    indices are batch dimensions that must match.

    >>> gather([10, 20, 30], [2, 0]).numpy()
    array([30, 10], dtype=int32)
    """
    p = _tensor(params)
    idx = _tensor(indices)
    _check_indices(idx, "gather")
    bd = _index_scalar(batch_dims, "gather", "batch_dims")
    if bd < 0:
        bd += idx.ndim
    if not 0 <= bd <= idx.ndim:
        raise _invalid("gather", "batch_dims=%d is out of range for indices %s"
                       % (batch_dims, _desc(idx)))
    if p.ndim == 0:
        raise _invalid("gather", "params must have rank >= 1, got %s" % _desc(p))
    ax = bd if axis is None else _axis(axis, p.ndim, "gather")
    if ax < bd:
        raise _invalid("gather", "batch_dims=%d must be <= axis=%d" % (bd, ax))
    if tuple(p.shape[:bd]) != tuple(idx.shape[:bd]):
        raise _invalid("gather", "the first %d dimensions of params %s and indices %s must match"
                       % (bd, _desc(p), _desc(idx)))
    return execute(_gather, (p, idx), {"axis": ax, "batch_dims": bd})


def _gather_nd_kernel(params, indices):
    k = indices.shape[-1]
    lead = indices.shape[:-1]
    if k == 0:
        return np.broadcast_to(params, lead + params.shape).copy()
    cols = tuple(np.moveaxis(indices, -1, 0))
    for j, c in enumerate(cols):
        if c.size and (c.min() < 0 or c.max() >= params.shape[j]):
            pos = np.argwhere((c < 0) | (c >= params.shape[j]))[0]
            raise _out_of_range("gather_nd", "indices%s = %s does not index into params of "
                                "shape %s %s" % (list(pos), indices[tuple(pos)].tolist(),
                                                 params.shape, params.dtype))
    return params[cols]


def _gather_nd_grad(g, ans, params, indices):
    return (scatter_nd(indices, g, tuple(params.shape)), None)


_gather_nd = defop("gather_nd", generic(ANY), cpu=_gather_nd_kernel, grad=_gather_nd_grad)


@api(_gather_nd, "eager")
def gather_nd(params, indices, batch_dims=0, name=None):
    """Elements or slices of `params` at the index vectors in the last
    dimension of `indices`: out[i...] = params[indices[i...]], of shape
    indices.shape[:-1] + params.shape[indices.shape[-1]:]. With batch_dims,
    the leading dimensions of both are batch dimensions."""
    p = _tensor(params)
    idx = _tensor(indices)
    _check_indices(idx, "gather_nd")
    if idx.ndim == 0:
        raise _invalid("gather_nd", "indices must have rank >= 1, got %s" % _desc(idx))
    bd = _index_scalar(batch_dims, "gather_nd", "batch_dims")
    if not 0 <= bd < idx.ndim or bd > p.ndim or tuple(p.shape[:bd]) != tuple(idx.shape[:bd]):
        raise _invalid("gather_nd", "batch_dims=%d does not fit params %s and indices %s"
                       % (bd, _desc(p), _desc(idx)))
    if idx.shape[-1] + bd > p.ndim:
        raise _invalid("gather_nd", "index vectors of length %d are too long for params %s"
                       % (idx.shape[-1], _desc(p)))
    if bd:
        # The batch coordinates become the first entries of each index
        # vector, so one unbatched gather (and its gradient) does the work.
        iv = np.asarray(idx).astype(np.int64)
        grids = np.indices(iv.shape[:-1], dtype=np.int64)[:bd]
        idx = convert_to_tensor(np.concatenate([np.moveaxis(grids, 0, -1), iv], axis=-1))
    return execute(_gather_nd, (p, idx))


def _scatter_nd_kernel(indices, updates, shape):
    out = np.zeros(shape, updates.dtype)
    k = indices.shape[-1]
    if k == 0:
        out += updates.reshape((-1,) + tuple(shape)).sum(axis=0, dtype=updates.dtype)
        return out
    cols = tuple(np.moveaxis(indices, -1, 0))
    for j, c in enumerate(cols):
        if c.size and (c.min() < 0 or c.max() >= shape[j]):
            pos = np.argwhere((c < 0) | (c >= shape[j]))[0]
            raise _out_of_range("scatter_nd", "indices%s = %s does not index into shape %s"
                                % (list(pos), indices[tuple(pos)].tolist(), list(shape)))
    np.add.at(out, cols, updates)
    return out


_scatter_nd = defop("scatter_nd", generic(), cpu=_scatter_nd_kernel,
                    grad=lambda g, ans, indices, updates, shape: (None, gather_nd(g, indices)))


@api(_scatter_nd, "eager")
def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with updates[i...] added at the index vectors
    indices[i...] (repeated indices add up): the inverse of gather_nd."""
    idx = _tensor(indices)
    _check_indices(idx, "scatter_nd")
    u = _tensor(updates)
    if u.dtype not in NUMERIC:
        raise _invalid("scatter_nd", "updates must be numeric, got %s" % _desc(u))
    dims = _int_list(shape, "scatter_nd", "shape")
    _check_alloc("scatter_nd", dims, u.dtype)
    if idx.ndim == 0 or idx.shape[-1] > len(dims):
        raise _invalid("scatter_nd", "indices %s do not fit output shape %s"
                       % (_desc(idx), list(dims)))
    want = tuple(idx.shape[:-1]) + dims[idx.shape[-1]:]
    if tuple(u.shape) != want:
        raise _invalid("scatter_nd", "updates must have shape %s for indices %s and shape %s, "
                       "got %s" % (want, _desc(idx), list(dims), _desc(u)))
    return execute(_scatter_nd, (idx, u), {"shape": dims})


@api(None, "eager")
def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The elements (or slices) of `tensor` where the bool `mask` is True:
    mask's shape must equal tensor.shape[axis:axis + mask.ndim] (axis 0 by
    default); those dimensions become one.

    >>> boolean_mask([1, 2, 3], [True, False, True]).numpy()
    array([1, 3], dtype=int32)
    """
    t = _tensor(tensor)
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError("boolean_mask: mask must be bool, got dtype %s" % m.dtype)
    if m.ndim == 0:
        raise _invalid("boolean_mask", "mask cannot be a scalar")
    ax = 0 if axis is None else _axis(axis, t.ndim, "boolean_mask")
    ts = tuple(t.shape)
    if ts[ax:ax + m.ndim] != m.shape:
        raise _invalid("boolean_mask", "mask of shape %s does not match dimensions %d..%d of "
                       "tensor %s" % (m.shape, ax, ax + m.ndim - 1, _desc(t)))
    flat = reshape(t, ts[:ax] + (m.size,) + ts[ax + m.ndim:])
    return gather(flat, np.flatnonzero(m).astype(np.int64), axis=ax)


def _one_hot_kernel(indices, depth, on_value, off_value, axis, dtype):
    hit = indices[..., None] == np.arange(depth)
    out = np.where(hit, on_value, off_value).astype(dtype)
    if axis != -1 and axis != indices.ndim:
        out = np.ascontiguousarray(np.moveaxis(out, -1, axis))
    return out


_one_hot = defop("one_hot", generic((uint8, int32, int64)), cpu=_one_hot_kernel,
                 differentiable=False)


@api(_one_hot, "eager")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length `depth` along a new dimension `axis` (last
    by default): on_value (1) where the position equals the index, off_value
    (0) elsewhere; indices outside [0, depth) give all off_value. The dtype
    is `dtype`, else that of on_value/off_value, else float32."""
    idx = _tensor(indices)
    d = _index_scalar(depth, "one_hot", "depth")
    if d < 0:
        raise _invalid("one_hot", "depth must be non-negative, got %d" % d)
    given = [v for v in (on_value, off_value) if v is not None]
    if dtype is None:
        dtype = next((v.dtype for v in given if isinstance(v, (Tensor, np.ndarray))), None)
        if dtype is None and given:
            dtype = convert_to_tensor(given[0]).dtype
    dtype = as_dtype(float32 if dtype is None else dtype)
    vals = []
    for v, default in ((on_value, 1), (off_value, 0)):
        if v is None:
            if dtype == string:
                raise _invalid("one_hot", "give on_value and off_value for dtype string")
            v = default
        if isinstance(v, Tensor) and v.dtype != dtype:
            raise TypeError("one_hot: on_value and off_value must have dtype %s, got %s"
                            % (dtype.name, _desc(v)))
        a = np.asarray(convert_to_tensor(v, dtype))
        if a.ndim != 0:
            raise _invalid("one_hot", "on_value and off_value must be scalars, got shape %s"
                           % (a.shape,))
        vals.append(a)
    ax = -1 if axis is None else _index_scalar(axis, "one_hot", "axis")
    if not -1 <= ax <= idx.ndim:
        raise _invalid("one_hot", "axis %d must be -1 or in [0, %d]" % (ax, idx.ndim))
    _check_alloc("one_hot", tuple(idx.shape) + (d,), dtype)
    return execute(_one_hot, (idx,), {"depth": d, "on_value": vals[0], "off_value": vals[1],
                                      "axis": ax, "dtype": dtype.np_dtype})


_where_indices_op = defop("where_indices", generic(ALL),
                          cpu=lambda x: np.argwhere(x).astype(np.int64), differentiable=False)


@api(_where_indices_op)
def _where_indices(condition):
    """The coordinates of the true (non-zero) elements of `condition`, as an
    int64 tensor of shape [n, rank] in row-major order (eager.where(x))."""
    return execute(_where_indices_op, (condition,))


# ---- Tensor.__getitem__ ----------------------------------------------------------
_INDEX_TYPES = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                "integer or boolean tensors are valid indices")


def _key_item(k, op):
    """One index entry in a canonical form: int, slice of ints, None,
    Ellipsis, ('mask', bool array) or an int array."""
    if k is None or k is Ellipsis:
        return k
    tk = type(k)
    if tk is int:
        return k
    if tk is _slice:
        parts = []
        for v in (k.start, k.stop, k.step):
            if v is None or type(v) is int:
                parts.append(v)
            else:
                parts.append(_index_scalar(v, op, "a slice bound"))
        if parts[2] == 0:
            raise _invalid(op, "slice step cannot be zero")
        return _slice(*parts)
    if isinstance(k, (bool, np.bool_)):
        raise TypeError("%s: %s, got %r" % (op, _INDEX_TYPES, k))
    if isinstance(k, np.integer):
        return int(k)
    if isinstance(k, (Tensor, np.ndarray, list, tuple)):
        arr = np.asarray(k)
        if arr.dtype == np.bool_ and arr.ndim:
            return ("mask", arr)
        if arr.dtype.kind in "iu":
            return int(arr) if arr.ndim == 0 else arr
        if arr.size == 0 and isinstance(k, (list, tuple)):
            return arr.astype(np.intp)
        raise TypeError("%s: %s, got an index of dtype %s" % (op, _INDEX_TYPES, arr.dtype))
    try:
        return operator.index(k)
    except TypeError:
        raise TypeError("%s: %s, got %r" % (op, _INDEX_TYPES, k)) from None


def _normalize_key(x, key, op):
    """Checks an index against x's shape; returns (key, advanced) where key
    holds ints (non-negative), slices, None and int arrays only."""
    xs = tuple(x.shape)
    items = [_key_item(k, op) for k in (key if type(key) is tuple else (key,))]
    used = 0
    n_ellipsis = 0
    for k in items:
        if k is Ellipsis:
            n_ellipsis += 1
        elif type(k) is tuple:
            used += k[1].ndim
        elif k is not None:
            used += 1
    if n_ellipsis > 1:
        raise _invalid(op, "an index can have only one ellipsis (`...`)")
    if used > len(xs):
        raise _out_of_range(op, "too many indices for a tensor of shape %s %s: %d dimensions "
                            "indexed" % (xs, x.dtype.name, used))
    out = []
    advanced = False
    axis = 0
    for k in items:
        if k is None:
            out.append(None)
        elif k is Ellipsis:
            out.extend([_slice(None)] * (len(xs) - used))
            axis += len(xs) - used
        elif type(k) is int:
            d = xs[axis]
            if not -d <= k < d:
                raise _out_of_range(op, "index %d is out of range for axis %d of size %d "
                                    "(tensor shape %s %s)" % (k, axis, d, xs, x.dtype.name))
            out.append(k + d if k < 0 else k)
            axis += 1
        elif type(k) is _slice:
            out.append(k)
            axis += 1
        elif type(k) is tuple:
            m = k[1]
            if m.shape != xs[axis:axis + m.ndim]:
                raise _out_of_range(op, "boolean mask of shape %s does not match dimensions "
                                    "%s of tensor shape %s %s"
                                    % (m.shape, xs[axis:axis + m.ndim], xs, x.dtype.name))
            out.extend(np.nonzero(m))
            axis += m.ndim
            advanced = True
        else:
            d = xs[axis]
            if k.size and (k.min() < -d or k.max() >= d):
                bad = k[(k < -d) | (k >= d)].flat[0]
                raise _out_of_range(op, "index %d is out of range for axis %d of size %d "
                                    "(tensor shape %s %s)" % (bad, axis, d, xs, x.dtype.name))
            out.append(np.where(k < 0, k + d, k).astype(np.intp))
            axis += 1
            advanced = True
    if not advanced:
        # A trailing ellipsis keeps an all-int index a 0-d view, not a NumPy scalar.
        out.append(Ellipsis)
    return tuple(out), advanced


def _getitem_kernel(x, key):
    return x[key]


def _getitem_grad(g, ans, x, key):
    return (execute(_getitem_grad_op, (g,), {"key": key, "shape": tuple(x.shape)}),)


_getitem = defop("getitem", generic(), cpu=_getitem_kernel, grad=_getitem_grad)


def _getitem_grad_kernel(g, key, shape):
    out = np.zeros(shape, g.dtype)
    if any(type(k) is np.ndarray for k in key):
        np.add.at(out, key, g)
    else:
        out[key] = g
    return out


# getitem's adjoint: zeros of x's shape with g placed (added, for repeated
# indices) where getitem read. Its gradient is getitem with the same key.
_getitem_grad_op = defop(
    "getitem_grad", generic(NUMERIC), cpu=_getitem_grad_kernel, internal=True,
    grad=lambda g, ans, x, key, shape: (execute(_getitem, (g,), {"key": key}),))


def _getitem_impl(x, key, op):
    k, _ = _normalize_key(x, key, op)
    return execute(_getitem, (x,), {"key": k})


@api(_getitem)
def getitem(x, key):
    """x[key] (Tensor.__getitem__), with NumPy's indexing: ints (negative
    count from the end), slices with steps, `...`, None (tf.newaxis), bool
    masks and integer arrays or tensors (advanced indexing). Out-of-range
    ints raise IndexOutOfRangeError. Basic indexing returns a view.

    >>> getitem(constant([[1, 2, 3], [4, 5, 6]]), (Ellipsis, -1)).numpy()
    array([3, 6], dtype=int32)
    """
    if type(key) is int and type(x) is Tensor:
        # The common x[i]: checked here without building the general key.
        dims = x.shape
        if dims and -dims[0] <= key < dims[0]:
            return execute(_getitem, (x,), {"key": (key + dims[0] if key < 0 else key, Ellipsis)})
    return _getitem_impl(_tensor(x), key, "getitem")
