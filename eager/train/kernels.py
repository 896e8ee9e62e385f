"""The optimizers' update kernels: NumPy ufuncs writing in place (out=) into
a variable's storage and its slots, never through the tape (updates are not
differentiated). Shared by eager.train (TensorFlow 1) and
eager.keras.optimizers (TensorFlow 2).

Each kernel takes 1-D or N-D arrays of one shape and dtype: the variable,
its slots, the gradient (read only) and scratch buffers, then Python floats
(Python floats keep float32 arithmetic in float32 under NumPy's promotion
rules; NumPy float64 scalars would not). `run` feeds large contiguous
arrays through in chunks that stay in cache, so a chain of ufuncs makes one
trip through main memory instead of one per ufunc. Adam (and AMSGrad), the
update of the seed's MNIST training, has a C loop that does the same
operations in one pass without ufunc calls (eager/_ext/nn_kernels.pyx:
1.5 ms instead of 4.1 ms for the MNIST CNN's 3.27 M float32 parameters);
`run` uses it for contiguous float32/float64 arrays.
"""
import threading

import numpy as np

try:
    from eager._ext import nn_kernels as _K
except ImportError:   # not built: the NumPy kernels do the same
    _K = None

CHUNK = 32768
_local = threading.local()


def _scratch(dtype, n, count):
    """`count` scratch arrays of `n` elements, kept per thread and dtype."""
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (np.dtype(dtype).str, count)
    bufs = cache.get(key)
    if bufs is None or bufs[0].size < n:
        bufs = cache[key] = [np.empty(max(n, CHUNK), dtype) for _ in range(count)]
    return [b[:n] for b in bufs]


def run(kernel, arrays, scalars, n_scratch=1):
    """kernel(*arrays, *scratch, *scalars) over all elements, in chunks of
    CHUNK when every array is C-contiguous (arrays[0] is the variable), or
    the kernel's one-pass C version when it has one that takes them."""
    fused = _FUSED.get(kernel)
    if fused is not None and fused(arrays, scalars):
        return
    first = arrays[0]
    n = first.size
    if n <= CHUNK or not all(a.flags.c_contiguous for a in arrays):
        if n_scratch == 1:
            kernel(*arrays, np.empty(first.shape, first.dtype), *scalars)
        else:
            kernel(*arrays, *[np.empty(first.shape, first.dtype) for _ in range(n_scratch)],
                   *scalars)
        return
    flat = [a.reshape(-1) for a in arrays]
    bufs = _scratch(first.dtype, CHUNK, n_scratch)
    for s in range(0, n, CHUNK):
        e = s + CHUNK if s + CHUNK < n else n
        if e - s == CHUNK:
            kernel(*[f[s:e] for f in flat], *bufs, *scalars)
        else:
            kernel(*[f[s:e] for f in flat], *[b[:e - s] for b in bufs], *scalars)


# ---- TensorFlow 1 kernels (tf.train), as TensorFlow's training_ops -------------

def gradient_descent(var, g, t, lr):
    """var -= lr * g"""
    np.multiply(g, lr, out=t)
    np.subtract(var, t, out=var)


def momentum(var, accum, g, t, lr, mom, nesterov):
    """accum = accum * momentum + g;
    var -= lr * accum, or with Nesterov var -= lr * g + lr * momentum * accum."""
    np.multiply(accum, mom, out=accum)
    np.add(accum, g, out=accum)
    if nesterov:
        np.multiply(accum, mom, out=t)
        np.add(t, g, out=t)
        np.multiply(t, lr, out=t)
    else:
        np.multiply(accum, lr, out=t)
    np.subtract(var, t, out=var)


def _adam_moments(m, v, g, t, beta1, beta2):
    # m += (g - m) * (1 - beta1); v += (g * g - v) * (1 - beta2), in place.
    np.subtract(g, m, out=t)
    np.multiply(t, 1.0 - beta1, out=t)
    np.add(m, t, out=m)
    np.multiply(g, g, out=t)
    np.subtract(t, v, out=t)
    np.multiply(t, 1.0 - beta2, out=t)
    np.add(v, t, out=v)


def _adam_step(var, m, second, t, lr_t, epsilon):
    # var -= lr_t * m / (sqrt(second) + epsilon), in place.
    np.sqrt(second, out=t)
    np.add(t, epsilon, out=t)
    np.divide(m, t, out=t)
    np.multiply(t, lr_t, out=t)
    np.subtract(var, t, out=var)


def adam(var, m, v, g, t, lr_t, beta1, beta2, epsilon):
    """m += (g - m) * (1 - beta1); v += (g * g - v) * (1 - beta2);
    var -= lr_t * m / (sqrt(v) + epsilon), where lr_t (the caller's) is
    lr * sqrt(1 - beta2^t) / (1 - beta1^t) (Kingma and Ba's "epsilon hat" form)."""
    _adam_moments(m, v, g, t, beta1, beta2)
    _adam_step(var, m, v, t, lr_t, epsilon)


def adam_amsgrad(var, m, v, vhat, g, t, lr_t, beta1, beta2, epsilon):
    """Adam with vhat = max(vhat, v) in the denominator (Reddi et al.)."""
    _adam_moments(m, v, g, t, beta1, beta2)
    np.maximum(vhat, v, out=vhat)
    _adam_step(var, m, vhat, t, lr_t, epsilon)


def _adam_c(arrays, scalars):
    var, m, v, g = arrays
    return _K.adam(var, m, v, None, g, *scalars)


def _adam_amsgrad_c(arrays, scalars):
    var, m, v, vhat, g = arrays
    return _K.adam(var, m, v, vhat, g, *scalars)


# kernel -> its C version, (arrays, scalars) -> True when it ran.
_FUSED = {adam: _adam_c, adam_amsgrad: _adam_amsgrad_c} if _K is not None else {}


def adagrad(var, accum, g, t, lr, epsilon):
    """accum += g * g; var -= lr * g / sqrt(accum + epsilon)
    (TensorFlow 1 has epsilon 0)."""
    np.multiply(g, g, out=t)
    np.add(accum, t, out=accum)
    if epsilon:
        np.add(accum, epsilon, out=t)
        np.sqrt(t, out=t)
    else:
        np.sqrt(accum, out=t)
    np.divide(g, t, out=t)
    np.multiply(t, lr, out=t)
    np.subtract(var, t, out=var)


def rmsprop(var, ms, mom, g, t, lr, decay, momentum_, epsilon):
    """ms += (g * g - ms) * (1 - decay);
    mom = mom * momentum + lr * g / sqrt(ms + epsilon); var -= mom.
    `mom` may be None when momentum is 0 (var -= lr * g / sqrt(ms + epsilon))."""
    np.multiply(g, g, out=t)
    np.subtract(t, ms, out=t)
    np.multiply(t, 1.0 - decay, out=t)
    np.add(ms, t, out=ms)
    np.add(ms, epsilon, out=t)
    _step(var, mom, g, t, lr, momentum_)


def centered_rmsprop(var, ms, mg, mom, g, t, lr, decay, momentum_, epsilon):
    """As rmsprop, with mg += (g - mg) * (1 - decay) and the denominator
    sqrt(ms - mg * mg + epsilon)."""
    np.multiply(g, g, out=t)
    np.subtract(t, ms, out=t)
    np.multiply(t, 1.0 - decay, out=t)
    np.add(ms, t, out=ms)
    np.subtract(g, mg, out=t)
    np.multiply(t, 1.0 - decay, out=t)
    np.add(mg, t, out=mg)
    np.multiply(mg, mg, out=t)
    np.subtract(ms, t, out=t)
    np.add(t, epsilon, out=t)
    _step(var, mom, g, t, lr, momentum_)


def _step(var, mom, g, t, lr, momentum_):
    # t holds the denominator's square: t <- lr * g / sqrt(t).
    np.sqrt(t, out=t)
    np.divide(g, t, out=t)
    np.multiply(t, lr, out=t)
    if mom is None:
        np.subtract(var, t, out=var)
        return
    np.multiply(mom, momentum_, out=mom)
    np.add(mom, t, out=mom)
    np.subtract(var, mom, out=var)


# ---- TensorFlow 2 (Keras) SGD with momentum ------------------------------------

def keras_momentum(var, velocity, g, t, lr, mom, nesterov):
    """velocity = momentum * velocity - lr * g;
    var += velocity, or with Nesterov var += momentum * velocity - lr * g."""
    np.multiply(g, lr, out=t)
    np.multiply(velocity, mom, out=velocity)
    np.subtract(velocity, t, out=velocity)
    if nesterov:
        np.subtract(var, t, out=var)
        np.multiply(velocity, mom, out=t)
        np.add(var, t, out=var)
    else:
        np.add(var, velocity, out=var)
