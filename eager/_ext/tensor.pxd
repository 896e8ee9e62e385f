# Contract of the Tensor type: its C fields and the constructors the
# dispatcher and the tape call at C speed.
from eager._ext.dtypes cimport DType

cdef class Tensor:
    cdef object _value        # storage: numpy.ndarray on the CPU, a backend buffer elsewhere
    cdef DType _dtype
    cdef int _device          # index into Context.device_names
    cdef object _shape_cache  # TensorShape, built on first .shape
    cdef readonly long long _id   # unique per process; the tape keys on it
    cdef long long _wstamp        # newest epoch of a tape that watches it (eager/_ext/tape.pyx)
    cdef object _node             # the tape Node that made it, or None
    cdef int _out_index           # which output of _node it is
    cdef object __weakref__
    cdef object _host(self)

cdef Tensor make_tensor(object value, DType dtype, int device)
cdef Tensor wrap_array(object arr)
cdef object fast_binary(int op, object x, object y)
