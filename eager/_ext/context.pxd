# Process-wide switches that the hot path reads as C ints. Each counts
# activations in any thread; the thread-local details live behind them and
# are looked at only when a count is non-zero.

# The tape's record function, called from C by the dispatcher and the Tensor
# fast path: record(op, inputs, outputs, attrs).
ctypedef object (*record_fn_t)(object, list, tuple, object)
# The Tensor fast path's: record_fast(op, a, b or None, out), all Tensors.
ctypedef object (*record_fast_fn_t)(object, object, object, object)

cdef class Context:
    cdef public int n_recorders      # tapes active in any thread
    cdef public int n_device_scopes  # eager.device(...) scopes naming a non-CPU device
    cdef public int n_tracers        # graph tracers active in any thread
    cdef public object record        # record(op, inputs, outputs, attrs), set by the tape
    cdef public object trace_execute # execute(op, inputs, attrs) of the active tracer
    cdef public object local         # threading.local(): device stack, tape stack, tracer
    cdef public list device_names    # device index -> full device name
    cdef public list devices         # device index -> backend device object
    cdef public str placement_policy # 'silent', 'warn' or 'explicit'
    cdef record_fn_t record_c        # set by eager._ext.tape; NULL before
    cdef record_fast_fn_t record_fast_c
    cdef public long long min_live_epoch  # oldest epoch of a live tape (LLONG_MAX: none);
                                          # a tensor stamped older is watched by no tape

cdef Context CTX
