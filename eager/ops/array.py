"""Shape and array ops: creation (constant, zeros, range, eye ...), reshaping
(reshape, transpose, concat, split, pad ...) and their gradients. Indexing
(gather, slicing, Tensor.__getitem__) is in eager/ops/indexing.py. Kernels
return NumPy views where they can: tensors are immutable, so sharing storage
is safe."""
import builtins

import numpy as np

from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, MATCH_ALL, ALL, ANY, NUMERIC,
                                 FLOATS, int32, int64, float32, string)
from eager.ops._argcheck import (_invalid, _desc, _tensor, _prod, _int_list, _index_scalar,
                                 _axis, _check_alloc, _convert_matching)

# The module defines TensorFlow's `range` and `slice` as range_ and slice_
# (exported under TF's names) so that the builtins stay usable here.
_range = builtins.range
_slice = builtins.slice


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
        from eager.ops.indexing import slice_
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


# ---- reversing -------------------------------------------------------------------
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
