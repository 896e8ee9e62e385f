"""The op registry: every op is declared once here, with its name, family
(which owns the shape and dtype rule), kernels per device, gradient and
checks. The dispatcher, the tape, the tests, the docs and the benchmarks all
read this one table.

Adding an op (see CONVENTIONS.md):

    _square = defop("square", unary(NUMERIC), cpu=np.square, cuda="x * x",
                    grad=lambda g, ans, x: (g * 2 * x,))

    @api(_square, "eager", "eager.math")
    def square(x, name=None):
        '''x * x elementwise.'''
        return execute(_square, (x,))

A gradient is `grad(g, ans, *inputs, **attrs)`: `g` is the gradient of the
output (a tuple of them for several outputs, zeros where unconnected),
`ans` the output(s); it returns one gradient per input (None where there is
none), written with eager's own ops so that it is differentiable itself.
For the binary family the tape sums each gradient back to its input's shape
(broadcasting), so the gradient is written as if shapes were equal.
"""
import sys

import numpy as np

from eager._ext.dispatch import OpDef, MATCH_ALL, MATCH_NONE, MATCH_FIRST, execute  # noqa: F401
from eager._ext import dtypes as _dt

REGISTRY = {}           # op name -> OpDef
API = {}                # namespace ("eager", "eager.math" ...) -> {name: function}

bool_ = _dt.as_dtype("bool")
int8, int16, int32, int64 = (_dt.as_dtype(n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_dt.as_dtype(n) for n in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (_dt.as_dtype(n) for n in ("float16", "float32", "float64"))
complex64, complex128 = _dt.as_dtype("complex64"), _dt.as_dtype("complex128")
string = _dt.as_dtype("string")

FLOATS = (float16, float32, float64)
COMPLEX = (complex64, complex128)
INEXACT = FLOATS + COMPLEX
SIGNED_INTS = (int8, int16, int32, int64)
INTS = SIGNED_INTS + (uint8, uint16, uint32, uint64)
REAL = INTS + FLOATS
NUMERIC = REAL + COMPLEX
SIGNED = SIGNED_INTS + FLOATS + COMPLEX
ALL = NUMERIC + (bool_,)
ANY = ALL + (string,)


class Family(object):
    """What a group of ops shares: how inputs are matched, which dtypes are
    allowed, and how a gradient maps back to input shapes."""

    def __init__(self, kind, dtypes=None, match=MATCH_ALL, n_match=0,
                 unbroadcast=False, n_outputs=1, **rule):
        self.kind = kind
        self.dtypes = dtypes
        self.match = match
        self.n_match = n_match
        self.unbroadcast = unbroadcast
        self.n_outputs = n_outputs
        self.rule = rule

    def __repr__(self):
        return "<Family %s>" % self.kind


def unary(dtypes=NUMERIC, out="same"):
    """One input; the output has its shape (and dtype, unless `out` says)."""
    return Family("unary", dtypes, MATCH_ALL, out=out)


def binary(dtypes=NUMERIC, out="same"):
    """Two inputs of one dtype, NumPy broadcasting; the gradient of each
    input is summed back to that input's shape."""
    return Family("binary", dtypes, MATCH_ALL, unbroadcast=True, out=out)


def reduction(dtypes=NUMERIC):
    """One input, attrs `axis` and `keepdims`."""
    return Family("reduction", dtypes, MATCH_ALL)


def generic(dtypes=None, match=MATCH_NONE, n_match=0, n_outputs=1):
    """Anything else: the op's own check and kernel hold the rule."""
    return Family("generic", dtypes, match, n_match, n_outputs=n_outputs)


def unbroadcast(g, shape):
    """Sums `g` over the axes that broadcasting added or stretched, so it has
    `shape` (the one shared helper; ops never do this themselves)."""
    from eager.ops import reduction as _red, array as _arr
    gshape = g.shape
    if tuple(gshape) == tuple(shape):
        return g
    if len(shape) == 0:
        return _red.reduce_sum(g)
    nd = len(gshape) - len(shape)
    axes = list(range(nd))
    for i, d in enumerate(shape):
        if d == 1 and gshape[nd + i] != 1:
            axes.append(nd + i)
    if axes:
        g = _red.reduce_sum(g, axis=axes, keepdims=True)
    return _arr.reshape(g, list(shape))


def _grad_reads_outputs(grad):
    """False only when `grad` is a plain function that provably never reads
    its second parameter (`ans`); then the tape need not keep the op's
    outputs alive. Anything it cannot see through counts as reading."""
    import dis
    code = getattr(grad, "__code__", None)
    if code is None or code.co_argcount < 2 or code.co_flags & 0x0C:
        return True   # not a function, or *args / **kwargs could hide it
    ans = code.co_varnames[1]
    if ans in code.co_cellvars:
        return True   # a nested function reads it
    for ins in dis.get_instructions(code):
        if ins.opname.startswith(("LOAD_FAST", "STORE_FAST", "DELETE_FAST")) and (
                ins.argval == ans or (isinstance(ins.argval, tuple) and ans in ins.argval)):
            return True
    return False


def defop(name, family, cpu, grad=None, differentiable=True, check=None,
          dtypes=None, n_outputs=None, cuda=None, save=None, **info):
    """Declares op `name` and returns its OpDef.

    family: from unary/binary/reduction/generic (the shape and dtype rule).
    cpu: the CPU kernel, kernel(*numpy_arrays, **attrs) -> array(s).
    grad: grad(g, ans, *inputs, **attrs) -> per-input gradients, or None
        with differentiable=False.
    cuda: the CUDA kernel (an expression or a kernel name), for the GPU backend.
    check: check(op, tensors, attrs) raising a clear error before the kernel.
    save: what the tape keeps for the gradient: "both" (inputs and outputs)
        or "inputs"; by default "inputs" when the gradient never reads `ans`.
    """
    if name in REGISTRY:
        raise ValueError("op %r is declared twice" % name)
    if differentiable and grad is None:
        raise ValueError("op %r: give a gradient or differentiable=False" % name)
    if save is None:
        save = "both" if (grad is not None and _grad_reads_outputs(grad)) else "inputs"
    kernels = {"cpu": cpu}
    if cuda is not None:
        kernels["cuda_src"] = cuda
    op = OpDef(name, kernels, grad=grad, differentiable=differentiable,
               match=family.match, n_match=family.n_match,
               dtypes=dtypes if dtypes is not None else family.dtypes,
               check=check, family=family,
               n_outputs=n_outputs if n_outputs is not None else family.n_outputs,
               save=save, info=dict(info), unbroadcast=family.unbroadcast)
    REGISTRY[name] = op
    gpu = sys.modules.get("eager.backends.cuda.kernels")
    if gpu is not None:     # declared after the GPU backend loaded
        gpu.install({name: op})
    return op


def api(op, *namespaces, names=None):
    """Exports the decorated public function under its name in `namespaces`
    ("eager", "eager.math" ...) and links it to `op` (None for pure-Python
    helpers built from other ops)."""
    def deco(fn):
        for ns in namespaces:
            for n in (names or (fn.__name__,)):
                API.setdefault(ns, {})[n] = fn
        if op is not None:
            op.info.setdefault("api", fn)
        return fn
    return deco
