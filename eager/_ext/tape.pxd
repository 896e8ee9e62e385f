# Contract of the tape: recorded nodes and the tapes that hold them.
from eager._ext.tensor cimport Tensor
from eager._ext.dispatch cimport OpDef

cdef class Node:
    cdef readonly OpDef op
    cdef readonly list inputs       # Tensors the gradient reads
    cdef readonly tuple outputs
    cdef readonly dict attrs
    cdef readonly object grad_fn    # overrides op.grad (custom_gradient)

cdef class Tape:
    cdef readonly bint persistent
    cdef readonly bint watch_accessed_variables
    cdef bint _recording            # counted in Context.n_recorders
    cdef bint _used                 # a non-persistent tape after gradient()
    cdef list _marked               # tensors whose _nwatch this tape raised
    cdef dict _producer             # watched tensor id -> the Node that made it (None: a source)
    cdef list _variables            # variables read while recording
    cdef object _thread_stack       # the thread-local stack this tape sits in
    cdef object __weakref__
    cdef void _add(self, Node node)
    cdef void _mark(self, Tensor t)
    cdef void _unmark(self)

cpdef record_operation(OpDef op, list inputs, tuple outputs, dict attrs)
cdef list _stack()
