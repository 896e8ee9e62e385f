# Contract of the dtype table: codes are small ints so the dispatcher can
# check and compare dtypes with C comparisons.

cdef enum:
    BOOL = 0
    INT8 = 1
    INT16 = 2
    INT32 = 3
    INT64 = 4
    UINT8 = 5
    UINT16 = 6
    UINT32 = 7
    UINT64 = 8
    FLOAT16 = 9
    FLOAT32 = 10
    FLOAT64 = 11
    COMPLEX64 = 12
    COMPLEX128 = 13
    STRING = 14
    N_DTYPES = 15

cdef class DType:
    cdef readonly int code
    cdef readonly str name
    cdef readonly object np_dtype       # numpy.dtype instance
    cdef readonly object as_numpy_dtype # numpy scalar type (np.float32 ...)
    cdef readonly int itemsize

cdef list DTYPE_LIST
cdef DType dtype_of_array(object arr)
cdef DType dtype_from_typenum(int typenum)
cpdef DType as_dtype(object value)
