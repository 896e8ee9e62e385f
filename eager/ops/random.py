"""Random ops (uniform, normal, truncated normal, shuffle, multinomial, gamma,
Poisson, stateless variants) with TensorFlow's seeding rules, on NumPy's
PCG64 generator (Philox was measured 1.5-3x slower for uniform values here).

Seeds: `set_random_seed(g)` makes a whole program repeat. An op's stream is
chosen by the pair (seed, seed2) that `get_seed(op_seed)` returns:
  * global seed g, no op seed    -> (g, None): one global stream, restarted by
                                    every set_random_seed call;
  * global seed g, op seed s     -> (g, s): a stream per pair, so repeated
                                    calls with one op seed differ but repeat;
  * op seed s only               -> (87654321, s), TensorFlow's default
                                    global seed;
  * neither                      -> (None, None): OS entropy.
The ops carry (seed, seed2) as attrs and find their cached Generator at run
time, so a kernel sees attrs only, as TensorFlow's kernels do.
"""
import os
import threading

import numpy as np

from eager import errors
from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager.ops._registry import (defop, api, execute, generic, MATCH_NONE, ANY, REAL,
                                 FLOATS, float32, int32, int64, uint32, uint64)

DEFAULT_GLOBAL_SEED = 87654321  # TensorFlow's DEFAULT_GRAPH_SEED
_MAX_ELEMENTS = 2 ** 31 - 1
_M64 = (1 << 64) - 1
# The first word of a stream's seed entropy keeps kinds of streams apart.
_OP_STREAM, _GLOBAL_STREAM, _STATELESS = 0, 1, 2

_UNIFORM_DTYPES = FLOATS + (int32, int64, uint32, uint64)
_POISSON_DTYPES = FLOATS + (int32, int64)


class _SeedState(object):
    """The global seed, the per-(seed, seed2) Generators and the entropy
    Generator. Generators are created once and reused: one costs ~8 us to
    build and well under a kilobyte to keep."""

    def __init__(self):
        self.global_seed = None
        self.streams = {}
        self.lock = threading.Lock()
        self.entropy = np.random.Generator(np.random.PCG64())

    def reseed_entropy(self):
        # A forked child would otherwise repeat its parent's "random" numbers.
        self.entropy = np.random.Generator(np.random.PCG64())


_STATE = _SeedState()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_STATE.reseed_entropy)


def _new_stream(seed, seed2):
    if seed2 is None:
        entropy = [_GLOBAL_STREAM, seed & _M64, 0]
    else:
        entropy = [_OP_STREAM, seed & _M64, seed2 & _M64]
    gen = np.random.Generator(np.random.PCG64(entropy))
    with _STATE.lock:
        return _STATE.streams.setdefault((seed, seed2), gen)


def _generator(seed, seed2):
    """The Generator of stream (seed, seed2); (None, None) is OS entropy."""
    if seed is None:
        return _STATE.entropy
    gen = _STATE.streams.get((seed, seed2))
    return gen if gen is not None else _new_stream(seed, seed2)


def _stateless_generator(key):
    """A fresh Generator for a stateless op's [2] seed: same seed, same numbers."""
    a, b = (int(v) & _M64 for v in key.reshape(-1)[:2])
    return np.random.Generator(np.random.PCG64([_STATELESS, a, b]))


# ---- seeds -------------------------------------------------------------------
def _check_seed(seed, what):
    if isinstance(seed, Tensor):
        if not seed.dtype.is_integer or seed.shape != ():
            raise TypeError("%s: seed must be a Python int or an integer scalar, got a %s "
                            "Tensor of shape %s" % (what, seed.dtype.name, seed.shape))
        return int(seed.numpy())
    if isinstance(seed, (int, np.integer)):
        return int(seed)
    raise TypeError("%s: seed must be a Python int or None, got %s %r"
                    % (what, type(seed).__name__, seed))


@api(None, "eager", "eager.random", names=("set_random_seed",))
def set_random_seed(seed):
    """Sets the global random seed (TF 1's tf.set_random_seed).

    Afterwards every random op of the program repeats exactly; calling it
    again (even with the same seed) restarts all sequences, those of op
    seeds included. `seed=None` returns to nondeterministic streams for ops
    without an op seed.

    >>> set_random_seed(1); a = random_uniform([2])
    >>> set_random_seed(1); b = random_uniform([2])
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    if seed is not None:
        seed = _check_seed(seed, "set_random_seed")
    with _STATE.lock:
        _STATE.global_seed = seed
        _STATE.streams = {}


@api(None, "eager.random")
def set_seed(seed):
    """Sets the global random seed (TF 2's tf.random.set_seed); see
    set_random_seed."""
    set_random_seed(seed)


@api(None, "eager.random")
def get_seed(op_seed):
    """The (seed, seed2) pair that selects an op's random stream, as
    TensorFlow's get_seed: (global, op_seed) when an op seed is given (the
    global seed defaults to 87654321), (global, None) for the global stream,
    (None, None) when nothing is seeded."""
    g = _STATE.global_seed
    if op_seed is None:
        return (g, None)
    op_seed = _check_seed(op_seed, "get_seed")
    return (DEFAULT_GLOBAL_SEED if g is None else g, op_seed)


def _seeds(op_seed, opname):
    g = _STATE.global_seed
    if op_seed is None:
        return g, None
    return (DEFAULT_GLOBAL_SEED if g is None else g), _check_seed(op_seed, opname)


# ---- argument checks ---------------------------------------------------------
def _invalid(opname, msg):
    return errors.InvalidArgumentError(None, opname, "%s: %s" % (opname, msg))


def _dim(d, shape, opname):
    if isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)):
        return int(d)
    if isinstance(d, Tensor) and d.dtype.is_integer and d.shape == ():
        return int(d.numpy())
    if d is None:
        raise ValueError("%s: shape %s has an unknown dimension; random ops need a fully "
                         "defined shape" % (opname, list(shape)))
    raise TypeError("%s: shape %r must hold integers, got %s" % (opname, shape, type(d).__name__))


def _shape_arg(shape, opname, what="shape"):
    """`shape` (list, tuple, TensorShape, 1-D int Tensor or array) as a tuple
    of ints, checked: no negative dimension, fewer than 2**31 elements."""
    if isinstance(shape, (list, tuple)):
        dims = tuple([_dim(d, shape, opname) for d in shape])
    elif isinstance(shape, (Tensor, np.ndarray)):
        kind = shape.dtype.is_integer if isinstance(shape, Tensor) else shape.dtype.kind in "iu"
        if not kind:
            raise TypeError("%s: %s must be an integer vector, got a %s tensor"
                            % (opname, what, shape.dtype.name))
        arr = np.asarray(shape.numpy() if isinstance(shape, Tensor) else shape)
        if arr.ndim != 1:
            raise _invalid(opname, "%s must be a 1-D vector of dimensions, got one of shape %s"
                           % (what, arr.shape))
        dims = tuple(int(d) for d in arr)
    elif isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        raise _invalid(opname, "%s must be a 1-D vector of dimensions, got the scalar %d "
                       "(write [%d])" % (what, shape, shape))
    else:
        raise TypeError("%s: %s must be a list, tuple, TensorShape or 1-D integer Tensor, "
                        "got %s" % (opname, what, type(shape).__name__))
    _check_size(dims, opname, what)
    return dims


def _check_size(dims, opname, what="shape"):
    n = 1
    for d in dims:
        if d < 0:
            raise _invalid(opname, "%s %s has a negative dimension" % (what, list(dims)))
        # Zeros are skipped so that [0, 2**40] is refused too: no kernel
        # should meet such a dimension.
        n *= d or 1
    if n > _MAX_ELEMENTS:
        raise _invalid(opname, "%s %s is too large: %d elements, more than the 2**31 - 1 "
                       "allowed" % (what, list(dims), n))


def _dtype_arg(dtype, allowed, opname):
    dt = as_dtype(dtype)
    if dt not in allowed:
        raise _invalid(opname, "dtype %s is not supported (supported: %s)"
                       % (dt.name, ", ".join(d.name for d in allowed)))
    return dt


def _to_tensor(value, dt, opname, what):
    try:
        return convert_to_tensor(value, dt)
    except (TypeError, OverflowError, errors.InvalidArgumentError) as e:
        raise TypeError("%s: %s must be convertible to %s: %s" % (opname, what, dt.name, e)) from None


def _param(value, dt, opname, what, shape):
    """A distribution parameter (minval, stddev...) as a NumPy value of `dt`,
    broadcastable to the output `shape`; a Python scalar stays a Python
    scalar so the kernel's in-place arithmetic keeps the dtype."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    arr = _to_tensor(value, dt, opname, what).numpy()
    if arr.ndim:
        try:
            ok = np.broadcast_shapes(shape, arr.shape) == tuple(shape)
        except ValueError:
            ok = False
        if not ok:
            raise _invalid(opname, "%s of shape %s does not broadcast to the output shape %s"
                           % (what, arr.shape, list(shape)))
    return arr


# ---- samplers (shared by stateful and stateless kernels) ----------------------
def _standard_uniform(gen, shape, npdt):
    if npdt == np.float16:
        # k / 2048 is exact in float16 and < 1; rounding float32 would reach 1.0.
        u = gen.integers(0, 2048, size=shape, dtype=np.int16).astype(np.float16)
        u *= np.float16(1.0 / 2048)
        return u
    return gen.random(shape, dtype=npdt)


def _sample_uniform(gen, shape, dtype, minval, maxval):
    npdt = dtype.np_dtype
    if dtype.is_integer:
        if not all(shape):
            return np.empty(shape, npdt)  # minval >= maxval is fine for no values
        return gen.integers(minval, maxval, size=shape, dtype=npdt)
    u = _standard_uniform(gen, shape, npdt)
    if minval is None:
        return u
    # TensorFlow's rule: u * (maxval - minval) + minval, in the output dtype.
    span = np.subtract(maxval, minval, dtype=npdt)
    u *= span
    u += np.asarray(minval, dtype=npdt)
    return u


def _standard_normal(gen, shape, npdt):
    if npdt == np.float16:
        return gen.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return gen.standard_normal(shape, dtype=npdt)


def _scale_shift(z, mean, stddev):
    if mean is None:
        return z
    npdt = z.dtype
    z *= np.asarray(stddev, dtype=npdt)
    z += np.asarray(mean, dtype=npdt)
    return z


def _sample_normal(gen, shape, dtype, mean, stddev):
    return _scale_shift(_standard_normal(gen, shape, dtype.np_dtype), mean, stddev)


def _sample_truncated(gen, shape, dtype, mean, stddev):
    npdt = dtype.np_dtype
    work = np.float32 if npdt == np.float16 else npdt
    z = gen.standard_normal(shape, dtype=work)
    flat = z.reshape(-1)
    # Redraw values beyond 2 standard deviations; ~4.6% per round, so a few rounds.
    bad = np.flatnonzero(np.abs(flat) > 2)
    while bad.size:
        flat[bad] = gen.standard_normal(bad.size, dtype=work)
        bad = bad[np.abs(flat[bad]) > 2]
    if work is not npdt:
        z = z.astype(npdt)
    return _scale_shift(z, mean, stddev)


# ---- uniform -------------------------------------------------------------------
def _uniform_kernel(shape, dtype, seed, seed2, minval=None, maxval=None):
    return _sample_uniform(_generator(seed, seed2), shape, dtype, minval, maxval)


_random_uniform = defop("random_uniform", generic(), cpu=_uniform_kernel,
                        differentiable=False, host_kernel=True)


def _uniform_attrs(shape, minval, maxval, dtype, opname):
    dt = _dtype_arg(dtype, _UNIFORM_DTYPES, opname)
    dims = _shape_arg(shape, opname)
    if dt.is_integer:
        if maxval is None:
            raise ValueError("%s: must specify maxval for integer dtype %s" % (opname, dt.name))
        lo = _to_tensor(minval, dt, opname, "minval")
        hi = _to_tensor(maxval, dt, opname, "maxval")
        if lo.shape != () or hi.shape != ():
            raise _invalid(opname, "minval and maxval must be scalars for integer dtype %s, got "
                           "shapes %s and %s" % (dt.name, lo.shape, hi.shape))
        lo, hi = int(lo.numpy()), int(hi.numpy())
        if lo >= hi and int(np.prod(dims, dtype=np.int64)) > 0:
            raise _invalid(opname, "need minval < maxval, got %d >= %d" % (lo, hi))
        return dims, dt, lo, hi
    if maxval is None:
        maxval = 1.0
    if (type(minval) is int or type(minval) is float) and minval == 0 \
            and (type(maxval) is int or type(maxval) is float) and maxval == 1:
        return dims, dt, None, None
    return (dims, dt, _param(minval, dt, opname, "minval", dims),
            _param(maxval, dt, opname, "maxval", dims))


@api(_random_uniform, "eager")
def random_uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    """Uniform random values in [minval, maxval) (TF 1's tf.random_uniform).

    shape: list, tuple, TensorShape or 1-D int Tensor.
    minval, maxval: the range; maxval defaults to 1 for floats and is
        required for integer dtypes (then both must be scalars).
    dtype: float16, float32, float64, int32, int64, uint32 or uint64.
    seed: the op seed (see set_random_seed).

    >>> random_uniform([2, 3], seed=1).shape
    TensorShape([2, 3])
    """
    dims, dt, lo, hi = _uniform_attrs(shape, minval, maxval, dtype, "random_uniform")
    s1, s2 = _seeds(seed, "random_uniform")
    return execute(_random_uniform, (), {"shape": dims, "dtype": dt, "seed": s1, "seed2": s2,
                                         "minval": lo, "maxval": hi})


@api(_random_uniform, "eager.random", names=("uniform",))
def uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    """Uniform random values in [minval, maxval) (TF 2's tf.random.uniform);
    the arguments are those of random_uniform."""
    return random_uniform(shape, minval, maxval, dtype, seed, name)


# ---- normal and truncated normal ---------------------------------------------------
def _normal_attrs(shape, mean, stddev, dtype, opname):
    dt = _dtype_arg(dtype, FLOATS, opname)
    dims = _shape_arg(shape, opname)
    if (type(mean) is int or type(mean) is float) and mean == 0 \
            and (type(stddev) is int or type(stddev) is float) and stddev == 1:
        return dims, dt, None, None
    return (dims, dt, _param(mean, dt, opname, "mean", dims),
            _param(stddev, dt, opname, "stddev", dims))


def _normal_kernel(shape, dtype, seed, seed2, mean=None, stddev=None):
    return _sample_normal(_generator(seed, seed2), shape, dtype, mean, stddev)


_random_normal = defop("random_normal", generic(), cpu=_normal_kernel,
                       differentiable=False, host_kernel=True)


@api(_random_normal, "eager")
def random_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normally distributed random values (TF 1's tf.random_normal).

    shape: list, tuple, TensorShape or 1-D int Tensor.
    mean, stddev: scalars or tensors that broadcast to `shape`.
    dtype: float16, float32 or float64.
    seed: the op seed (see set_random_seed).
    """
    dims, dt, m, s = _normal_attrs(shape, mean, stddev, dtype, "random_normal")
    s1, s2 = _seeds(seed, "random_normal")
    return execute(_random_normal, (), {"shape": dims, "dtype": dt, "seed": s1, "seed2": s2,
                                        "mean": m, "stddev": s})


@api(_random_normal, "eager.random", names=("normal",))
def normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normally distributed random values (TF 2's tf.random.normal); the
    arguments are those of random_normal."""
    return random_normal(shape, mean, stddev, dtype, seed, name)


def _truncated_kernel(shape, dtype, seed, seed2, mean=None, stddev=None):
    return _sample_truncated(_generator(seed, seed2), shape, dtype, mean, stddev)


_truncated_normal = defop("truncated_normal", generic(), cpu=_truncated_kernel,
                          differentiable=False, host_kernel=True)


@api(_truncated_normal, "eager", "eager.random")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normal random values, redrawn where they fall more than 2 standard
    deviations from the mean (tf.truncated_normal, tf.random.truncated_normal).

    shape: list, tuple, TensorShape or 1-D int Tensor.
    mean, stddev: scalars or tensors that broadcast to `shape`.
    dtype: float16, float32 or float64.
    seed: the op seed (see set_random_seed).
    """
    dims, dt, m, s = _normal_attrs(shape, mean, stddev, dtype, "truncated_normal")
    s1, s2 = _seeds(seed, "truncated_normal")
    return execute(_truncated_normal, (), {"shape": dims, "dtype": dt, "seed": s1, "seed2": s2,
                                           "mean": m, "stddev": s})


# ---- shuffle -------------------------------------------------------------------------
def _shuffle_kernel(value, seed, seed2):
    if value.ndim == 0 or value.shape[0] <= 1:
        return value.copy()
    return _generator(seed, seed2).permutation(value, axis=0)


_random_shuffle = defop("random_shuffle", generic(ANY, MATCH_NONE), cpu=_shuffle_kernel,
                        differentiable=False)


@api(_random_shuffle, "eager")
def random_shuffle(value, seed=None, name=None):
    """A copy of `value` with its first dimension randomly permuted (TF 1's
    tf.random_shuffle); scalars come back unchanged.

    value: a Tensor of any dtype.
    seed: the op seed (see set_random_seed).
    """
    s1, s2 = _seeds(seed, "random_shuffle")
    return execute(_random_shuffle, (value,), {"seed": s1, "seed2": s2})


@api(_random_shuffle, "eager.random", names=("shuffle",))
def shuffle(value, seed=None, name=None):
    """Shuffles `value` along its first dimension (TF 2's tf.random.shuffle);
    see random_shuffle."""
    return random_shuffle(value, seed, name)


# ---- multinomial / categorical -----------------------------------------------------------
def _multinomial_kernel(logits, num_samples, dtype, seed, seed2):
    gen = _generator(seed, seed2)
    batch, k = logits.shape
    out = np.empty((batch, num_samples), dtype=dtype.np_dtype)
    if out.size == 0:
        return out
    x = logits.astype(np.float64)
    finite = np.isfinite(x)
    # As TensorFlow's CPU kernel: non-finite logits get no weight; the
    # maximum is taken over the finite ones for stability.
    m = np.max(np.where(finite, x, -np.inf), axis=1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    with np.errstate(all="ignore"):
        w = np.where(finite, np.exp(x - m), 0.0)
    cdf = np.cumsum(w, axis=1)
    total = cdf[:, -1:].copy()
    u = gen.random((batch, num_samples))
    if batch <= 32:
        for r in range(batch):
            out[r] = np.searchsorted(cdf[r], u[r] * total[r, 0], side="right")
    else:
        # One searchsorted over all rows: row r's normalized cdf lives in [2r, 2r + 1].
        safe = np.where(total > 0, total, 1.0)
        offs = 2.0 * np.arange(batch, dtype=np.float64)[:, None]
        idx = np.searchsorted((cdf / safe + offs).reshape(-1), (u + offs).reshape(-1),
                              side="right").reshape(batch, num_samples)
        idx -= (np.arange(batch) * k)[:, None]
        empty = total[:, 0] <= 0
        if empty.any():
            idx[empty] = k
        out[...] = idx
    # Rounding may step past the last class with weight; keep it there.
    has = total[:, 0] > 0
    if has.any():
        last = k - 1 - np.argmax(w[:, ::-1] > 0, axis=1)
        np.minimum(out, np.where(has, last, k)[:, None].astype(out.dtype), out=out)
    return out


def _multinomial_check(op, tensors, attrs):
    logits = tensors[0]
    if len(logits.shape) != 2:
        raise _invalid(op.name, "logits must be a matrix [batch_size, num_classes], got shape %s %s"
                       % (logits.shape, logits.dtype.name))
    batch, k = logits.shape
    n = attrs["num_samples"]
    if k == 0 and n > 0 and batch > 0:
        raise _invalid(op.name, "num_classes must be positive, got logits of shape %s" % (logits.shape,))
    if k > np.iinfo(attrs["dtype"].np_dtype).max:
        raise _invalid(op.name, "num_classes %d does not fit in %s" % (k, attrs["dtype"].name))
    _check_size((batch, n), op.name, "output shape")


_multinomial = defop("multinomial", generic(REAL, MATCH_NONE), cpu=_multinomial_kernel,
                     check=_multinomial_check, differentiable=False)


def _num_samples_arg(num_samples, opname):
    if isinstance(num_samples, Tensor):
        if not num_samples.dtype.is_integer or num_samples.shape != ():
            raise _invalid(opname, "num_samples must be an integer scalar, got %s %s"
                           % (num_samples.shape, num_samples.dtype.name))
        num_samples = int(num_samples.numpy())
    elif isinstance(num_samples, (int, np.integer)) and not isinstance(num_samples, bool):
        num_samples = int(num_samples)
    else:
        raise TypeError("%s: num_samples must be an int, got %s" % (opname, type(num_samples).__name__))
    if num_samples < 0:
        raise _invalid(opname, "num_samples must be >= 0, got %d" % num_samples)
    return num_samples


@api(_multinomial, "eager", "eager.random")
def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Draws class indices from categorical distributions (tf.multinomial).

    logits: [batch_size, num_classes] unnormalized log-probabilities; rows
        without any finite logit give num_classes, as TensorFlow does.
    num_samples: samples per row.
    seed: the op seed (see set_random_seed).
    output_dtype: int32 or int64 (the default).
    Returns a [batch_size, num_samples] tensor.
    """
    dt = _dtype_arg(int64 if output_dtype is None else output_dtype, (int32, int64), "multinomial")
    n = _num_samples_arg(num_samples, "multinomial")
    s1, s2 = _seeds(seed, "multinomial")
    return execute(_multinomial, (logits,), {"num_samples": n, "dtype": dt, "seed": s1, "seed2": s2})


@api(_multinomial, "eager.random")
def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws class indices from categorical distributions (TF 2's
    tf.random.categorical); see multinomial."""
    return multinomial(logits, num_samples, seed, name, output_dtype=dtype)


# ---- gamma and Poisson ---------------------------------------------------------------------
def _gamma_kernel(alpha, beta, shape, seed, seed2):
    gen = _generator(seed, seed2)
    pshape = np.broadcast_shapes(alpha.shape, beta.shape)
    npdt = alpha.dtype
    work = np.float32 if npdt == np.float16 else npdt
    a = np.broadcast_to(alpha.astype(work, copy=False), pshape)
    x = gen.standard_gamma(a, size=tuple(shape) + pshape, dtype=work)
    x /= beta.astype(work, copy=False)
    # TensorFlow clamps to the smallest normal number so logs stay finite.
    np.maximum(x, np.finfo(npdt).tiny, out=x)
    return x.astype(npdt, copy=False)


def _gamma_check(op, tensors, attrs):
    alpha, beta = tensors
    try:
        pshape = np.broadcast_shapes(tuple(alpha.shape), tuple(beta.shape))
    except ValueError:
        raise _invalid(op.name, "alpha %s and beta %s do not broadcast"
                       % (alpha.shape, beta.shape)) from None
    _check_size(tuple(attrs["shape"]) + pshape, op.name, "output shape")
    if np.any(np.asarray(alpha.numpy()) <= 0) or np.any(np.asarray(beta.numpy()) <= 0):
        raise _invalid(op.name, "alpha and beta must be positive")


_random_gamma = defop("random_gamma", generic(FLOATS), cpu=_gamma_kernel, check=_gamma_check,
                      differentiable=False)


@api(_random_gamma, "eager")
def random_gamma(shape, alpha, beta=None, dtype=float32, seed=None, name=None):
    """Samples from Gamma(alpha, beta) distributions (tf.random_gamma).

    shape: the sample shape per distribution; the result has shape
        shape + broadcast(alpha, beta).shape.
    alpha: shape (concentration) parameters, positive.
    beta: inverse scale (rate) parameters, positive; default 1.
    dtype: float16, float32 or float64 (alpha and beta are converted to it).
    seed: the op seed (see set_random_seed).
    """
    dt = _dtype_arg(dtype, FLOATS, "random_gamma")
    dims = _shape_arg(shape, "random_gamma")
    a = _to_tensor(alpha, dt, "random_gamma", "alpha")
    b = _to_tensor(1 if beta is None else beta, dt, "random_gamma", "beta")
    s1, s2 = _seeds(seed, "random_gamma")
    return execute(_random_gamma, (a, b), {"shape": dims, "seed": s1, "seed2": s2})


@api(_random_gamma, "eager.random", names=("gamma",))
def gamma(shape, alpha, beta=None, dtype=float32, seed=None, name=None):
    """Samples from Gamma(alpha, beta) distributions (TF 2's
    tf.random.gamma); see random_gamma."""
    return random_gamma(shape, alpha, beta, dtype, seed, name)


def _poisson_kernel(lam, shape, dtype, seed, seed2):
    lam64 = lam.astype(np.float64, copy=False)
    x = _generator(seed, seed2).poisson(lam64, size=tuple(shape) + lam.shape)
    return x.astype(dtype.np_dtype, copy=False)


def _poisson_check(op, tensors, attrs):
    lam = tensors[0]
    _check_size(tuple(attrs["shape"]) + tuple(lam.shape), op.name, "output shape")
    v = np.asarray(lam.numpy(), dtype=np.float64)
    if v.size and not (np.all(v >= 0) and np.all(v < 1e18)):
        raise _invalid(op.name, "lam must be finite, >= 0 and < 1e18 (%s %s)"
                       % (lam.shape, lam.dtype.name))


_random_poisson = defop("random_poisson", generic(_POISSON_DTYPES, MATCH_NONE),
                        cpu=_poisson_kernel, check=_poisson_check, differentiable=False)


@api(_random_poisson, "eager.random", names=("poisson",))
def poisson(shape, lam, dtype=float32, seed=None, name=None):
    """Samples from Poisson(lam) distributions (TF 2's tf.random.poisson).

    shape: the sample shape per distribution; the result has shape
        shape + lam.shape.
    lam: rates, >= 0 (float16, float32, float64, int32 or int64).
    dtype: the output dtype: float16, float32, float64, int32 or int64.
    seed: the op seed (see set_random_seed).
    """
    dt = _dtype_arg(dtype, _POISSON_DTYPES, "random_poisson")
    dims = _shape_arg(shape, "random_poisson")
    s1, s2 = _seeds(seed, "random_poisson")
    return execute(_random_poisson, (lam,), {"shape": dims, "dtype": dt, "seed": s1, "seed2": s2})


@api(_random_poisson, "eager")
def random_poisson(lam, shape, dtype=float32, seed=None, name=None):
    """Samples from Poisson(lam) distributions (TF 1's tf.random_poisson,
    whose first argument is lam); see poisson."""
    return poisson(shape, lam, dtype, seed, name)


# ---- stateless -------------------------------------------------------------------------------
def _stateless_check(op, tensors, attrs):
    seed = tensors[0]
    if tuple(seed.shape) != (2,) or seed.dtype not in (int32, int64):
        raise _invalid(op.name, "seed must be an int32 or int64 tensor of shape [2], got %s %s"
                       % (seed.shape, seed.dtype.name))


def _stateless_uniform_kernel(key, shape, dtype, minval=None, maxval=None):
    return _sample_uniform(_stateless_generator(key), shape, dtype, minval, maxval)


def _stateless_normal_kernel(key, shape, dtype, mean=None, stddev=None):
    return _sample_normal(_stateless_generator(key), shape, dtype, mean, stddev)


def _stateless_truncated_kernel(key, shape, dtype, mean=None, stddev=None):
    return _sample_truncated(_stateless_generator(key), shape, dtype, mean, stddev)


_stateless_uniform = defop("stateless_random_uniform", generic(None, MATCH_NONE),
                           cpu=_stateless_uniform_kernel, check=_stateless_check,
                           differentiable=False)
_stateless_normal = defop("stateless_random_normal", generic(None, MATCH_NONE),
                          cpu=_stateless_normal_kernel, check=_stateless_check,
                          differentiable=False)
_stateless_truncated = defop("stateless_truncated_normal", generic(None, MATCH_NONE),
                             cpu=_stateless_truncated_kernel, check=_stateless_check,
                             differentiable=False)


@api(_stateless_uniform, "eager.random")
def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=float32, name=None,
                      alg="auto_select"):
    """Uniform random values that depend only on `seed` (a [2] int tensor or
    list): the same seed gives the same values, whatever else ran before.
    The other arguments are those of uniform; `alg` is accepted and ignored
    (eager always uses PCG64)."""
    dims, dt, lo, hi = _uniform_attrs(shape, minval, maxval, dtype, "stateless_random_uniform")
    return execute(_stateless_uniform, (seed,), {"shape": dims, "dtype": dt,
                                                 "minval": lo, "maxval": hi})


@api(_stateless_normal, "eager.random")
def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None,
                     alg="auto_select"):
    """Normal random values that depend only on `seed` (a [2] int tensor or
    list); the other arguments are those of normal."""
    dims, dt, m, s = _normal_attrs(shape, mean, stddev, dtype, "stateless_random_normal")
    return execute(_stateless_normal, (seed,), {"shape": dims, "dtype": dt,
                                                "mean": m, "stddev": s})


@api(_stateless_truncated, "eager.random")
def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None,
                               alg="auto_select"):
    """Truncated normal random values (redrawn beyond 2 standard deviations)
    that depend only on `seed` (a [2] int tensor or list); the other
    arguments are those of truncated_normal."""
    dims, dt, m, s = _normal_attrs(shape, mean, stddev, dtype, "stateless_truncated_normal")
    return execute(_stateless_truncated, (seed,), {"shape": dims, "dtype": dt,
                                                   "mean": m, "stddev": s})
