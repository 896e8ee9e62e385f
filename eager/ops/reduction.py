"""Reductions (reduce_sum, reduce_mean, reduce_max ..., reduce_logsumexp,
reduce_variance), arg-reductions, scans (cumsum, cumprod), top_k and
count_nonzero, with TensorFlow's dtype rules and their gradients."""
import collections

import numpy as np

from eager import errors
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, reduction, generic, NUMERIC, REAL,
                                 FLOATS, bool_, int32, int64)


# ---- helpers -----------------------------------------------------------------
from eager.ops._argcheck import _desc, _invalid, _tensor as _t  # noqa: E402


def _int_value(v, op, what):
    """A Python int from an int, NumPy integer or integer scalar tensor."""
    if isinstance(v, Tensor):
        if v.ndim != 0 or not v.dtype.is_integer:
            raise TypeError("%s: %s must be an integer scalar, got a tensor %s"
                            % (op, what, _desc(v)))
        return int(v.numpy())
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu":
            return int(v)
        raise TypeError("%s: %s must be an integer, got %r" % (op, what, v))
    return int(v)


def _axes(op, axis, x):
    """None (all axes) or a sorted tuple of distinct non-negative axes of x,
    from an int, a list or tuple, an array or an integer tensor."""
    if axis is None:
        return None
    nd = x.ndim
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        items = (int(axis),)
    else:
        if isinstance(axis, Tensor):
            if not axis.dtype.is_integer:
                raise TypeError("%s: axis must be an integer tensor, got %s" % (op, _desc(axis)))
            axis = np.asarray(axis.numpy())
        if isinstance(axis, np.ndarray):
            if axis.dtype.kind not in "iu":
                raise TypeError("%s: axis must hold integers, got dtype %s" % (op, axis.dtype))
            items = tuple(int(a) for a in axis.reshape(-1))
        elif isinstance(axis, (list, tuple)):
            items = tuple(_int_value(a, op, "axis") for a in axis)
        else:
            raise TypeError("%s: axis must be an int, a list of ints or an integer tensor, "
                            "got %r" % (op, axis))
    out = []
    for a in items:
        if not -nd <= a < nd:
            raise _invalid(op, "Invalid reduction dimension %d for input with %d dimension(s); "
                           "input is %s" % (a, nd, _desc(x)))
        a %= nd
        if a in out:
            raise _invalid(op, "axis %s names dimension %d twice; input is %s"
                           % (list(items), a, _desc(x)))
        out.append(a)
    return tuple(sorted(out))


def _one_axis(op, axis, x):
    a = _int_value(axis, op, "axis")
    nd = x.ndim
    if not -nd <= a < nd:
        raise _invalid(op, "axis %d is out of range for input with %d dimension(s); input is %s"
                       % (a, nd, _desc(x)))
    return a % nd


def _reduced_count(shape, axis):
    n = 1
    for i, d in enumerate(shape):
        if axis is None or i in axis:
            n *= d
    return n


def _kept_shape(shape, axis):
    """The shape with the reduced axes as 1 (what keepdims=True gives)."""
    return [1 if axis is None or i in axis else d for i, d in enumerate(shape)]


def _expand_back(g, x, axis, keepdims):
    """g (a reduction's output or gradient) broadcast back to x's shape."""
    from eager.ops import array as A
    if not keepdims and g.ndim:
        g = A.reshape(g, _kept_shape(tuple(x.shape), axis))
    return A.broadcast_to(g, tuple(x.shape))


def _acc_dtype(x):
    # float16 adds up in float32, as TensorFlow's reductions do.
    return np.float32 if x.dtype == np.float16 else x.dtype


def _reduce_attrs(op, x, axis, keepdims):
    return {"axis": _axes(op, axis, x), "keepdims": bool(keepdims)}


# ---- sums and means ------------------------------------------------------------
from eager._ext.reduce_kernels import fast_sum as _fast_sum  # noqa: E402

# The kernels call ufunc.reduce directly: np.sum / np.mean add microseconds
# of Python-level dispatch that a small tensor's reduction does not need.
def _sum_kernel(x, axis=None, keepdims=False):
    r = _fast_sum(x, axis, keepdims, False)   # float32/64, all or last axis
    if r is not None:
        return r
    if x.dtype == np.float16:
        return np.asarray(np.add.reduce(x, axis, np.float32, keepdims=keepdims)).astype(x.dtype)
    return np.add.reduce(x, axis, x.dtype, keepdims=keepdims)


_reduce_sum = defop("reduce_sum", reduction(NUMERIC), cpu=_sum_kernel, cuda="sum",
                    grad=lambda g, ans, x, axis=None, keepdims=False:
                    (_expand_back(g, x, axis, keepdims),))


@api(_reduce_sum, "eager", "eager.math")
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """The sum of `input_tensor`'s elements along `axis` (an int, a list of
    ints, or None for all), keeping the reduced dimensions as 1 when
    `keepdims`. The dtype stays the input's (int32 sums wrap); bool is not
    allowed. The sum of no elements is 0.

    >>> reduce_sum([[1, 2], [3, 4]], axis=0).numpy()
    array([4, 6], dtype=int32)
    """
    x = _t(input_tensor)
    return execute(_reduce_sum, (x,), _reduce_attrs("reduce_sum", x, axis, keepdims))


def _mean_kernel(x, axis=None, keepdims=False):
    r = _fast_sum(x, axis, keepdims, True)
    if r is not None:
        return r
    n = _reduced_count(x.shape, axis)
    k = x.dtype.kind
    if k in "iu":
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64 if k == "i" else np.uint64)
        s = np.asarray(s)
        if n == 0:
            return np.zeros(s.shape, x.dtype)
        if k == "i":
            # Integer means truncate toward zero, as TensorFlow's do.
            q = np.where(s < 0, -((-s) // n), s // n)
        else:
            q = s // n
        return q.astype(x.dtype)
    if n == 0:
        shape = np.sum(np.zeros(x.shape, np.int8), axis=axis, keepdims=keepdims).shape
        return np.full(shape, np.nan, x.dtype)
    r = np.add.reduce(x, axis, _acc_dtype(x), keepdims=keepdims) / n
    return np.asarray(r).astype(x.dtype, copy=False)


def _mean_grad(g, ans, x, axis=None, keepdims=False):
    n = _reduced_count(tuple(x.shape), axis)
    # Scale the small gradient before it is broadcast to x's shape.
    return (_expand_back(g * (1.0 / max(n, 1)), x, axis, keepdims),)


_reduce_mean = defop("reduce_mean", reduction(NUMERIC), cpu=_mean_kernel, cuda="mean",
                     grad=_mean_grad)


@api(_reduce_mean, "eager", "eager.math")
def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """The mean of `input_tensor`'s elements along `axis` (None: all). An
    integer input gives an integer mean, truncated toward zero as in
    TensorFlow; the mean of no elements is NaN (0 for integers).

    >>> int(reduce_mean([1, 2]))
    1
    """
    x = _t(input_tensor)
    return execute(_reduce_mean, (x,), _reduce_attrs("reduce_mean", x, axis, keepdims))


def _prod_kernel(x, axis=None, keepdims=False):
    r = np.multiply.reduce(x, axis, _acc_dtype(x), keepdims=keepdims)
    return np.asarray(r).astype(x.dtype, copy=False)


def _prod_grad(g, ans, x, axis=None, keepdims=False):
    # The product of all the other elements of each reduced group, from an
    # exclusive cumulative product from each side: exact with zeros too.
    from eager.ops import array as A
    from eager.ops.math import conj_if_complex
    shape = tuple(x.shape)
    nd = len(shape)
    red = tuple(range(nd)) if axis is None else axis
    keep = [i for i in range(nd) if i not in red]
    perm = list(red) + keep
    xt = A.transpose(x, perm) if perm != list(range(nd)) else x
    rn = _reduced_count(shape, red)
    other = _reduced_count(shape, tuple(keep))
    flat = A.reshape(xt, [rn, other])
    left = cumprod(flat, axis=0, exclusive=True)
    right = cumprod(flat, axis=0, exclusive=True, reverse=True)
    others = A.reshape(left * right, [shape[i] for i in perm])
    if perm != list(range(nd)):
        others = A.transpose(others, [int(i) for i in np.argsort(perm)])
    return (_expand_back(g, x, axis, keepdims) * conj_if_complex(others),)


_reduce_prod = defop("reduce_prod", reduction(NUMERIC), cpu=_prod_kernel, cuda="prod",
                     grad=_prod_grad)


@api(_reduce_prod, "eager", "eager.math")
def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """The product of `input_tensor`'s elements along `axis` (None: all);
    the product of no elements is 1. The gradient is exact with zeros."""
    x = _t(input_tensor)
    return execute(_reduce_prod, (x,), _reduce_attrs("reduce_prod", x, axis, keepdims))


# ---- max and min -----------------------------------------------------------------
def _extreme_kernel(ufunc, initial_of):
    def kernel(x, axis=None, keepdims=False):
        if x.size == 0:
            # TensorFlow's identity: -inf (+inf) for floats, the lowest
            # (highest) value for integers.
            return np.asarray(ufunc.reduce(x, axis, keepdims=keepdims,
                                           initial=initial_of(x.dtype)))
        return ufunc.reduce(x, axis, keepdims=keepdims)
    return kernel


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max


def _extreme_grad(g, ans, x, axis=None, keepdims=False):
    # The gradient is split equally among the elements equal to the extreme.
    from eager.ops.math import equal, cast
    mask = cast(equal(x, _expand_back(ans, x, axis, keepdims)), x.dtype)
    count = reduce_sum(mask, axis=axis, keepdims=True)
    return (_expand_back(g, x, axis, keepdims) * mask / count,)


_reduce_max = defop("reduce_max", reduction(REAL), cpu=_extreme_kernel(np.maximum, _lowest),
                    cuda="max", grad=_extreme_grad)
_reduce_min = defop("reduce_min", reduction(REAL), cpu=_extreme_kernel(np.minimum, _highest),
                    cuda="min", grad=_extreme_grad)


@api(_reduce_max, "eager", "eager.math")
def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """The largest element along `axis` (None: all). NaN propagates; an empty
    reduction gives -inf for floats and the lowest value for integers. The
    gradient is shared equally among tied maxima."""
    x = _t(input_tensor)
    return execute(_reduce_max, (x,), _reduce_attrs("reduce_max", x, axis, keepdims))


@api(_reduce_min, "eager", "eager.math")
def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """The smallest element along `axis` (None: all). NaN propagates; an
    empty reduction gives +inf for floats and the highest value for
    integers. The gradient is shared equally among tied minima."""
    x = _t(input_tensor)
    return execute(_reduce_min, (x,), _reduce_attrs("reduce_min", x, axis, keepdims))


# ---- any and all -------------------------------------------------------------------
_reduce_any = defop("reduce_any", reduction((bool_,)), differentiable=False, cuda="any",
                    cpu=lambda x, axis=None, keepdims=False:
                    np.asarray(np.any(x, axis=axis, keepdims=keepdims)))
_reduce_all = defop("reduce_all", reduction((bool_,)), differentiable=False, cuda="all",
                    cpu=lambda x, axis=None, keepdims=False:
                    np.asarray(np.all(x, axis=axis, keepdims=keepdims)))


@api(_reduce_any, "eager", "eager.math")
def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical or of a bool tensor's elements along `axis` (None: all);
    False for no elements."""
    x = _t(input_tensor)
    return execute(_reduce_any, (x,), _reduce_attrs("reduce_any", x, axis, keepdims))


@api(_reduce_all, "eager", "eager.math")
def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical and of a bool tensor's elements along `axis` (None: all);
    True for no elements."""
    x = _t(input_tensor)
    return execute(_reduce_all, (x,), _reduce_attrs("reduce_all", x, axis, keepdims))


# ---- logsumexp, variance ------------------------------------------------------------
def _logsumexp_kernel(x, axis=None, keepdims=False):
    xc = x.astype(np.float32) if x.dtype == np.float16 else x
    with np.errstate(all="ignore"):
        m = np.max(xc, axis=axis, keepdims=True, initial=-np.inf)
        # Shifting by an infinite maximum would give inf - inf = nan.
        m = np.where(np.isfinite(m), m, 0)
        r = np.log(np.sum(np.exp(xc - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        r = r.reshape(np.sum(np.zeros(x.shape, np.int8), axis=axis).shape)
    return r.astype(x.dtype, copy=False)


def _logsumexp_grad(g, ans, x, axis=None, keepdims=False):
    from eager.ops.math import exp
    return (_expand_back(g, x, axis, keepdims) * exp(x - _expand_back(ans, x, axis, keepdims)),)


_reduce_logsumexp = defop("reduce_logsumexp", reduction(FLOATS), cpu=_logsumexp_kernel,
                          cuda="logsumexp", grad=_logsumexp_grad)


@api(_reduce_logsumexp, "eager", "eager.math")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) along `axis` (None: all), computed without overflow
    by shifting by the maximum; -inf for no elements."""
    x = _t(input_tensor)
    return execute(_reduce_logsumexp, (x,),
                   _reduce_attrs("reduce_logsumexp", x, axis, keepdims))


def _variance_kernel(x, axis=None, keepdims=False):
    n = _reduced_count(x.shape, axis)
    if n == 0:
        shape = np.sum(np.zeros(x.shape, np.int8), axis=axis, keepdims=keepdims).shape
        return np.full(shape, np.nan, x.dtype)
    xc = x.astype(np.float32) if x.dtype == np.float16 else x
    with np.errstate(all="ignore"):
        r = np.var(xc, axis=axis, keepdims=keepdims)
    return np.asarray(r).astype(x.dtype, copy=False)


def _variance_grad(g, ans, x, axis=None, keepdims=False):
    n = _reduced_count(tuple(x.shape), axis)
    centered = x - reduce_mean(x, axis=axis, keepdims=True)
    return (_expand_back(g, x, axis, keepdims) * centered * (2.0 / max(n, 1)),)


_reduce_variance = defop("reduce_variance", reduction(FLOATS), cpu=_variance_kernel,
                         cuda="variance", grad=_variance_grad)


@api(_reduce_variance, "eager", "eager.math")
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """The (population) variance of the elements along `axis` (None: all),
    for float tensors; NaN for no elements."""
    x = _t(input_tensor)
    return execute(_reduce_variance, (x,),
                   _reduce_attrs("reduce_variance", x, axis, keepdims))


@api(None, "eager", "eager.math")
def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """The (population) standard deviation along `axis` (None: all):
    sqrt(reduce_variance). Its gradient is infinite where the variance is 0."""
    from eager.ops.math import sqrt
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


@api(None, "eager", "eager.math")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x ** 2)) along `axis` (None: all), for float tensors."""
    from eager.ops.math import sqrt
    x = _t(input_tensor)
    return sqrt(reduce_sum(x * x, axis=axis, keepdims=keepdims))


# ---- argmax, argmin ----------------------------------------------------------------
def _arg_kernel(fn):
    def kernel(x, axis, output_type):
        return np.asarray(fn(x, axis=axis)).astype(output_type)
    return kernel


def _check_arg(op, tensors, attrs):
    x = tensors[0]
    if x.shape[attrs["axis"]] == 0:
        raise _invalid(op.name, "Reduction axis %d is empty in shape %s (%s)"
                       % (attrs["axis"], tuple(x.shape), x.dtype.name))


_argmax = defop("argmax", generic(REAL), cpu=_arg_kernel(np.argmax), check=_check_arg,
                differentiable=False, cuda="argmax")
_argmin = defop("argmin", generic(REAL), cpu=_arg_kernel(np.argmin), check=_check_arg,
                differentiable=False, cuda="argmin")


def _arg_attrs(op, x, axis, output_type):
    if x.ndim == 0:
        raise _invalid(op, "needs a tensor of rank >= 1, got %s" % _desc(x))
    ot = as_dtype(output_type)
    if ot not in (int32, int64):
        raise TypeError("%s: output_type must be int32 or int64, got %s" % (op, ot.name))
    return {"axis": _one_axis(op, 0 if axis is None else axis, x), "output_type": ot.np_dtype}


@api(_argmax, "eager", "eager.math")
def argmax(input, axis=None, output_type=int64, name=None):
    """The index of the largest element along `axis` (default 0), as
    `output_type` (int64 or int32); the first one among ties."""
    x = _t(input)
    return execute(_argmax, (x,), _arg_attrs("argmax", x, axis, output_type))


@api(_argmin, "eager", "eager.math")
def argmin(input, axis=None, output_type=int64, name=None):
    """The index of the smallest element along `axis` (default 0), as
    `output_type` (int64 or int32); the first one among ties."""
    x = _t(input)
    return execute(_argmin, (x,), _arg_attrs("argmin", x, axis, output_type))


# ---- cumsum, cumprod -----------------------------------------------------------------
def _scan_kernel(fn, identity):
    def kernel(x, axis, exclusive=False, reverse=False):
        if reverse:
            x = np.flip(x, axis)
        r = fn(x, axis=axis, dtype=_acc_dtype(x))
        if exclusive and x.shape[axis]:
            # Shift by one along `axis`, starting from the identity.
            first = np.full(x.shape[:axis] + (1,) + x.shape[axis + 1:], identity, r.dtype)
            r = np.concatenate([first, np.delete(r, -1, axis=axis)], axis=axis)
        if reverse:
            r = np.flip(r, axis)
        return np.ascontiguousarray(r.astype(x.dtype, copy=False))
    return kernel


def _cumsum_grad(g, ans, x, axis, exclusive=False, reverse=False):
    return (cumsum(g, axis=axis, exclusive=exclusive, reverse=not reverse),)


def _cumprod_grad(g, ans, x, axis, exclusive=False, reverse=False):
    # TensorFlow's formula: exact where x has no zeros (inf or nan at zeros).
    from eager.ops.math import conj_if_complex
    out = cumsum(ans * g, axis=axis, exclusive=exclusive, reverse=not reverse)
    return (out / conj_if_complex(x),)


_cumsum = defop("cumsum", generic(NUMERIC), cpu=_scan_kernel(np.cumsum, 0), cuda="cumsum",
                grad=_cumsum_grad)
_cumprod = defop("cumprod", generic(NUMERIC), cpu=_scan_kernel(np.cumprod, 1), cuda="cumprod",
                 grad=_cumprod_grad)


def _scan_attrs(op, x, axis, exclusive, reverse):
    if x.ndim == 0:
        raise _invalid(op, "needs a tensor of rank >= 1 (scan axis must be in range [0, 0)), "
                       "got %s" % _desc(x))
    return {"axis": _one_axis(op, axis, x), "exclusive": bool(exclusive),
            "reverse": bool(reverse)}


@api(_cumsum, "eager", "eager.math")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative sum along `axis`: exclusive=True leaves out the
    element itself (starting from 0), reverse=True runs from the end.

    >>> cumsum([1, 2, 3], exclusive=True).numpy()
    array([0, 1, 3], dtype=int32)
    """
    t = _t(x)
    return execute(_cumsum, (t,), _scan_attrs("cumsum", t, axis, exclusive, reverse))


@api(_cumprod, "eager", "eager.math")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative product along `axis`: exclusive=True leaves out the
    element itself (starting from 1), reverse=True runs from the end. The
    gradient divides by x (not finite where x is 0, as in TensorFlow)."""
    t = _t(x)
    return execute(_cumprod, (t,), _scan_attrs("cumprod", t, axis, exclusive, reverse))


# ---- top_k ----------------------------------------------------------------------------
TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _top_k_kernel(x, k, sorted=True):
    n = x.shape[-1]
    # A stable ascending sort of the reversed last axis, read backwards, is a
    # descending sort that keeps the lower index first among ties.
    order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    idx = (n - 1) - order
    return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)


def _check_top_k(op, tensors, attrs):
    x = tensors[0]
    k = attrs["k"]
    if x.ndim == 0:
        raise _invalid("top_k", "input must be at least rank 1, got %s" % _desc(x))
    if k < 0:
        raise _invalid("top_k", "Need k >= 0, got %d; input is %s" % (k, _desc(x)))
    if x.shape[-1] < k:
        raise _invalid("top_k", "input must have at least k columns. Had %d, needed %d; "
                       "input is %s" % (x.shape[-1], k, _desc(x)))


def _top_k_grad(g, ans, x, k, sorted=True):
    # Scatter the values' gradient back to where the values came from.
    from eager.ops import array as A
    from eager.ops.indexing import scatter_nd
    from eager.ops.math import cast
    gv = g[0]
    idx = cast(ans[1], int64)
    shape = tuple(x.shape)
    n = shape[-1]
    rows = _reduced_count(shape[:-1], None)
    offsets = A.reshape(A.range_(0, rows * n, n, dtype=int64), [rows, 1])
    flat = A.reshape(A.reshape(idx, [rows, k]) + offsets, [rows * k, 1])
    gx = scatter_nd(flat, A.reshape(gv, [rows * k]), [rows * n])
    return (A.reshape(gx, list(shape)),)


_top_k = defop("top_k", generic(REAL), cpu=_top_k_kernel, check=_check_top_k, n_outputs=2,
               cuda="top_k", grad=_top_k_grad)


@api(_top_k, "eager", "eager.math", "eager.nn")
def top_k(input, k=1, sorted=True, name=None):
    """The `k` largest entries along the last axis and their int32 indices,
    as a (values, indices) named tuple; the lower index first among equal
    values. The result is always sorted (descending), whatever `sorted` is.

    >>> top_k([1, 3, 2], k=2).indices.numpy()
    array([1, 2], dtype=int32)
    """
    x = _t(input)
    k = _int_value(k, "top_k", "k")
    return TopKV2(*execute(_top_k, (x,), {"k": k, "sorted": bool(sorted)}))


# ---- count_nonzero --------------------------------------------------------------------
@api(None, "eager", "eager.math")
def count_nonzero(input, axis=None, keepdims=None, dtype=int64, name=None):
    """The number of non-zero (True) elements along `axis` (None: all), as
    `dtype` (int64 by default)."""
    from eager.ops.math import not_equal, cast
    x = _t(input)
    if x.dtype == bool_:
        nz = x
    else:
        nz = not_equal(x, np.zeros((), x.dtype.np_dtype))
    return reduce_sum(cast(nz, dtype), axis=axis, keepdims=bool(keepdims))
