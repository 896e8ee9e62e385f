"""execute(): the one path every op takes.

convert inputs (TensorFlow's rules: no implicit promotion) -> check dtypes
-> choose the device -> run the device's kernel -> wrap outputs -> hand the
op to whatever records (a tape). A graph tracer, when active, takes the op
before any of this. The checks on the untaped path are C int reads.
"""
cimport numpy as cnp
import numpy as np

from eager._ext.dtypes cimport (DType, DTYPE_LIST, dtype_of_array, as_dtype,
                                BOOL, INT8, INT32, INT64, UINT64, FLOAT16,
                                FLOAT32, FLOAT64, COMPLEX64, COMPLEX128, STRING)
from eager._ext.tensor cimport Tensor, make_tensor
from eager._ext.context cimport Context, CTX

from eager import errors

cnp.import_array()

MATCH_ALL = 0
MATCH_NONE = 1
MATCH_FIRST = 2

# Conversion functions for non-Tensor types (Variables register one):
# type -> fn(value, dtype) returning a Tensor.
cdef dict _conversion_fns = {}


def register_tensor_conversion_function(base_type, conversion_func):
    """Lets values of `base_type` convert to Tensors: conversion_func(value,
    dtype=None) must return a Tensor."""
    _conversion_fns[base_type] = conversion_func


cdef inline bint _is_float_code(int c):
    return FLOAT16 <= c <= FLOAT64


cdef inline bint _is_int_code(int c):
    return INT8 <= c <= UINT64


cdef bint _compatible(int wanted, int got):
    """TensorFlow's rule for converting a non-Tensor value to a requested
    dtype: integers to any integer type, integers and floats to floats,
    numbers to complex; bool and string only to themselves."""
    if wanted == got:
        return True
    if _is_int_code(wanted):
        return _is_int_code(got)
    if _is_float_code(wanted):
        return _is_int_code(got) or _is_float_code(got)
    if wanted == COMPLEX64 or wanted == COMPLEX128:
        return _is_int_code(got) or _is_float_code(got) or got == COMPLEX64 or got == COMPLEX128
    return False


cdef object _python_to_array(object value):
    """A NumPy array for a Python scalar or (nested) sequence, with
    TensorFlow's default dtypes: int -> int32 (int64 when it does not fit),
    float -> float32, bool -> bool, complex -> complex128, str -> string."""
    cdef object t = type(value)
    if t is float:
        return np.array(value, dtype=np.float32)
    if t is int:
        if -2147483648 <= value <= 2147483647:
            return np.array(value, dtype=np.int32)
        if -9223372036854775808 <= value <= 9223372036854775807:
            return np.array(value, dtype=np.int64)
        raise ValueError("Can't convert Python int %d to a Tensor: it does not fit "
                         "in int64" % value)
    if t is bool:
        return np.array(value, dtype=np.bool_)
    if t is str or t is bytes:
        return _string_array(value)
    if t is complex:
        return np.array(value, dtype=np.complex128)
    if t is list and _all_exact_floats(<list>value):
        # A flat list of Python floats (the common case): straight to
        # float32, without NumPy's dtype discovery or a float64 detour.
        return np.fromiter(value, np.float32, len(<list>value))
    if _first_leaf_is_text(value):
        # Straight to an object array: a fixed-width NumPy bytes array would
        # drop trailing NUL bytes (serialized protos often end in one).
        try:
            arr = np.array(value, dtype=object)
        except ValueError as e:
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor: %s"
                             % (e,)) from None
        if not _all_strings(arr):
            raise ValueError("Can't convert Python sequence with mixed or non-string "
                             "types to a string Tensor: %r" % (_short(value),))
        return _string_array(arr)
    try:
        arr = np.array(value)
    except ValueError as e:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor: %s"
                         % (e,)) from None
    k = arr.dtype.kind
    if k == "f":
        if arr.dtype == np.float64 and not _has_typed_float64(value):
            arr = arr.astype(np.float32)
    elif k == "i" or k == "u":
        if arr.dtype.itemsize == 8 and not _has_typed_int64(value):
            if arr.size == 0 or (arr.min() >= -2147483648 and arr.max() <= 2147483647):
                arr = arr.astype(np.int32)
    elif k in "SUO":
        if k == "O" and not _all_strings(arr):
            raise ValueError("Can't convert Python sequence with mixed or "
                             "non-numeric types to a Tensor: %r" % (_short(value),))
        arr = _string_array(arr)
    return arr


cdef bint _all_exact_floats(list value):
    cdef Py_ssize_t i, n = len(value)
    if n == 0:
        return False
    for i in range(n):
        if type(value[i]) is not float:
            return False
    return True


cdef bint _first_leaf_is_text(object value):
    while isinstance(value, (list, tuple)):
        if not value:
            return False
        value = value[0]
    return isinstance(value, (str, bytes))


cdef bint _has_typed_float64(object value):
    # A list holding float64 arrays or tensors keeps float64; bare Python
    # floats give float32.
    if isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, (list, tuple)):
                if _has_typed_float64(v):
                    return True
            elif type(v) is not float and type(v) is not int and type(v) is not bool:
                dt = getattr(v, "dtype", None)
                if dt is not None and dt == np.float64:
                    return True
    return False


cdef bint _has_typed_int64(object value):
    if isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, (list, tuple)):
                if _has_typed_int64(v):
                    return True
            elif type(v) is not int and type(v) is not bool:
                dt = getattr(v, "dtype", None)
                if dt is not None and dt == np.int64:
                    return True
    return False


cdef bint _all_strings(object arr):
    for v in arr.flat:
        if not isinstance(v, (str, bytes)):
            return False
    return True


cdef object _string_array(object value):
    arr = np.asarray(value, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in = arr.reshape(-1)
    flat_out = out.reshape(-1)
    for i in range(flat_in.shape[0]):
        v = flat_in[i]
        flat_out[i] = v.encode("utf-8") if isinstance(v, str) else bytes(v)
    return out


cdef str _short(object value):
    s = repr(value)
    return s if len(s) < 80 else s[:77] + "..."


cdef object _numpy_to_array(object value):
    """A private copy of a NumPy array or scalar, keeping its dtype."""
    arr = np.array(value, copy=True)
    k = arr.dtype.kind
    if k in "SU":
        return _string_array(arr)
    if k == "O":
        if not _all_strings(arr):
            raise TypeError("Can't convert a NumPy object array that does not "
                            "hold strings to a Tensor")
        return _string_array(arr)
    dtype_of_array(arr)  # raises TypeError for dtypes eager lacks
    return arr


cdef object _cast_checked(object arr, DType have, DType want, object value):
    if not _compatible(want.code, have.code):
        raise TypeError("Cannot convert %s to a Tensor of dtype %s (its own dtype "
                        "is %s)" % (_short(value), want.name, have.name))
    if _is_int_code(want.code) and arr.size:
        info = np.iinfo(want.np_dtype)
        if arr.min() < info.min or arr.max() > info.max:
            raise TypeError("Cannot convert %s to a Tensor of dtype %s: out of range"
                            % (_short(value), want.name))
    return arr.astype(want.np_dtype)


cpdef Tensor convert_to_tensor(object value, object dtype=None, object name=None):
    """Converts a Tensor, NumPy array, Python scalar or nested list to a
    Tensor. With `dtype`, a non-Tensor value is converted to it when
    TensorFlow allows (ints to any numeric dtype, floats to floats and
    complex); a Tensor of another dtype is an error."""
    cdef DType want = None
    cdef DType have
    cdef int typenum
    if dtype is None and type(value) is np.ndarray:
        # The common case of a plain numeric array: one C copy, no checks
        # beyond the dtype table (object and text arrays take the long way).
        typenum = cnp.PyArray_TYPE(<cnp.ndarray>value)
        if typenum <= cnp.NPY_CLONGDOUBLE or typenum == 23:  # NPY_HALF
            arr = cnp.PyArray_NewCopy(<cnp.ndarray>value, cnp.NPY_CORDER)
            return make_tensor(arr, dtype_of_array(arr), 0)
    if dtype is not None:
        want = as_dtype(dtype)
    if isinstance(value, Tensor):
        if want is not None and (<Tensor>value)._dtype is not want:
            raise errors.InvalidArgumentError(
                None, None, "Tensor conversion requested dtype %s for a Tensor of "
                "dtype %s and shape %s" % (want.name, (<Tensor>value)._dtype.name,
                                          (<Tensor>value).shape))
        return <Tensor>value
    fn = _conversion_fns.get(type(value))
    if fn is None and _conversion_fns:
        for base, f in _conversion_fns.items():
            if isinstance(value, base):
                fn = f
                break
    if fn is not None:
        t = fn(value, dtype=want)
        if want is not None and (<Tensor>t)._dtype is not want:
            raise errors.InvalidArgumentError(
                None, None, "Tensor conversion requested dtype %s for a value of "
                "dtype %s" % (want.name, (<Tensor>t)._dtype.name))
        return <Tensor>t
    if isinstance(value, (np.ndarray, np.generic)):
        arr = _numpy_to_array(value)
    elif hasattr(value, "__dlpack__") and not isinstance(value, (list, tuple)):
        arr = np.array(np.from_dlpack(value), copy=True)
    elif hasattr(value, "__array__") and not isinstance(value, (list, tuple)):
        arr = _numpy_to_array(np.asarray(value))
    else:
        arr = _python_to_array(value)
    have = dtype_of_array(arr)
    if want is not None and want is not have:
        if want.code == STRING or have.code == STRING:
            raise TypeError("Cannot convert %s to a Tensor of dtype %s"
                            % (_short(value), want.name))
        if isinstance(value, (np.ndarray, np.generic)) or not isinstance(value, (list, tuple, int, float, bool, complex)):
            arr = _cast_checked(arr, have, want, value)
        else:
            # Python values convert straight to the requested dtype, so that
            # 1.1 asked for as float64 is not rounded through float32 first.
            if not _compatible(want.code, have.code):
                raise TypeError("Cannot convert %s to a Tensor of dtype %s"
                                % (_short(value), want.name))
            try:
                arr2 = np.array(value, dtype=want.np_dtype)
            except OverflowError:
                raise TypeError("Cannot convert %s to a Tensor of dtype %s: out of range"
                                % (_short(value), want.name)) from None
            if _is_int_code(want.code) and not np.array_equal(
                    arr2.astype(np.float64), np.asarray(value, dtype=np.float64)):
                raise TypeError("Cannot convert %s to a Tensor of dtype %s: out of range"
                                % (_short(value), want.name))
            arr = arr2
        have = want
    return make_tensor(arr, have, 0)


cdef str _describe(list tensors):
    parts = []
    for i, t in enumerate(tensors):
        if isinstance(t, Tensor):
            parts.append("input %d is %s %s" % (i, (<Tensor>t).shape, (<Tensor>t)._dtype.name))
    return ", ".join(parts)


cdef class OpDef:
    """One registry row: an op's name, kernels, dtype rule, gradient and
    checks. Built by eager.ops._registry.defop; read by execute()."""

    def __init__(self, str name, dict kernels, grad=None, bint differentiable=True,
                 int match=MATCH_ALL, int n_match=0, dtypes=None, check=None,
                 family=None, int n_outputs=1, save="both", dict info=None,
                 bint unbroadcast=False):
        self.name = name
        self.kernels = kernels
        self.cpu_kernel = kernels.get("cpu")
        self.grad = grad
        self.differentiable = differentiable
        self.match = match
        self.n_match = n_match
        mask = 0
        if dtypes is None:
            mask = 0xFFFFFFFF
        else:
            for d in dtypes:
                mask |= 1 << as_dtype(d).code
        self.dtype_mask = mask
        self.check = check
        self.family = family
        self.n_outputs = n_outputs
        self.save = save
        self.save_outputs = save in ("both", "outputs")
        self.unbroadcast = unbroadcast
        self.info = info if info is not None else {}

    @property
    def dtypes(self):
        return [d for d in DTYPE_LIST if self.dtype_mask & (1 << (<DType>d).code)]

    def __repr__(self):
        return "<OpDef %s>" % self.name


cdef list _convert_inputs(OpDef op, tuple inputs):
    cdef Py_ssize_t n = len(inputs), i, nm
    cdef list out = [None] * n
    cdef DType ref = None
    cdef object v
    if op.match == MATCH_NONE:
        for i in range(n):
            v = inputs[i]
            out[i] = v if type(v) is Tensor else convert_to_tensor(v)
        return out
    nm = n if op.match == MATCH_ALL else min(op.n_match, n)
    # TensorFlow's args_to_matching: the first Tensor sets the dtype; with
    # none, the first value converted does.
    for i in range(nm):
        v = inputs[i]
        if isinstance(v, Tensor):
            ref = (<Tensor>v)._dtype
            break
    for i in range(nm):
        v = inputs[i]
        if isinstance(v, Tensor):
            if ref is not (<Tensor>v)._dtype:
                raise errors.InvalidArgumentError(
                    None, op.name, "%s: inputs must have the same dtype, got %s"
                    % (op.name, _describe_values(inputs[:nm])))
            out[i] = v
        else:
            try:
                t = convert_to_tensor(v, ref)
            except TypeError as e:
                raise TypeError("%s: %s" % (op.name, e)) from None
            out[i] = t
            if ref is None:
                ref = (<Tensor>t)._dtype
    for i in range(nm, n):
        v = inputs[i]
        out[i] = v if type(v) is Tensor else convert_to_tensor(v)
    return out


cdef str _describe_values(tuple values):
    parts = []
    for i, v in enumerate(values):
        if isinstance(v, Tensor):
            parts.append("input %d is %s %s" % (i, (<Tensor>v).shape, (<Tensor>v)._dtype.name))
        else:
            parts.append("input %d is %s" % (i, type(v).__name__))
    return ", ".join(parts)


cdef int _choose_device(OpDef op, list tensors) except -1:
    cdef int dev = -1
    cdef Tensor t
    for x in tensors:
        t = <Tensor>x
        if dev < 0:
            dev = t._device
        elif t._device != dev:
            return _resolve_mixed(op, tensors)
    if CTX.n_device_scopes:
        scoped = CTX.current_device()
        if dev < 0 or dev != scoped:
            return _place_on(op, tensors, scoped)
    return 0 if dev < 0 else dev


cdef int _resolve_mixed(OpDef op, list tensors) except -1:
    target = CTX.current_device() if CTX.n_device_scopes else None
    if target is None:
        # Inputs on several devices: the op runs where the first non-CPU
        # input lives, as TensorFlow places it.
        for x in tensors:
            if (<Tensor>x)._device:
                target = (<Tensor>x)._device
                break
    return _place_on(op, tensors, target)


cdef int _place_on(OpDef op, list tensors, int target) except -1:
    policy = CTX.placement_policy
    for i in range(len(tensors)):
        t = <Tensor>tensors[i]
        if t._device != target:
            if policy == "explicit":
                raise errors.InvalidArgumentError(
                    None, op.name, "%s: input %d is on %s but the op runs on %s; "
                    "copy it explicitly (device policy 'explicit')"
                    % (op.name, i, CTX.device_names[t._device], CTX.device_names[target]))
            if policy == "warn":
                import warnings
                warnings.warn("%s: copying input %d from %s to %s"
                              % (op.name, i, CTX.device_names[t._device],
                                 CTX.device_names[target]))
            tensors[i] = _copy_tensor(t, target)
    return target


cdef Tensor _copy_tensor(Tensor t, int target):
    from eager.backends import copy_storage
    return make_tensor(copy_storage(t._value, t._device, target), t._dtype, target)


def copy_tensor(Tensor t, int target):
    """A copy of `t` on device index `target` (no copy when it is there)."""
    if t._device == target:
        return t
    return _copy_tensor(t, target)


cdef object _kernel_for(OpDef op, int device):
    if device == 0:
        k = op.cpu_kernel
    else:
        kind = CTX.devices[device].kind
        k = op.kernels.get(kind)
    if k is None:
        raise errors.UnimplementedError(
            None, op.name, "%s: no kernel for device %s" % (op.name, CTX.device_names[device]))
    return k


cdef object _wrap_output(object r, int device):
    if type(r) is Tensor:
        return r  # a kernel that builds its own Tensor (copies between devices)
    if device == 0:
        if type(r) is not np.ndarray:
            r = np.asarray(r)
        return make_tensor(r, dtype_of_array(r), 0)
    return make_tensor(r, as_dtype(r.dtype), device)


cpdef execute(OpDef op, tuple inputs, dict attrs=None):
    """Runs `op` on `inputs` (Tensors or convertible values) with `attrs`
    (keyword arguments of its kernel); returns a Tensor, or a tuple of
    Tensors for ops with several outputs."""
    cdef Context ctx = CTX
    if ctx.n_tracers and ctx.trace_execute is not None:
        r = ctx.trace_execute(op, inputs, attrs)
        if r is not NotImplemented:
            return r
    cdef list tensors = _convert_inputs(op, inputs)
    cdef Py_ssize_t n = len(tensors)
    cdef Tensor t
    if n:
        t = <Tensor>tensors[0]
        if not (op.dtype_mask >> t._dtype.code) & 1:
            raise errors.InvalidArgumentError(
                None, op.name, "%s: dtype %s is not supported (supported: %s); %s"
                % (op.name, t._dtype.name, ", ".join([d.name for d in op.dtypes]),
                   _describe(tensors)))
    cdef int device = _choose_device(op, tensors) if n else (
        ctx.current_device() if ctx.n_device_scopes else 0)
    if op.check is not None:
        op.check(op, tensors, attrs)
    kernel = _kernel_for(op, device)
    args = [(<Tensor>x)._value for x in tensors]
    try:
        if attrs:
            r = kernel(*args, **attrs)
        else:
            r = kernel(*args)
    except errors.OpError:
        raise
    except (ValueError, IndexError, TypeError, ArithmeticError, np.linalg.LinAlgError) as e:
        raise errors.InvalidArgumentError(
            None, op.name, "%s: %s; %s" % (op.name, e, _describe(tensors))) from e
    except MemoryError as e:
        raise errors.ResourceExhaustedError(
            None, op.name, "%s: out of memory; %s" % (op.name, _describe(tensors))) from e
    if op.n_outputs == 1:
        out = _wrap_output(r, device)
        if ctx.n_recorders and ctx.record_c != NULL:
            ctx.record_c(op, tensors, (out,), attrs)
        return out
    outs = tuple([_wrap_output(x, device) for x in r])
    if ctx.n_recorders and ctx.record_c != NULL:
        ctx.record_c(op, tensors, outs, attrs)
    return outs
