"""The Tensor type: immutable storage, dtype, shape and device, plus the C
fast path for tiny elementwise arithmetic. Everything else a Tensor does is
one line that delegates to the op functions (eager.ops)."""
cimport cython
cimport numpy as cnp
from cpython.object cimport PyObject
from libc.stdint cimport int32_t, int64_t

import numpy as np

from eager._ext.dtypes cimport (DType, DTYPE_LIST, dtype_of_array, FLOAT32,
                                FLOAT64, INT32, INT64, BOOL, STRING)
from eager._ext.context cimport Context, CTX

cnp.import_array()

cdef extern from "fast_kernels.h":
    int eager_fast_binary(int kind, int op, int mode, const void *a,
                          const void *b, void *o, Py_ssize_t n) nogil
    int eager_fast_unary(int kind, int op, const void *a, void *o, Py_ssize_t n) nogil

# Operands up to this many elements use the C loops; bigger ones go to NumPy,
# whose SIMD loops win once the fixed ufunc cost is amortised.
DEF FAST_MAX = 8192

cdef long long _next_id = 1
# OpDefs of the fast-path ops by fast code (add, subtract, multiply, divide,
# maximum, minimum), so a taped fast op is recorded as the registry op.
cdef list _fast_opdefs = [None] * 6
cdef list _fast_unary_opdefs = [None] * 5
# The op namespace (eager.ops) that Tensor methods delegate to; installed by
# eager/__init__.py, which keeps this module free of op logic.
cdef object _ops = None


def _install_ops(namespace):
    global _ops
    _ops = namespace


def _install_fast_opdef(int code, opdef, bint unary=False):
    if unary:
        _fast_unary_opdefs[code] = opdef
    else:
        _fast_opdefs[code] = opdef


def _fast_unary(int op, x):
    """op(x) in a C loop for a small contiguous CPU float/int tensor (neg,
    square, abs, sqrt, reciprocal); None when that does not apply."""
    cdef Context ctx = CTX
    if ctx.n_tracers or type(x) is not Tensor:
        return None
    cdef Tensor t = <Tensor>x
    if t._device:
        return None
    cdef cnp.ndarray a = <cnp.ndarray>t._value
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        return None
    cdef Py_ssize_t n = cnp.PyArray_SIZE(a)
    if n > FAST_MAX:
        return None
    cdef int kind = _fast_kind(t._dtype.code)
    if kind < 0:
        return None
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a),
                                             cnp.PyArray_TYPE(a), 0)
    if eager_fast_unary(kind, op, cnp.PyArray_DATA(a), cnp.PyArray_DATA(out), n) < 0:
        return None
    res = make_tensor(out, t._dtype, 0)
    if ctx.n_recorders and ctx.record_fast_c != NULL and t._wstamp >= ctx.min_live_epoch:
        ctx.record_fast_c(_fast_unary_opdefs[op], t, None, res)
    return res


cdef object _record_fast(Context ctx, int op, Tensor t, object other, int mode, object out):
    # Recording wants both inputs as Tensors; a Python scalar becomes a 0-d
    # tensor of the other operand's dtype (what the dispatcher would make).
    cdef Tensor u
    cdef long long min_e = ctx.min_live_epoch
    if type(other) is Tensor:
        u = <Tensor>other
        if not (t._wstamp >= min_e or u._wstamp >= min_e):
            return None
    else:
        if not t._wstamp >= min_e:
            return None
        arr = cnp.PyArray_EMPTY(0, NULL, cnp.PyArray_TYPE(<cnp.ndarray>t._value), 0)
        arr[()] = other
        u = make_tensor(arr, t._dtype, 0)
    if mode == 2:
        ctx.record_fast_c(_fast_opdefs[op], u, t, out)
    else:
        ctx.record_fast_c(_fast_opdefs[op], t, u, out)


class TensorShape(tuple):
    """A tensor's shape: a tuple of dimensions that also has TensorFlow's
    methods (`as_list()`, `ndims`, `num_elements()`). Equal to tuples and
    lists of the same dimensions."""

    def __new__(cls, dims=()):
        if dims is None:
            raise ValueError("TensorShape of unknown rank is not supported")
        if isinstance(dims, (int, np.integer)):
            dims = (dims,)
        return tuple.__new__(cls, [None if d is None else int(d) for d in dims])

    @property
    def ndims(self):
        return len(self)

    @property
    def rank(self):
        return len(self)

    @property
    def dims(self):
        return list(self)

    def as_list(self):
        return list(self)

    def num_elements(self):
        n = 1
        for d in self:
            if d is None:
                return None
            n *= d
        return n

    def is_fully_defined(self):
        return all(d is not None for d in self)

    def is_compatible_with(self, other):
        other = TensorShape(other)
        return len(self) == len(other) and all(
            a is None or b is None or a == b for a, b in zip(self, other))

    def concatenate(self, other):
        return TensorShape(tuple(self) + tuple(TensorShape(other)))

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return TensorShape(r) if isinstance(key, slice) else r

    def __eq__(self, other):
        if isinstance(other, list):
            other = tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = tuple.__hash__

    def __repr__(self):
        return "TensorShape(%s)" % list(self)

    def __str__(self):
        if len(self) == 1:
            return "(%s,)" % ("None" if self[0] is None else self[0])
        return "(%s)" % ", ".join("None" if d is None else str(d) for d in self)


class TensorRef(object):
    """A hashable reference to a Tensor, for dict keys and sets (tensor.ref())."""
    __slots__ = ("_tensor",)

    def __init__(self, tensor):
        self._tensor = tensor

    def deref(self):
        return self._tensor

    def __hash__(self):
        return id(self._tensor)

    def __eq__(self, other):
        return isinstance(other, TensorRef) and other._tensor is self._tensor

    def __repr__(self):
        return "<Reference wrapping %r>" % (self._tensor,)


# Only make_tensor may create Tensors: one made by Tensor.__new__ from Python
# would have no storage or dtype, and the C paths read those unchecked.
cdef bint _constructing = False


cdef Tensor make_tensor(object value, DType dtype, int device):
    global _next_id, _constructing
    _constructing = True
    cdef Tensor t = Tensor.__new__(Tensor)
    _constructing = False
    t._value = value
    t._dtype = dtype
    t._device = device
    t._id = _next_id
    _next_id += 1
    return t


cdef Tensor wrap_array(object arr):
    """A CPU tensor around a NumPy array (taken as is, not copied)."""
    if type(arr) is not np.ndarray:
        arr = np.asarray(arr)
    return make_tensor(arr, dtype_of_array(arr), 0)


def _from_array(arr):
    """Python-level wrap_array, for eager's own modules."""
    return wrap_array(arr)


def _from_storage(value, DType dtype, int device):
    """A tensor on any device from its backend storage (backends use this)."""
    return make_tensor(value, dtype, device)


def _storage(Tensor t):
    return t._value


def _set_storage(Tensor t, value):
    """Replaces t's storage (same dtype, shape and device). Only for the
    handle tensor of a Variable, whose value changes by assignment; every
    other Tensor is immutable."""
    if t._device == 0:
        if type(value) is not np.ndarray or value.dtype != t._dtype.np_dtype or \
                value.shape != t._value.shape:
            raise ValueError("_set_storage: value must be a %s array of shape %s"
                             % (t._dtype.name, t._value.shape))
    t._value = value


cdef inline int _fast_kind(int code):
    if code == FLOAT32:
        return 0
    if code == FLOAT64:
        return 1
    if code == INT32:
        return 2
    if code == INT64:
        return 3
    return -1


cdef object fast_binary(int op, object x, object y):
    """x op y in a C loop when both are small, contiguous, CPU and of one
    dtype and shape (or one is a Python scalar); None when it does not apply.

    Never used while a tape or tracer is active: those need the dispatcher.
    """
    cdef Context ctx = CTX
    if ctx.n_tracers:
        return None
    cdef Tensor t, u
    cdef cnp.ndarray a, b, out
    cdef int kind, mode, nd, i
    cdef Py_ssize_t n
    cdef double dscalar
    cdef float fscalar
    cdef int32_t i32scalar
    cdef int64_t i64scalar
    cdef const void *pa
    cdef const void *pb
    cdef object sc
    if type(x) is Tensor:
        t = <Tensor>x
        if type(y) is Tensor:
            u = <Tensor>y
            if t._dtype is not u._dtype or t._device or u._device:
                return None
            a = <cnp.ndarray>t._value
            b = <cnp.ndarray>u._value
            nd = cnp.PyArray_NDIM(a)
            if nd != cnp.PyArray_NDIM(b):
                # A 0-d operand broadcasts like a scalar: the C loop takes it
                # by pointer (tensor * weight, the linear-regression pattern).
                if cnp.PyArray_NDIM(b) == 0:
                    return _fast_with_0d(ctx, op, t, u, a, b, 1)
                if nd == 0:
                    return _fast_with_0d(ctx, op, u, t, b, a, 2)
                return None
            for i in range(nd):
                if cnp.PyArray_DIMS(a)[i] != cnp.PyArray_DIMS(b)[i]:
                    return None
            if not (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_IS_C_CONTIGUOUS(b)):
                return None
            n = cnp.PyArray_SIZE(a)
            if n > FAST_MAX:
                return None
            kind = _fast_kind(t._dtype.code)
            if kind < 0:
                return None
            out = cnp.PyArray_EMPTY(nd, cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), 0)
            if eager_fast_binary(kind, op, 0, cnp.PyArray_DATA(a), cnp.PyArray_DATA(b),
                                 cnp.PyArray_DATA(out), n) < 0:
                return None
            res = make_tensor(out, t._dtype, 0)
            if ctx.n_recorders and ctx.record_fast_c != NULL and (
                    t._wstamp >= ctx.min_live_epoch or u._wstamp >= ctx.min_live_epoch):
                ctx.record_fast_c(_fast_opdefs[op], t, u, res)
            return res
        sc = y
        mode = 1
    elif type(y) is Tensor:
        t = <Tensor>y
        sc = x
        mode = 2
    else:
        return None
    if t._device:
        return None
    a = <cnp.ndarray>t._value
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        return None
    n = cnp.PyArray_SIZE(a)
    if n > FAST_MAX:
        return None
    kind = _fast_kind(t._dtype.code)
    if kind < 0:
        return None
    # Python scalars take the tensor's dtype; ones that do not fit exactly
    # go to the dispatcher, which raises TensorFlow's conversion errors.
    if type(sc) is float:
        if kind == 0:
            fscalar = <float>(<double>sc)
            pb = &fscalar
        elif kind == 1:
            dscalar = <double>sc
            pb = &dscalar
        else:
            return None
    elif type(sc) is int:
        if kind == 0:
            fscalar = <float>(<double>sc)
            pb = &fscalar
        elif kind == 1:
            dscalar = <double>sc
            pb = &dscalar
        elif kind == 2:
            if not (-2147483648 <= sc <= 2147483647):
                return None
            i32scalar = <int32_t>(<long long>sc)
            pb = &i32scalar
        else:
            if not (-9223372036854775808 <= sc <= 9223372036854775807):
                return None
            i64scalar = <int64_t>(<long long>sc)
            pb = &i64scalar
    else:
        return None
    out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), 0)
    if mode == 1:
        pa = cnp.PyArray_DATA(a)
    else:
        pa = pb
        pb = cnp.PyArray_DATA(a)
    if eager_fast_binary(kind, op, mode, pa, pb, cnp.PyArray_DATA(out), n) < 0:
        return None
    res = make_tensor(out, t._dtype, 0)
    if ctx.n_recorders and ctx.record_fast_c != NULL:
        _record_fast(ctx, op, t, sc, mode, res)
    return res


cdef object _fast_with_0d(Context ctx, int op, Tensor big, Tensor small, cnp.ndarray a,
                          cnp.ndarray b, int mode):
    """big op small (mode 1) or small op big (mode 2), small being 0-d."""
    cdef int kind
    cdef Py_ssize_t n
    cdef cnp.ndarray out
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        return None
    n = cnp.PyArray_SIZE(a)
    if n > FAST_MAX:
        return None
    kind = _fast_kind(big._dtype.code)
    if kind < 0:
        return None
    out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), 0)
    if mode == 1:
        r = eager_fast_binary(kind, op, 1, cnp.PyArray_DATA(a), cnp.PyArray_DATA(b),
                              cnp.PyArray_DATA(out), n)
    else:
        r = eager_fast_binary(kind, op, 2, cnp.PyArray_DATA(b), cnp.PyArray_DATA(a),
                              cnp.PyArray_DATA(out), n)
    if r < 0:
        return None
    res = make_tensor(out, big._dtype, 0)
    if ctx.n_recorders and ctx.record_fast_c != NULL and (
            big._wstamp >= ctx.min_live_epoch or small._wstamp >= ctx.min_live_epoch):
        if mode == 1:
            ctx.record_fast_c(_fast_opdefs[op], big, small, res)
        else:
            ctx.record_fast_c(_fast_opdefs[op], small, big, res)
    return res


def _fast_binary(int op, x, y):
    return fast_binary(op, x, y)


@cython.freelist(256)
cdef class Tensor:
    """A multi-dimensional array with a fixed dtype, shape and device.

    Tensors are immutable. They come from ops (`eager.constant`,
    `eager.add`, ...) and convert to NumPy with `.numpy()` or `np.asarray`.
    """

    __array_priority__ = 100

    def __cinit__(self):
        if not _constructing:
            raise TypeError("Tensors are made by ops; use eager.constant(value) "
                            "or eager.convert_to_tensor(value)")

    def __init__(self, *args, **kwargs):
        raise TypeError("Tensors are made by ops; use eager.constant(value) "
                        "or eager.convert_to_tensor(value)")

    # ---- properties ---------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        if self._shape_cache is None:
            # The storage's shape is already a tuple of ints: skip __new__'s checks.
            self._shape_cache = tuple.__new__(TensorShape, self._value.shape)
        return self._shape_cache

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return len(self._value.shape)

    @property
    def device(self):
        return CTX.device_names[self._device]

    @property
    def backing_device(self):
        return CTX.device_names[self._device]

    # ---- conversion ---------------------------------------------------
    cdef object _host(self):
        if self._device == 0:
            return self._value
        return CTX.devices[self._device].to_host(self._value)

    def numpy(self):
        """A NumPy copy of the value (a NumPy scalar for a 0-d tensor)."""
        a = self._host()
        if a.ndim == 0:
            return a[()]
        return a.copy() if a is self._value else a

    def __array__(self, dtype=None, copy=None):
        a = self._host()
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        v = a.view()
        v.flags.writeable = False
        return v

    def __dlpack__(self, *args, **kwargs):
        if self._device:
            return CTX.devices[self._device].dlpack(self._value, *args, **kwargs)
        return self._value.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        if self._device:
            return CTX.devices[self._device].dlpack_device(self._value)
        return (1, 0)

    def cpu(self):
        """This tensor on the CPU (itself when it is there already)."""
        return _ops.copy_to_device(self, "CPU:0")

    def gpu(self, gpu_index=0):
        """A copy of this tensor on GPU `gpu_index`."""
        return _ops.copy_to_device(self, "GPU:%d" % gpu_index)

    def ref(self):
        """A hashable reference to this tensor (tensors compare elementwise)."""
        return TensorRef(self)

    experimental_ref = ref

    def _scalar_value(self, what):
        if self.ndim != 0:
            raise TypeError("%s() needs a scalar tensor, got shape %s (%s)"
                            % (what, self.shape, self._dtype.name))
        return self._host()[()]

    def __bool__(self):
        return bool(self._scalar_value("bool"))

    def __float__(self):
        return float(self._scalar_value("float"))

    def __int__(self):
        return int(self._scalar_value("int"))

    def __complex__(self):
        return complex(self._scalar_value("complex"))

    def __index__(self):
        if not (self._dtype.is_integer or self._dtype.code == BOOL):
            raise TypeError("Only integer scalar tensors can be used as an index, "
                            "got dtype %s" % self._dtype.name)
        return int(self._scalar_value("index"))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("Scalar tensor has no len() (shape=(), dtype=%s)"
                            % self._dtype.name)
        return self._value.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor (dtype=%s)"
                            % self._dtype.name)
        return iter(_ops.unstack(self))

    def __hash__(self):
        raise TypeError("Tensor is unhashable: tensors compare elementwise. "
                        "Use tensor.ref() as the key instead.")

    def __reduce__(self):
        return (_ops.constant, (self.numpy(),))

    # ---- printing -----------------------------------------------------
    def _numpy_text(self):
        a = self._host()
        if a.ndim == 0:
            text = str(a[()])
        else:
            text = np.array2string(a, separator=" ", legacy="1.13")
        if "\n" in text:
            text = "\n" + text
        return text

    def __str__(self):
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (
            self._numpy_text(), self.shape, self._dtype.name)

    def __repr__(self):
        return self.__str__()

    def __format__(self, spec):
        a = self._host()
        if a.ndim == 0:
            return format(a[()], spec)
        return format(a, spec) if spec else str(a)

    # ---- operators (fast C path, else the op functions) ----------------
    def __add__(self, other):
        r = fast_binary(0, self, other)
        return r if r is not None else _ops.add(self, other)

    def __radd__(self, other):
        r = fast_binary(0, other, self)
        return r if r is not None else _ops.add(other, self)

    def __sub__(self, other):
        r = fast_binary(1, self, other)
        return r if r is not None else _ops.subtract(self, other)

    def __rsub__(self, other):
        r = fast_binary(1, other, self)
        return r if r is not None else _ops.subtract(other, self)

    def __mul__(self, other):
        r = fast_binary(2, self, other)
        return r if r is not None else _ops.multiply(self, other)

    def __rmul__(self, other):
        r = fast_binary(2, other, self)
        return r if r is not None else _ops.multiply(other, self)

    def __truediv__(self, other):
        r = fast_binary(3, self, other)
        return r if r is not None else _ops.truediv(self, other)

    def __rtruediv__(self, other):
        r = fast_binary(3, other, self)
        return r if r is not None else _ops.truediv(other, self)

    def __floordiv__(self, other):
        return _ops.floordiv(self, other)

    def __rfloordiv__(self, other):
        return _ops.floordiv(other, self)

    def __mod__(self, other):
        return _ops.floormod(self, other)

    def __rmod__(self, other):
        return _ops.floormod(other, self)

    def __pow__(self, other, mod):
        return _ops.pow(self, other)

    def __rpow__(self, other, mod):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __invert__(self):
        return _ops.invert(self)

    def __and__(self, other):
        return _ops.logical_and(self, other)

    def __rand__(self, other):
        return _ops.logical_and(other, self)

    def __or__(self, other):
        return _ops.logical_or(self, other)

    def __ror__(self, other):
        return _ops.logical_or(other, self)

    def __xor__(self, other):
        return _ops.logical_xor(self, other)

    def __rxor__(self, other):
        return _ops.logical_xor(other, self)

    def __lt__(self, other):
        return _ops.less(self, other)

    def __le__(self, other):
        return _ops.less_equal(self, other)

    def __gt__(self, other):
        return _ops.greater(self, other)

    def __ge__(self, other):
        return _ops.greater_equal(self, other)

    def __eq__(self, other):
        return _ops.tensor_equals(self, other)

    def __ne__(self, other):
        return _ops.tensor_not_equals(self, other)

    def __getitem__(self, key):
        return _ops.getitem(self, key)
