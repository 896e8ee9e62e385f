# Contract of the tape: recorded nodes and the tapes that hold them.
from eager._ext.tensor cimport Tensor
from eager._ext.dispatch cimport OpDef

cdef class Node:
    cdef readonly OpDef op
    cdef readonly tuple inputs      # Tensors the gradient reads; None once released
    cdef readonly tuple outputs     # kept only when the gradient reads them (or several)
    cdef readonly dict attrs
    cdef readonly object grad_fn    # overrides op.grad (custom_gradient)
    cdef long long out_id           # the output's id (single-output nodes)
    cdef int n_out
    cdef long long epoch            # the first tape that recorded it
    cdef tuple more                 # epochs of further tapes that recorded it, or None
    cdef int ntapes                 # tapes holding it; at 0 its references are dropped

cdef class Tape:
    cdef readonly bint persistent
    cdef readonly bint watch_accessed_variables
    cdef readonly long long epoch   # unique per tape (and per reset)
    cdef bint _live                 # epoch registered in Context.min_live_epoch's set
    cdef bint _recording            # counted in Context.n_recorders
    cdef bint _used                 # a non-persistent tape after gradient()
    cdef list _nodes                # the nodes this tape recorded
    cdef dict _watched              # id -> Tensor watched explicitly (sources)
    cdef list _variables            # variables read while recording
    cdef object _thread_stack       # the thread-local stack this tape sits in
    cdef object __weakref__
    cdef void _revive(self)
    cdef void _mark(self, Tensor t)
    cdef void _release(self)

cpdef record_operation(OpDef op, list inputs, tuple outputs, dict attrs)
cdef list _stack()
