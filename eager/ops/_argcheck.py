"""Argument parsing and checks shared by the array and indexing op families
(eager/ops/array.py, eager/ops/indexing.py): the errors they raise, integer
lists and axes, allocation limits, and TensorFlow's rule for list inputs."""
import operator
import os

import numpy as np

from eager import errors
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import string



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
