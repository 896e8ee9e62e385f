"""The tape: records ops whose inputs are watched, and runs them backwards.

Bookkeeping lives on the tensors, as PyTorch's grad_fn does, so that
recording an op costs a node and a few C stores:
- every tape gets an epoch (a process-wide counter, never reused);
- a tensor's `_wstamp` is the newest epoch of the tapes that watch it or
  recorded the op that made it, so "does tape T see t?" is answered by one
  comparison in the common cases (stamp == T's epoch: yes; stamp < T's
  epoch: no) and by a look at t's producing node otherwise;
- `Context.min_live_epoch`, the oldest epoch of a live tape, lets the hot
  path skip every tensor stamped by tapes that are gone;
- a recorded output points at its Node (`_node`); the node holds its
  inputs, and its outputs only when the gradient reads them (`ans`), so the
  tape does not keep dead intermediates alive. A tape holds the list of its
  nodes; releasing it empties them, which also breaks the output -> node ->
  output cycle of nodes that keep their outputs.
Gradients are computed with eager's own ops while outer tapes keep
recording, which is what makes higher derivatives work.
"""
cimport cython
from cpython.object cimport PyObject
from cpython.dict cimport PyDict_GetItem
from cpython.pystate cimport PyThreadState_GetDict
from libc.limits cimport LLONG_MAX
import numpy as np

from eager._ext.tensor cimport Tensor, make_tensor
from eager._ext.dispatch cimport OpDef, convert_to_tensor
from eager._ext.context cimport Context, CTX
from eager._ext.dtypes cimport DType, FLOAT16, COMPLEX128

from eager import errors

cdef extern from *:
    """
    /* This OS thread's tape stack (a borrowed pointer to the list kept in
       the thread state dict, which owns it): one TLS read per look-up. */
    static __thread PyObject *eager_tls_tape_stack = NULL;
    """
    PyObject *eager_tls_tape_stack

cdef object _add_op = None
cdef object _zeros_like = None


cdef _load_ops():
    global _add_op, _zeros_like
    if _add_op is None:
        from eager.ops import math as m, array as a
        _add_op = m.add
        _zeros_like = a.zeros_like


cdef inline bint _differentiable_dtype(Tensor t):
    return FLOAT16 <= t._dtype.code <= COMPLEX128


# Not tracked by the cyclic GC: a node is in a cycle (output -> node ->
# outputs) only while a tape holds it, and releasing the tape (which is
# tracked, and releases on deallocation) empties it.
@cython.no_gc
@cython.freelist(512)
cdef class Node:
    def __repr__(self):
        return "<Node %s>" % (self.op.name if self.op is not None else "custom")


cdef inline bint _node_on(Node node, long long epoch):
    return node.inputs is not None and (
        node.epoch == epoch or (node.more is not None and epoch in node.more))


cdef inline bint _on_tape(Tensor t, Tape tape):
    """Does `tape` watch t or hold the op that made it?"""
    cdef long long s = t._wstamp
    if s == tape.epoch:
        return True
    if s < tape.epoch:
        return False
    # A newer tape stamped t too: look at what made it.
    if t._node is not None and _node_on(<Node>t._node, tape.epoch):
        return True
    return t._id in tape._watched


cdef inline Node _producer(Tensor t, long long epoch):
    if t._node is not None and _node_on(<Node>t._node, epoch):
        return <Node>t._node
    return None


# ---- live epochs ---------------------------------------------------------
cdef long long _next_epoch = 1
cdef dict _live = {}          # epoch -> number of registrations (1)


cdef long long _new_epoch():
    global _next_epoch
    cdef long long e = _next_epoch
    _next_epoch += 1
    _live[e] = 1
    if e < CTX.min_live_epoch:
        CTX.min_live_epoch = e
    return e


cdef void _retire_epoch(long long e):
    if _live.pop(e, None) is not None and e == CTX.min_live_epoch:
        CTX.min_live_epoch = min(_live) if _live else LLONG_MAX


cdef str _STACK_KEY = "eager.tape_stack"


cdef list _stack():
    """This thread's stack of active tapes (kept in the thread state dict,
    cached in a C thread-local pointer)."""
    global eager_tls_tape_stack
    if eager_tls_tape_stack != NULL:
        return <list>eager_tls_tape_stack
    cdef PyObject* d = PyThreadState_GetDict()
    cdef PyObject* item
    if d == NULL:
        raise RuntimeError("eager: no thread state")
    item = PyDict_GetItem(<object>d, _STACK_KEY)
    if item == NULL:
        st = []
        (<dict>d)[_STACK_KEY] = st
        item = PyDict_GetItem(<object>d, _STACK_KEY)
    eager_tls_tape_stack = item
    return <list>item


cdef class Tape:
    def __cinit__(self, bint persistent=False, bint watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._recording = False
        self._used = False
        self._nodes = []
        self._watched = {}
        self._variables = []
        self._thread_stack = None
        self.epoch = _new_epoch()
        self._live = True

    def __dealloc__(self):
        self._release()

    cdef void _revive(self):
        # A tape used again after release (reset, or recording on after a
        # jacobian) starts a new epoch: nothing stamped before is its own.
        if not self._live:
            self.epoch = _new_epoch()
            self._live = True

    cdef void _mark(self, Tensor t):
        self._revive()
        if t._id not in self._watched:
            self._watched[t._id] = t
        if t._wstamp < self.epoch:
            t._wstamp = self.epoch

    cdef void _release(self):
        cdef Node node
        if self._live:
            self._live = False
            _retire_epoch(self.epoch)
        if self._nodes:
            for x in self._nodes:
                node = <Node>x
                node.ntapes -= 1
                if node.ntapes <= 0:
                    node.inputs = None
                    node.outputs = None
                    node.attrs = None
                    node.grad_fn = None
            self._nodes = []
        self._watched = {}

    # ---- activation ------------------------------------------------------
    def push(self):
        """Makes this tape record in the current thread."""
        if self._thread_stack is not None:
            raise RuntimeError("This tape is already recording; a GradientTape cannot "
                               "be entered twice at the same time")
        self._revive()
        self._thread_stack = _stack()
        self._thread_stack.append(self)
        self._recording = True
        CTX.n_recorders += 1

    def pop(self):
        """Stops this tape recording (it keeps what it recorded)."""
        if self._thread_stack is None:
            return
        if self._recording:
            self._recording = False
            CTX.n_recorders -= 1
        try:
            self._thread_stack.remove(self)
        except ValueError:
            pass
        self._thread_stack = None

    def pause(self):
        if self._recording:
            self._recording = False
            CTX.n_recorders -= 1
            return True
        return False

    def resume(self):
        if not self._recording and self._thread_stack is not None:
            self._recording = True
            CTX.n_recorders += 1

    @property
    def recording(self):
        return self._recording

    @property
    def active(self):
        return self._thread_stack is not None

    # ---- watching --------------------------------------------------------
    def watch(self, Tensor t):
        if self._used:
            raise RuntimeError("GradientTape.watch on a non-persistent tape that has "
                               "already computed gradients")
        self._mark(t)

    def is_watched(self, Tensor t):
        return self._live and _on_tape(t, self)

    def variable_accessed(self, variable):
        for v in self._variables:
            if v is variable:
                return
        self._variables.append(variable)

    @property
    def variables(self):
        return list(self._variables)

    def reset(self):
        self._release()
        self._variables = []
        self._used = False
        if self._thread_stack is not None:
            self._revive()

    def release(self):
        # Frees what the tape saved; the list of variables it saw stays
        # (watched_variables() answers after gradient(), as TensorFlow's).
        self._release()

    def num_nodes(self):
        return len(self._nodes)

    # ---- backprop --------------------------------------------------------
    def gradient(self, list targets, list sources, list output_gradients,
                 bint keep=False):
        """Gradients of sum(targets) (weighted by output_gradients) with
        respect to each source Tensor; None where a source is unconnected.
        `keep` leaves the tape usable (persistent tapes, jacobians)."""
        if self._used:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute "
                               "one set of gradients (or jacobians); pass persistent=True")
        try:
            return _backprop(self, targets, sources, output_gradients)
        finally:
            if not (keep or self.persistent):
                self._used = True
                self._release()


cdef object _record_c(object opobj, list inputs, tuple outputs, object attrs):
    cdef OpDef op = <OpDef>opobj
    if op is None or not op.differentiable:
        return None
    cdef long long min_e = CTX.min_live_epoch
    for x in inputs:
        if (<Tensor>x)._wstamp >= min_e:
            break
    else:
        return None
    _put_on_tapes(op, tuple(inputs), outputs, attrs, None)


cdef object _record_fast_c(object opobj, object a, object b, object out):
    # The Tensor fast path (one or two Tensor inputs, one output): the
    # caller checked that an input may be watched.
    _put_on_tapes(<OpDef>opobj, (a,) if b is None else (a, b), None, None, None, <Tensor>out)


CTX.record_c = _record_c
CTX.record_fast_c = _record_fast_c


cpdef record_operation(OpDef op, list inputs, tuple outputs, dict attrs):
    """Puts the op on every recording tape of this thread that watches one
    of its inputs (what the dispatcher calls from C)."""
    _record_c(op, inputs, outputs, attrs)


cdef int _put_on_tapes(OpDef op, tuple inputs, tuple outputs, object attrs,
                       object grad_fn, Tensor out=None) except -1:
    """Records op(inputs) -> outputs (or the single output `out`) on every
    recording tape of this thread that sees one of its inputs."""
    cdef list stack = _stack()
    cdef Tape tape
    cdef Tensor t
    cdef Node node = None
    cdef long long stamp = 0
    cdef Py_ssize_t i
    for tp in stack:
        tape = <Tape>tp
        if not tape._recording:
            continue
        for x in inputs:
            if _on_tape(<Tensor>x, tape):
                break
        else:
            continue
        if node is None:
            node = Node.__new__(Node)
            node.op = op
            node.inputs = inputs
            node.attrs = attrs
            node.grad_fn = grad_fn
            node.epoch = tape.epoch
            node.ntapes = 1
        else:
            node.more = (tape.epoch,) if node.more is None else node.more + (tape.epoch,)
            node.ntapes += 1
        tape._nodes.append(node)
        if tape.epoch > stamp:
            stamp = tape.epoch
    if node is None:
        return 0
    if out is not None:
        node.n_out = 1
        node.out_id = out._id
        if op is None or op.save_outputs:
            node.outputs = (out,)
        out._node = node
        out._out_index = 0
        if out._wstamp < stamp:
            out._wstamp = stamp
        return 0
    node.n_out = len(outputs)
    if node.n_out == 1:
        node.out_id = (<Tensor>outputs[0])._id
    if grad_fn is not None or node.n_out != 1 or op.save_outputs:
        node.outputs = outputs
    for i in range(node.n_out):
        t = <Tensor>outputs[i]
        t._node = node
        t._out_index = i
        if t._wstamp < stamp:
            t._wstamp = stamp
    return 0


def record_custom(list inputs, tuple outputs, grad_fn, OpDef op=None):
    """Records a node whose gradient is grad_fn(g, ans, *inputs) (custom_gradient)."""
    cdef long long min_e = CTX.min_live_epoch
    for x in inputs:
        if (<Tensor>x)._wstamp >= min_e:
            break
    else:
        return
    _put_on_tapes(op, tuple(inputs), outputs, None, grad_fn)


def active_tapes():
    """This thread's recording tapes, innermost last."""
    return [t for t in _stack() if (<Tape>t)._recording]


def variable_accessed(variable):
    """A Variable calls this when it is read: recording tapes that watch
    accessed variables watch it and remember it (implicit_gradients)."""
    cdef Tape tape
    if not CTX.n_recorders:
        return
    for tp in _stack():
        tape = <Tape>tp
        if tape._recording:
            tape.variable_accessed(variable)
            if tape.watch_accessed_variables and getattr(variable, "trainable", True):
                tape._mark(<Tensor>variable.handle)


cdef object _ones_like(Tensor t):
    if t._device == 0:
        return make_tensor(np.ones(t._value.shape, t._dtype.np_dtype), t._dtype, 0)
    _load_ops()
    return _zeros_like(t) + 1


cdef object _sum(list gs):
    if len(gs) == 1:
        return gs[0]
    _load_ops()
    r = gs[0]
    for g in gs[1:]:
        r = _add_op(r, g)
    return r


cdef object _backprop(Tape tape, list targets, list sources, list output_gradients):
    cdef Tensor t
    cdef Node node, p
    cdef long long epoch = tape.epoch
    cdef bint live = tape._live
    cdef dict grads = {}           # tensor id -> list of gradient Tensors
    cdef dict pending = {}         # Node -> number of consumers not yet processed
    cdef list ready = []
    cdef list stack = []
    cdef set seen = set()
    cdef set source_ids = set()
    cdef dict results = {}
    cdef Py_ssize_t i

    for x in sources:
        source_ids.add((<Tensor>x)._id)
    # The initial gradients.
    for i in range(len(targets)):
        t = <Tensor>targets[i]
        g = output_gradients[i] if output_gradients is not None else None
        if g is None:
            if not _differentiable_dtype(t):
                continue
            g = _ones_like(t)
        grads.setdefault(t._id, []).append(g)
        node = _producer(t, epoch) if live else None
        if node is not None and node not in seen:
            seen.add(node)
            stack.append(node)
    # Count, for every node reachable from the targets, how many consumers
    # in that subgraph must hand it a gradient first.
    while stack:
        node = <Node>stack.pop()
        pending.setdefault(node, 0)
        for x in node.inputs:
            p = _producer(<Tensor>x, epoch)
            if p is None:
                continue
            pending[p] = pending.get(p, 0) + 1
            if p not in seen:
                seen.add(p)
                stack.append(p)
    for n, c in pending.items():
        if c == 0:
            ready.append(n)

    while ready:
        node = <Node>ready.pop()
        gouts = []
        anyg = False
        for i in range(node.n_out):
            oid = node.out_id if node.n_out == 1 else (<Tensor>node.outputs[i])._id
            gl = grads.pop(oid, None)
            if gl is not None:
                g = _sum(gl)
                if oid in source_ids:
                    results[oid] = g
                anyg = True
            else:
                g = None
            gouts.append(g)
        # Read the inputs before calling the gradient: an op it runs may be
        # recorded on this very tape (persistent tapes), never on this node.
        inputs = node.inputs
        if anyg:
            in_grads = _call_grad_tracking(node, gouts, tape, source_ids)
            for i in range(len(inputs)):
                gi = in_grads[i] if i < len(in_grads) else None
                if gi is None:
                    continue
                t = <Tensor>inputs[i]
                if not _differentiable_dtype(t):
                    continue
                grads.setdefault(t._id, []).append(gi)
        for x in inputs:
            p = _producer(<Tensor>x, epoch)
            if p is None:
                continue
            c = pending[p] - 1
            pending[p] = c
            if c == 0:
                ready.append(p)

    out = []
    for x in sources:
        t = <Tensor>x
        if t._id in results:
            out.append(results[t._id])
        else:
            gl = grads.get(t._id)
            out.append(_sum(gl) if gl is not None else None)
    return out


cdef str _NEEDS_KEY = "eager.tape_needs"


def needs_gradient(int i):
    """Inside an op's gradient function while a tape runs it: whether input
    `i` needs a gradient at all (False for an input that no source depends
    on, e.g. a convolution's image batch), so the function may return None
    for it instead of computing it. True outside backprop."""
    cdef PyObject* d = PyThreadState_GetDict()
    cdef PyObject* item
    if d == NULL:
        return True
    item = PyDict_GetItem(<object>d, _NEEDS_KEY)
    if item == NULL or <object>item is None:
        return True
    needs = <tuple>item
    return needs[i] if 0 <= i < len(needs) else True


cdef object _call_grad_tracking(Node node, list gouts, Tape tape, set source_ids):
    # Tell the gradient function which inputs lead to a source: the tape
    # follows an input only if it is a source, watched, or made by an op
    # this tape recorded.
    cdef Tensor t
    cdef list needs = []
    for x in node.inputs:
        t = <Tensor>x
        needs.append(_differentiable_dtype(t) and (
            t._id in source_ids or _on_tape(t, tape)))
    d = <dict>PyThreadState_GetDict()
    prev = d.get(_NEEDS_KEY)
    d[_NEEDS_KEY] = tuple(needs)
    try:
        return _call_grad(node, gouts)
    finally:
        d[_NEEDS_KEY] = prev


cdef object _call_grad(Node node, list gouts):
    cdef Tensor t
    if len(gouts) == 1:
        g = gouts[0]
        ans = node.outputs[0] if node.outputs is not None else None
    else:
        _load_ops()
        for i in range(len(gouts)):
            if gouts[i] is None:
                gouts[i] = _zeros_like(node.outputs[i])
        g = tuple(gouts)
        ans = node.outputs
    if node.grad_fn is not None:
        r = node.grad_fn(g, ans, *node.inputs)
    elif node.attrs:
        r = node.op.grad(g, ans, *node.inputs, **node.attrs)
    else:
        r = node.op.grad(g, ans, *node.inputs)
    if r is None or isinstance(r, Tensor):
        r = (r,)
    if node.op is not None and node.op.unbroadcast:
        r = _unbroadcast_all(tuple(r), node.inputs)
    return r


cdef tuple _unbroadcast_all(tuple grads, tuple inputs):
    # The common case (no broadcasting) costs one tuple comparison per input.
    global _unbroadcast
    cdef list out = []
    for i in range(len(grads)):
        gi = grads[i]
        x = inputs[i]
        if gi is None or (type(gi) is Tensor and
                          (<Tensor>gi)._value.shape == (<Tensor>x)._value.shape):
            out.append(gi)
        else:
            if _unbroadcast is None:
                from eager.ops._registry import unbroadcast
                _unbroadcast = unbroadcast
            out.append(_unbroadcast(gi, x.shape))
    return tuple(out)


cdef object _unbroadcast = None


# ---- the seed's gradients_function, on the C path -----------------------
cdef dict _ones_cache = {}


cdef object _scalar_one(Tensor t):
    # Tensors are immutable, so one 0-d "1" per dtype serves every call.
    r = _ones_cache.get(t._dtype.code)
    if r is None:
        r = make_tensor(np.ones((), t._dtype.np_dtype), t._dtype, 0)
        _ones_cache[t._dtype.code] = r
    return r


cdef inline bint _is_variable(object x):
    return getattr(x, "_is_eager_variable", False)


def value_and_gradients(f, tuple args_in, dict kwds, list idx):
    """Runs f(*args, **kwds) under a fresh tape watching args[i] for i in
    idx (all arguments when idx is None); returns (value, [gradient per
    watched argument]), zeros where the value does not depend on one."""
    return _value_and_gradients(f, args_in, kwds, idx)


cdef class GradientsFunction:
    """What tfe.gradients_function / value_and_gradients_function return: a
    callable with f's name and docstring, run without a Python frame of its
    own (the seed's d3f chains three of them)."""
    cdef object _f
    cdef object _params
    cdef object _arg_indices
    cdef bint _with_value
    cdef object __weakref__

    def __cinit__(self, f, params, arg_indices, bint with_value):
        self._f = f
        self._params = params
        self._arg_indices = arg_indices
        self._with_value = with_value

    def __call__(self, *args, **kwds):
        idx = None if self._params is None else self._arg_indices(self._f, self._params, len(args))
        r = _value_and_gradients(self._f, args, kwds, idx)
        return r if self._with_value else r[1]

    @property
    def __name__(self):
        return getattr(self._f, "__name__", "gradients_function")

    @property
    def __doc__(self):
        return getattr(self._f, "__doc__", None)

    @property
    def __wrapped__(self):
        return self._f

    def __repr__(self):
        return "<%s of %r>" % ("value_and_gradients_function" if self._with_value
                               else "gradients_function", self._f)


cdef tuple _value_and_gradients(f, tuple args_in, dict kwds, list idx):
    cdef Tape tape = Tape.__new__(Tape, False, False)
    cdef list args = list(args_in)
    cdef list sources = []
    cdef Tensor src
    cdef Py_ssize_t i, n = len(args)
    if idx is None:
        idx = list(range(n))
    tape.push()
    try:
        for i in idx:
            a = args[i]
            if type(a) is not Tensor:
                if _is_variable(a):
                    src = <Tensor>a.handle
                else:
                    a = convert_to_tensor(a)
                    args[i] = a
                    src = <Tensor>a
            else:
                src = <Tensor>a
            tape._mark(src)
            sources.append(src)
        value = f(*args, **kwds) if kwds else f(*args)
    finally:
        tape.pop()
    if type(value) is not Tensor:
        if _is_variable(value):
            value = value.read_value()
        if value is None:
            raise ValueError("gradients_function: %s returned None; it must return a Tensor"
                             % getattr(f, "__name__", "f"))
        value = convert_to_tensor(value)
    cdef Tensor v = <Tensor>value
    cdef list og = None
    if v._device == 0 and v._value.ndim == 0 and FLOAT16 <= v._dtype.code <= COMPLEX128:
        og = [_scalar_one(v)]
    try:
        grads = _backprop(tape, [value], sources, og)
    finally:
        tape._used = True
        tape._release()
    for i in range(len(grads)):
        if grads[i] is None:
            src = <Tensor>sources[i]
            if FLOAT16 <= src._dtype.code <= COMPLEX128:
                _load_ops()
                grads[i] = _zeros_like(src)
    return value, grads
