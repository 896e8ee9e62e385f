"""Indexing ops: slicing (slice, strided_slice), gather, gather_nd,
scatter_nd, boolean_mask, one_hot, where's coordinates and
Tensor.__getitem__, with their gradients (each gather's adjoint is a
scatter-add, and the other way round). Basic indexing returns NumPy views:
tensors are immutable, so sharing storage is safe."""
import builtins
import operator

import numpy as np

from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, ALL, ANY, NUMERIC, int32, int64,
                                 uint8, float32, string)
from eager.ops._argcheck import (_invalid, _out_of_range, _desc, _tensor, _prod, _int_list,
                                 _index_scalar, _axis, _check_alloc)
from eager.ops.array import reshape, pad, constant  # noqa: F401  (constant: docstring examples)

# The module defines TensorFlow's `slice` as slice_ (exported under TF's
# name) so that the builtin stays usable here.
_range = builtins.range
_slice = builtins.slice


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
