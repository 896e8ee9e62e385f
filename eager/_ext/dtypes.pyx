"""DType objects and the table that maps NumPy type numbers to them.

TensorFlow's names and rules: no implicit promotion, so there is no promotion
table here, only identity of dtypes and their properties.
"""
cimport numpy as cnp
import numpy as np

cnp.import_array()

_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "float16", "float32", "float64", "complex64",
          "complex128", "string")
_NUMPY = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64,
          np.complex64, np.complex128, np.object_)
# TensorFlow's DataType enum values, for as_datatype_enum.
_TF_ENUM = (10, 6, 5, 3, 9, 4, 17, 22, 23, 19, 1, 2, 8, 18, 7)

cdef list DTYPE_LIST = []
# NumPy type number -> DType; NPY_NTYPES is below 64 for the builtin types.
cdef object _BY_TYPENUM = [None] * 64
cdef dict _BY_NAME = {}


cdef class DType:
    """A tensor element type with TensorFlow's name and properties.

    Equal to the matching NumPy dtype or scalar type and to its name string:
    ``eager.float32 == np.float32 == 'float32'``.
    """

    def __init__(self, *args):
        raise TypeError("DType objects are fixed; use eager.as_dtype(...)")

    @property
    def is_floating(self):
        return FLOAT16 <= self.code <= FLOAT64

    @property
    def is_integer(self):
        return INT8 <= self.code <= UINT64

    @property
    def is_unsigned(self):
        return self.code == BOOL or UINT8 <= self.code <= UINT64

    @property
    def is_complex(self):
        return self.code == COMPLEX64 or self.code == COMPLEX128

    @property
    def is_bool(self):
        return self.code == BOOL

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def is_inexact(self):
        return FLOAT16 <= self.code <= COMPLEX128

    @property
    def size(self):
        return self.itemsize

    @property
    def dtype(self):
        # Lets NumPy read an eager dtype: np.zeros(3, dtype=eager.float32).
        return self.np_dtype

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        if self.code == COMPLEX64:
            return DTYPE_LIST[FLOAT32]
        if self.code == COMPLEX128:
            return DTYPE_LIST[FLOAT64]
        return self

    @property
    def as_datatype_enum(self):
        return _TF_ENUM[self.code]

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self.np_dtype).min
        if self.is_integer:
            return np.iinfo(self.np_dtype).min
        if self.code == BOOL:
            return False
        raise TypeError("dtype %s has no min" % self.name)

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self.np_dtype).max
        if self.is_integer:
            return np.iinfo(self.np_dtype).max
        if self.code == BOOL:
            return True
        raise TypeError("dtype %s has no max" % self.name)

    def is_compatible_with(self, other):
        return self == other

    def __eq__(self, other):
        if isinstance(other, DType):
            return self.code == (<DType>other).code
        if isinstance(other, str):
            d = _BY_NAME.get(other)
            return d is not None and (<DType>d).code == self.code
        try:
            return as_dtype(other).code == self.code
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return "tf." + self.name

    def __str__(self):
        return "<dtype: %r>" % self.name

    def __reduce__(self):
        return as_dtype, (self.name,)


cdef DType _make(int code):
    cdef DType d = DType.__new__(DType)
    d.code = code
    d.name = _NAMES[code]
    d.as_numpy_dtype = _NUMPY[code]
    d.np_dtype = np.dtype(_NUMPY[code])
    d.itemsize = d.np_dtype.itemsize if code != STRING else 0
    return d


for _c in range(N_DTYPES):
    _d = _make(_c)
    DTYPE_LIST.append(_d)
    _BY_NAME[_d.name] = _d
    if _c != STRING:
        _BY_TYPENUM[_d.np_dtype.num] = _d
# The other type numbers NumPy uses for the same C types (long vs long long).
for _t in (np.intc, np.int_, np.longlong, np.uintc, np.uint, np.ulonglong):
    _dt = np.dtype(_t)
    _BY_TYPENUM[_dt.num] = _BY_NAME[_dt.name]
_BY_TYPENUM[np.dtype(object).num] = DTYPE_LIST[STRING]
_BY_NAME.update({
    "float": DTYPE_LIST[FLOAT32], "half": DTYPE_LIST[FLOAT16],
    "double": DTYPE_LIST[FLOAT64], "int": DTYPE_LIST[INT32],
    "bool_": DTYPE_LIST[BOOL], "object": DTYPE_LIST[STRING],
    "bytes": DTYPE_LIST[STRING], "str": DTYPE_LIST[STRING],
})


cdef DType dtype_from_typenum(int typenum):
    if 0 <= typenum < 64:
        d = _BY_TYPENUM[typenum]
        if d is not None:
            return <DType>d
    raise TypeError("NumPy dtype %s has no eager dtype"
                    % cnp.PyArray_DescrFromType(typenum))


cdef DType dtype_of_array(object arr):
    return dtype_from_typenum(cnp.PyArray_TYPE(<cnp.ndarray>arr))


cpdef DType as_dtype(object value):
    """Returns the DType for a DType, a name, a NumPy dtype or a scalar type."""
    if isinstance(value, DType):
        return <DType>value
    if isinstance(value, str):
        d = _BY_NAME.get(value)
        if d is None:
            raise TypeError("Cannot convert %r to an eager dtype" % (value,))
        return <DType>d
    if value is float:
        return DTYPE_LIST[FLOAT32]
    if value is int:
        return DTYPE_LIST[INT32]
    if value is bool:
        return DTYPE_LIST[BOOL]
    if value is complex:
        return DTYPE_LIST[COMPLEX128]
    if value is bytes or value is str:
        return DTYPE_LIST[STRING]
    try:
        nd = np.dtype(value)
    except Exception:
        raise TypeError("Cannot convert %r to an eager dtype" % (value,)) from None
    if nd.kind in "SUO":
        return DTYPE_LIST[STRING]
    if nd.num < 64 and _BY_TYPENUM[nd.num] is not None:
        return <DType>_BY_TYPENUM[nd.num]
    raise TypeError("Cannot convert %r to an eager dtype" % (value,))


def dtype_list():
    return list(DTYPE_LIST)
