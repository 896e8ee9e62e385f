"""Automatic differentiation APIs: GradientTape (TensorFlow 2) and the
seed's tfe functions (gradients_function, implicit_gradients ...), all on
the Cython tape in eager/_ext/tape.pyx."""
import contextlib
import functools
import inspect

import numpy as np

from eager._ext import tape as _tape
from eager._ext.tape import needs_gradient  # noqa: F401  (for gradient functions)
from eager._ext.context import context as _context
from eager._ext.dispatch import convert_to_tensor
from eager._ext.tensor import Tensor
from eager.ops._registry import defop, api, execute, generic, ANY
from eager.util import nest

_CTX = _context()


def _is_variable(x):
    return getattr(x, "_is_eager_variable", False)


def _source_tensor(x, what="source"):
    if isinstance(x, Tensor):
        return x
    if _is_variable(x):
        return x.handle
    raise TypeError("GradientTape: %s must be a Tensor or a Variable, got %s (%r)"
                    % (what, type(x).__name__, x if len(repr(x)) < 60 else repr(x)[:57] + "..."))


def _zeros_like(x):
    from eager.ops.array import zeros_like
    return zeros_like(x)


_stop_gradient = defop("stop_gradient", generic(ANY), cpu=lambda x: x, cuda="identity",
                       differentiable=False)


@api(_stop_gradient, "eager")
def stop_gradient(input, name=None):
    """`input` itself as a value, but a constant for the tape: no gradient
    flows through it."""
    return execute(_stop_gradient, (input,))


class GradientTape(object):
    """Records operations so that gradients can be computed (TensorFlow 2).

        with eager.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        dy_dx = tape.gradient(y, x)

    persistent: allow several gradient() calls (resources are kept until the
        tape is dropped). watch_accessed_variables: watch every trainable
        Variable read inside the block.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._tape = _tape.Tape(persistent, watch_accessed_variables)
        self._persistent = persistent

    def __enter__(self):
        self._tape.push()
        return self

    def __exit__(self, *exc):
        self._tape.pop()
        return False

    def watch(self, tensor):
        """Makes the tape record ops on `tensor` (a Tensor, a Variable, or a
        nested structure of them). Integer and bool tensors get no gradient."""
        for t in nest.flatten(tensor):
            if _is_variable(t):
                self._tape.variable_accessed(t)
            self._tape.watch(_source_tensor(t, "watch() argument"))

    @contextlib.contextmanager
    def stop_recording(self):
        """A block in which this tape records nothing."""
        if not self._tape.active:
            raise RuntimeError("GradientTape.stop_recording() works only while the tape "
                               "is active (inside its `with` block)")
        paused = self._tape.pause()
        try:
            yield
        finally:
            if paused:
                self._tape.resume()

    def reset(self):
        """Forgets everything recorded so far (the tape keeps recording if active)."""
        self._tape.reset()

    def watched_variables(self):
        """The Variables read while this tape recorded, in first-read order."""
        return tuple(self._tape.variables)

    def _stop_if_recording(self):
        # As TensorFlow: computing gradients inside the block of a
        # non-persistent tape stops it; a persistent one records the
        # gradient computation too (that is how it differentiates twice).
        if self._tape.recording and not self._persistent:
            self._tape.pop()

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """d(sum of target)/d(source) for each source, in the structure of
        `sources`. None for an unconnected source (zeros with
        unconnected_gradients='zero'), and for integer or bool sources."""
        if unconnected_gradients not in ("none", "zero", UnconnectedGradients.NONE,
                                         UnconnectedGradients.ZERO):
            raise ValueError("unconnected_gradients must be 'none' or 'zero', got %r"
                             % (unconnected_gradients,))
        self._stop_if_recording()
        flat_targets = []
        for t in nest.flatten(target):
            if _is_variable(t):
                t = t.read_value()
            if not isinstance(t, Tensor):
                raise TypeError("GradientTape.gradient: target must be a Tensor (or a "
                                "structure of them), got %s" % type(t).__name__)
            flat_targets.append(t)
        flat_sources = [_source_tensor(s) for s in nest.flatten(sources)]
        if output_gradients is not None:
            ogs = [None if g is None else convert_to_tensor(g)
                   for g in nest.flatten(output_gradients)]
            if len(ogs) != len(flat_targets):
                raise ValueError("output_gradients has %d entries for %d targets"
                                 % (len(ogs), len(flat_targets)))
        else:
            ogs = None
        grads = self._tape.gradient(flat_targets, flat_sources, ogs)
        zero = unconnected_gradients in ("zero", UnconnectedGradients.ZERO)
        out = []
        for s, g in zip(flat_sources, grads):
            if not (s.dtype.is_floating or s.dtype.is_complex):
                g = None
            elif g is None and zero:
                g = _zeros_like(s)
            out.append(g)
        return nest.pack_sequence_as(sources, out)

    def jacobian(self, target, sources, unconnected_gradients="none",
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...] for each source: shape
        target.shape + source.shape."""
        from eager.ops import array as A
        self._stop_if_recording()
        if _is_variable(target):
            target = target.read_value()
        flat_sources = [_source_tensor(s) for s in nest.flatten(sources)]
        n = int(np.prod(target.shape, dtype=np.int64))
        rows = [[] for _ in flat_sources]
        try:
            for i in range(n):
                og = np.zeros(n, target.dtype.np_dtype)
                og[i] = 1
                og = convert_to_tensor(og.reshape(tuple(target.shape)))
                grads = self._tape.gradient([target], flat_sources, [og], keep=True)
                for k, (s, g) in enumerate(zip(flat_sources, grads)):
                    rows[k].append(g if g is not None else _zeros_like(s))
        finally:
            if not self._persistent:
                self._tape.release()
        out = []
        for s, r in zip(flat_sources, rows):
            if not r:
                j = A.zeros(list(target.shape) + list(s.shape), dtype=s.dtype)
            else:
                j = A.reshape(A.stack(r), list(target.shape) + list(s.shape))
            out.append(j)
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients="none",
                       parallel_iterations=None, experimental_use_pfor=True):
        """For target [b, ...] and source [b, ...] where row i of target
        depends only on row i of source: shape [b] + target.shape[1:] +
        source.shape[1:]."""
        from eager.ops import array as A
        self._stop_if_recording()
        src = _source_tensor(source)
        tshape = list(target.shape)
        if not tshape or tshape[0] != list(src.shape)[0]:
            raise ValueError("batch_jacobian: target %s and source %s need the same first "
                             "(batch) dimension" % (target.shape, src.shape))
        b = tshape[0]
        m = int(np.prod(tshape[1:], dtype=np.int64))
        cols = []
        try:
            for j in range(m):
                og = np.zeros((b, m), target.dtype.np_dtype)
                og[:, j] = 1
                og = convert_to_tensor(og.reshape(tshape))
                g = self._tape.gradient([target], [src], [og], keep=True)[0]
                cols.append(g if g is not None else _zeros_like(src))
        finally:
            if not self._persistent:
                self._tape.release()
        j = A.stack(cols, axis=1)  # [b, m, source...]
        return A.reshape(j, [b] + tshape[1:] + list(src.shape)[1:])


class UnconnectedGradients(object):
    NONE = "none"
    ZERO = "zero"


def _arg_indices(f, params, nargs):
    if params is None:
        return list(range(nargs))
    try:
        names = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        names = []
    out = []
    for p in params:
        if isinstance(p, int):
            out.append(p)
        elif p in names:
            out.append(names.index(p))
        else:
            raise ValueError("params: %r is not an argument of %s" % (p, getattr(f, "__name__", f)))
    return out


def _as_source(x):
    if isinstance(x, Tensor):
        return x
    if _is_variable(x):
        return x
    return convert_to_tensor(x)


def value_and_gradients_function(f, params=None):
    """Returns a function that, called like f, returns (f's value, [df/darg
    for each argument (or those `params` names)]). Arguments the value does
    not depend on get zeros; Python floats become float32 tensors."""
    return _tape.GradientsFunction(f, params, _arg_indices, True)


def gradients_function(f, params=None):
    """Returns a function that, called like f, returns [df/darg for each
    argument] (or those `params` names); see value_and_gradients_function.

        df = gradients_function(lambda x: x * x)
        df(3.)[0]   # 6.0
    """
    return _tape.GradientsFunction(f, params, _arg_indices, False)


val_and_grad_function = value_and_gradients_function


def implicit_value_and_gradients(f):
    """Returns a function that, called like f, returns (value, [(gradient,
    variable), ...]) for every trainable Variable f reads."""
    @functools.wraps(f)
    def decorated(*args, **kwds):
        tape = _tape.Tape(False, True)
        tape.push()
        try:
            value = f(*args, **kwds)
        finally:
            tape.pop()
        variables = [v for v in tape.variables if getattr(v, "trainable", True)]
        if not variables:
            raise ValueError("No trainable variables were accessed while the function "
                             "was being computed.")
        if _is_variable(value):
            value = value.read_value()
        grads = tape.gradient([value], [v.handle for v in variables], None)
        return value, list(zip(grads, variables))
    return decorated


def implicit_gradients(f):
    """Returns a function that, called like f, returns [(gradient, variable),
    ...] for every trainable Variable f reads."""
    vg = implicit_value_and_gradients(f)

    @functools.wraps(f)
    def decorated(*args, **kwds):
        return vg(*args, **kwds)[1]
    return decorated


def custom_gradient(f=None):
    """Decorator: f(*args) returns (y, grad_fn); grad_fn(dy) returns the
    gradients of the args (one, or a list). The ops inside f are not
    recorded; the tape uses grad_fn instead.

        @custom_gradient
        def log1pexp(x):
            e = exp(x)
            return log(1 + e), lambda dy: dy * (1 - 1 / (1 + e))
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        tensors = [a if isinstance(a, Tensor) else
                   (a.read_value() if _is_variable(a) else convert_to_tensor(a)) for a in args]
        paused = [t for t in _tape.active_tapes() if t.pause()]
        try:
            result, grad_fn = f(*tensors, **kwargs)
        finally:
            for t in paused:
                t.resume()
        flat = nest.flatten(result)
        outs = tuple(o if isinstance(o, Tensor) else convert_to_tensor(o) for o in flat)

        def node_grad(g, ans, *inputs):
            gs = g if isinstance(g, tuple) else (g,)
            r = grad_fn(*gs)
            if isinstance(r, (list, tuple)):
                r = list(r)
            else:
                r = [r]
            if len(r) != len(inputs):
                raise ValueError("custom_gradient: the gradient function of %s returned %d "
                                 "gradients for %d inputs" % (f.__name__, len(r), len(inputs)))
            return tuple(None if x is None else convert_to_tensor(x) for x in r)
        _tape.record_custom(tensors, outs, node_grad)
        return nest.pack_sequence_as(result, list(outs))
    return decorated


# Exported in the eager namespace.
api(None, "eager")(custom_gradient)
