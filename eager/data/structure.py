"""Nested elements of datasets: TensorSpec, SparseTensor, and the conversions
between what users see (Tensors in tuples, dicts and namedtuples) and what
the pipeline passes between its stages (NumPy arrays in the same structures).

Inside a pipeline a leaf is a NumPy array (strings: an object array of bytes)
or a `SparseValue` of three arrays; Tensors are made only where a user sees
an element (an iterator's output, a function's arguments). Tuples, namedtuples
and dicts are structures; a list is a value (it becomes one Tensor), as in
tf.data. Dict keys are flattened in sorted order, as TensorFlow's nest does.
"""
import numpy as np

from eager import errors
from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor, TensorShape, _from_array, _storage
from eager._ext.dispatch import convert_to_tensor

_wrap = _from_array


# ---- specs ---------------------------------------------------------------------
class TensorSpec(object):
    """The type of a tensor: a shape (dimensions may be None: unknown) and a
    dtype, as tf.TensorSpec.

    >>> TensorSpec([None, 3], "float32")
    TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)
    """
    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype="float32", name=None):
        # shape None: unknown rank (TensorShape itself has no such value)
        self._shape = shape if (shape is None or type(shape) is TensorShape) \
            else TensorShape(shape)
        self._dtype = as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    value_type = property(lambda self: Tensor)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        t = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
        return cls(t.shape, t.dtype, name)

    def is_compatible_with(self, spec_or_value):
        """Same dtype, and shapes that agree wherever both are known."""
        other = spec_or_value
        if not isinstance(other, TensorSpec):
            other = TensorSpec.from_tensor(other)
        if self._dtype != other.dtype:
            return False
        return self._shape is None or other.shape is None or \
            self._shape.is_compatible_with(other.shape)

    def most_specific_compatible_type(self, other):
        if self._dtype != other.dtype:
            raise ValueError("No TensorSpec compatible with both %r and %r" % (self, other))
        if self._shape is None or other.shape is None or len(self._shape) != len(other.shape):
            return type(self)(None, self._dtype)
        return type(self)([a if a == b else None for a, b in zip(self._shape, other.shape)],
                          self._dtype)

    def __eq__(self, other):
        return (type(other) is type(self) and self._shape == other._shape and
                self._dtype == other._dtype and self._name == other._name)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((None if self._shape is None else tuple(self._shape), self._dtype.name,
                     self._name))

    def __repr__(self):
        return "%s(shape=%s, dtype=tf.%s, name=%r)" % (
            type(self).__name__, "<unknown>" if self._shape is None else self._shape,
            self._dtype.name, self._name)


class SparseTensorSpec(TensorSpec):
    """The type of a SparseTensor: its dense shape and the values' dtype."""
    __slots__ = ()
    value_type = property(lambda self: SparseTensor)


# ---- sparse tensors ------------------------------------------------------------------
class SparseTensor(object):
    """A sparse tensor, as tf.SparseTensor: `indices` (int64 [N, rank]), `values`
    ([N]) and `dense_shape` (int64 [rank]). VarLenFeature parses to one.

    >>> st = SparseTensor([[0, 1], [2, 0]], [5, 6], [3, 2])
    >>> to_dense(st).numpy().tolist()
    [[0, 5], [0, 0], [6, 0]]
    """
    __slots__ = ("_indices", "_values", "_dense_shape")

    def __init__(self, indices, values, dense_shape):
        self._indices = convert_to_tensor(indices, "int64")
        self._values = values if isinstance(values, Tensor) else convert_to_tensor(values)
        self._dense_shape = convert_to_tensor(dense_shape, "int64")
        ni, nv, ns = self._indices.shape, self._values.shape, self._dense_shape.shape
        if len(ni) != 2 or len(nv) != 1 or len(ns) != 1 or ni[0] != nv[0] or ni[1] != ns[0]:
            raise errors.InvalidArgumentError(
                None, None, "SparseTensor: indices must be [N, rank], values [N] and dense_shape "
                "[rank]; got indices %s, values %s, dense_shape %s" % (ni, nv, ns))

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)

    @property
    def shape(self):
        return TensorShape([int(d) for d in _storage(self._dense_shape)])

    def get_shape(self):
        return self.shape

    def __repr__(self):
        return "SparseTensor(indices=%s, values=%s, dense_shape=%s)" % (
            self._indices, self._values, self._dense_shape)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense Tensor of a SparseTensor (tf.sparse.to_dense); missing
    entries are `default_value` (0, or b"" for strings)."""
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("to_dense: expected a SparseTensor, got %s" % type(sp_input).__name__)
    return _wrap(_sparse_to_dense_array(_sparse_value(sp_input), default_value))


class SparseValue(object):
    """A SparseTensor inside a pipeline: three NumPy arrays (a leaf, not a
    structure, so it is deliberately not a tuple)."""
    __slots__ = ("indices", "values", "dense_shape")

    def __init__(self, indices, values, dense_shape):
        self.indices, self.values, self.dense_shape = indices, values, dense_shape

    def __iter__(self):
        return iter((self.indices, self.values, self.dense_shape))


def _sparse_value(st):
    return SparseValue(np.asarray(st.indices), np.asarray(st.values), np.asarray(st.dense_shape))


def _sparse_to_dense_array(sv, default_value=None):
    values = sv.values
    if default_value is None:
        default_value = b"" if values.dtype == object else 0
    out = np.empty(tuple(int(d) for d in sv.dense_shape), dtype=values.dtype)
    out[...] = default_value
    if len(values):
        out[tuple(sv.indices.T)] = values
    return out


# ---- nest ----------------------------------------------------------------------
def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_structure(x):
    return isinstance(x, (tuple, dict))


def flatten(x):
    """The leaves of a nested structure, dict keys in sorted order."""
    out = []
    _flatten_into(x, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, tuple):
        for c in x:
            _flatten_into(c, out)
    elif isinstance(x, dict):
        for k in _sorted_keys(x):
            _flatten_into(x[k], out)
    else:
        out.append(x)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        raise TypeError("dataset elements: dict keys must be sortable (all str), got %r"
                        % (list(d),))


def pack_as(structure, flat):
    """The leaves `flat` arranged like `structure`."""
    it = iter(flat)
    out = _pack(structure, it)
    return out


def _pack(s, it):
    if isinstance(s, tuple):
        vals = [_pack(c, it) for c in s]
        return type(s)(*vals) if _is_namedtuple(s) else tuple(vals)
    if isinstance(s, dict):
        d = {k: _pack(s[k], it) for k in _sorted_keys(s)}
        return d if type(s) is dict else type(s)((k, d[k]) for k in s)
    return next(it)


def map_structure(fn, *structures):
    """fn applied leaf by leaf to structures of the same shape."""
    first = structures[0]
    flats = [flatten(s) for s in structures]
    for s, f in zip(structures[1:], flats[1:]):
        assert_same_structure(first, s)
    return pack_as(first, [fn(*leaves) for leaves in zip(*flats)])


def assert_same_structure(a, b, what="dataset elements"):
    if not same_structure(a, b):
        raise TypeError("%s: the structures differ: %s and %s"
                        % (what, describe_structure(a), describe_structure(b)))


def same_structure(a, b):
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b) or \
                _is_namedtuple(a) != _is_namedtuple(b):
            return False
        return all(same_structure(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same_structure(a[k], b[k]) for k in a)
    return True


def describe_structure(s):
    if isinstance(s, tuple):
        inner = ", ".join(describe_structure(c) for c in s)
        return "%s(%s)" % (type(s).__name__ if _is_namedtuple(s) else "", inner + (
            "," if len(s) == 1 and not _is_namedtuple(s) else ""))
    if isinstance(s, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, describe_structure(s[k])) for k in _sorted_keys(s))
    return "."


# ---- values in and out of the pipeline -------------------------------------------
def to_array(value, dtype=None):
    """One leaf as the pipeline keeps it: a NumPy array (or SparseValue)."""
    if type(value) is Tensor:
        if dtype is not None and value.dtype != as_dtype(dtype):
            raise TypeError("expected a %s tensor, got %s"
                            % (as_dtype(dtype).name, value.dtype.name))
        a = _storage(value)
        return a if type(a) is np.ndarray else np.asarray(value)
    if isinstance(value, SparseTensor):
        return _sparse_value(value)
    if isinstance(value, SparseValue):
        return value
    if type(value) is list and _first_leaf_is_string(value):
        # NumPy's fixed-width bytes dtype would drop trailing NUL bytes (serialized
        # records often end in one): build the object array directly.
        a = np.array(value, dtype=object)
        flat = a.reshape(-1)
        if all(isinstance(v, (bytes, str)) for v in flat):
            flat[:] = [v.encode() if isinstance(v, str) else v for v in flat]
            return _storage(convert_to_tensor(a, dtype))
    return _storage(convert_to_tensor(value, dtype))


def _first_leaf_is_string(value):
    while type(value) is list and value:
        value = value[0]
    return isinstance(value, (bytes, str))


def to_internal(value):
    """A user's nested value with every leaf converted (Tensors are kept
    without copying: they are immutable; other values are copied, as
    convert_to_tensor does)."""
    t = type(value)
    if t is Tensor or t is np.ndarray:
        return to_array(value)
    if isinstance(value, tuple):
        vals = [to_internal(c) for c in value]
        return t(*vals) if _is_namedtuple(value) else tuple(vals)
    if isinstance(value, dict):
        d = {k: to_internal(value[k]) for k in value}
        return d if t is dict else t((k, d[k]) for k in value)
    return to_array(value)


def to_user(e):
    """A pipeline element as the user sees it: Tensors in the same structure."""
    t = type(e)
    if t is np.ndarray:
        return _wrap(e)
    if t is tuple:
        return tuple([to_user(c) for c in e])
    if t is dict:
        return {k: to_user(v) for k, v in e.items()}
    if t is SparseValue:
        return SparseTensor(_wrap(e.indices), _wrap(e.values), _wrap(e.dense_shape))
    if isinstance(e, tuple):
        return t(*[to_user(c) for c in e])
    if isinstance(e, dict):
        return t((k, to_user(v)) for k, v in e.items())
    return e


def to_numpy(e):
    """A pipeline element as NumPy values (as_numpy_iterator): arrays are
    copies, 0-d arrays NumPy scalars (bytes for strings)."""
    t = type(e)
    if t is np.ndarray:
        return e[()] if e.ndim == 0 else e.copy()
    if t is SparseValue:
        return SparseValue(e.indices.copy(), e.values.copy(), e.dense_shape.copy())
    if isinstance(e, tuple):
        vals = [to_numpy(c) for c in e]
        return t(*vals) if _is_namedtuple(e) else tuple(vals)
    if isinstance(e, dict):
        return t((k, to_numpy(v)) for k, v in e.items())
    return e


def spec_of_array(a):
    if type(a) is SparseValue:
        return SparseTensorSpec([int(d) for d in a.dense_shape], as_dtype(a.values.dtype))
    return TensorSpec(a.shape, as_dtype(a.dtype))


def spec_of(e):
    """The element_spec of one pipeline element."""
    return map_structure(spec_of_array, e)


def dtype_name(a):
    return as_dtype(a.dtype).name if not isinstance(a, SparseValue) else \
        as_dtype(a.values.dtype).name


def normalize_shape(shape):
    """A TensorShape from a TensorShape, list or tuple (None or -1: unknown)."""
    if shape is None:
        return None
    if isinstance(shape, Tensor):
        shape = _storage(shape).tolist()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    return TensorShape([None if (d is None or int(d) < 0) else int(d) for d in shape])


def flatten_up_to(structure, value, what):
    """The parts of `value` at the leaves of `structure` (lists count as
    tuples in `value`): flatten_up_to((a, b), ([1, 2], 3)) is [[1, 2], 3]."""
    out = []
    _flatten_up_to(structure, value, out, what)
    return out


def _flatten_up_to(s, v, out, what):
    if isinstance(s, tuple):
        if not isinstance(v, (tuple, list)) or len(v) != len(s):
            raise TypeError("%s: expected a sequence of %d matching %s, got %r"
                            % (what, len(s), describe_structure(s), v))
        for a, b in zip(s, v):
            _flatten_up_to(a, b, out, what)
    elif isinstance(s, dict):
        if not isinstance(v, dict) or set(v) != set(s):
            raise TypeError("%s: expected a dict with keys %s, got %r"
                            % (what, _sorted_keys(s), v))
        for k in _sorted_keys(s):
            _flatten_up_to(s[k], v[k], out, what)
    else:
        out.append(v)


def lists_to_tuples(s):
    """A structure of types or specs with lists read as tuples."""
    if isinstance(s, list):
        return tuple(lists_to_tuples(c) for c in s)
    if isinstance(s, tuple) and not _is_namedtuple(s):
        return tuple(lists_to_tuples(c) for c in s)
    if isinstance(s, dict):
        return type(s)((k, lists_to_tuples(v)) for k, v in s.items())
    return s
