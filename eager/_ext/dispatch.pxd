# Contract of the dispatcher: the op definition record and execute().
from eager._ext.dtypes cimport DType
from eager._ext.tensor cimport Tensor

cdef class OpDef:
    cdef readonly str name
    cdef readonly object kernels        # dict: backend kind ('cpu', 'cuda') -> kernel
    cdef readonly object cpu_kernel
    cdef readonly object grad           # VJP maker, or None
    cdef readonly bint differentiable
    cdef readonly int match             # MATCH_ALL, MATCH_NONE or MATCH_FIRST (n first inputs)
    cdef readonly int n_match
    cdef readonly unsigned int dtype_mask  # allowed dtype codes of the matched inputs
    cdef readonly object check          # optional check(op, tensors, attrs) before the kernel
    cdef readonly object family         # the Python family object (rules, docs, tests)
    cdef readonly int n_outputs         # -1: the kernel returns a tuple of any length
    cdef readonly object save           # what the tape keeps: 'inputs', 'outputs', 'both', 'none'
    cdef readonly bint save_outputs     # the gradient reads the outputs (`ans`)
    cdef readonly bint unbroadcast      # the tape sums input gradients back to input shapes
    cdef readonly dict info             # everything else the registry knows

cpdef Tensor convert_to_tensor(object value, object dtype=*, object name=*)
cpdef execute(OpDef op, tuple inputs, dict attrs=*)
