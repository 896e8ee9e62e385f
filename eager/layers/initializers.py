"""Weight initializers for layers (TensorFlow's tf.initializers / tf.keras
initializers): callables `init(shape, dtype=None, partition_info=None)` that
return a Tensor. Random ones take an op `seed` and so follow eager's random
seeding (set_random_seed + op seed)."""
import math

import numpy as np

from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor
from eager.ops import array as _array
from eager.ops import random as _random

_FLOAT32 = as_dtype("float32")

# The standard deviation of a unit normal truncated to [-2, 2]: variance
# scaling divides by it so that the truncated draw has the asked variance.
_TRUNCATED_STDDEV = 0.87962566103423978


def _shape_list(shape, what):
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    elif isinstance(shape, (int, np.integer)):
        shape = [shape]
    try:
        dims = [int(d) for d in shape]
    except (TypeError, ValueError):
        raise TypeError("%s: shape must be a list of ints, got %r" % (what, shape))
    if any(d < 0 for d in dims):
        raise ValueError("%s: shape must not have negative dimensions, got %s" % (what, dims))
    return dims


def _float_dtype(dtype, default, what):
    dt = as_dtype(dtype) if dtype is not None else default
    if not dt.is_floating:
        raise TypeError("%s: needs a floating dtype, got %s" % (what, dt.name))
    return dt


def compute_fans(shape):
    """(fan_in, fan_out) of a weight of `shape`, as Keras computes them: a
    matrix is (in, out); a convolution kernel (..spatial.., in, out) counts
    the receptive field."""
    shape = list(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer(object):
    """Base class: `__call__(shape, dtype=None, partition_info=None)`."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join("%s=%r" % kv for kv in sorted(self.get_config().items()))
        return "%s(%s)" % (type(self).__name__, args)


class Zeros(Initializer):
    """All zeros (tf.zeros_initializer)."""

    def __init__(self, dtype=None):
        self.dtype = dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = as_dtype(dtype if dtype is not None else (self.dtype or _FLOAT32))
        return _array.zeros(_shape_list(shape, "zeros initializer"), dtype=dt)


class Ones(Initializer):
    """All ones (tf.ones_initializer)."""

    def __init__(self, dtype=None):
        self.dtype = dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = as_dtype(dtype if dtype is not None else (self.dtype or _FLOAT32))
        return _array.ones(_shape_list(shape, "ones initializer"), dtype=dt)


class Constant(Initializer):
    """A constant (tf.constant_initializer): a scalar fills the shape; an
    array must have exactly shape's number of elements (it is reshaped)."""

    def __init__(self, value=0, dtype=None, verify_shape=False):
        if isinstance(value, Tensor):
            value = value.numpy()
        self.value = value
        self.dtype = dtype
        self.verify_shape = verify_shape

    def get_config(self):
        v = self.value
        return {"value": v.tolist() if isinstance(v, np.ndarray) else v}

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _shape_list(shape, "constant initializer")
        dt = as_dtype(dtype if dtype is not None else (self.dtype or _FLOAT32))
        value = np.asarray(self.value)
        if value.dtype == object:
            raise TypeError("constant initializer: value must be numeric, got %r" % (self.value,))
        n = int(np.prod(dims, dtype=np.int64))
        if value.size == 1 and not self.verify_shape:
            arr = np.full(dims, value.reshape(()), dtype=dt.as_numpy_dtype)
        elif value.size == n and (not self.verify_shape or list(value.shape) == dims):
            arr = value.astype(dt.as_numpy_dtype).reshape(dims)
        else:
            raise ValueError("constant initializer: a value of shape %s (%d elements) does not "
                             "fit a variable of shape %s (%d elements)"
                             % (list(value.shape), value.size, dims, n))
        return _array.constant(arr, dtype=dt)


class RandomUniform(Initializer):
    """Uniform values in [minval, maxval) (tf.random_uniform_initializer)."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=None):
        self.minval, self.maxval, self.seed, self.dtype = minval, maxval, seed, dtype

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = as_dtype(dtype if dtype is not None else (self.dtype or _FLOAT32))
        maxval = self.maxval
        if maxval is None and dt.is_floating:
            maxval = 1.0
        return _random.random_uniform(_shape_list(shape, "random_uniform initializer"),
                                      self.minval, maxval, dtype=dt, seed=self.seed)


class RandomNormal(Initializer):
    """Normal values (tf.random_normal_initializer)."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=None):
        self.mean, self.stddev, self.seed, self.dtype = mean, stddev, seed, dtype

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = _float_dtype(dtype, self.dtype and as_dtype(self.dtype) or _FLOAT32,
                          "random_normal initializer")
        return _random.random_normal(_shape_list(shape, "random_normal initializer"),
                                     self.mean, self.stddev, dtype=dt, seed=self.seed)


class TruncatedNormal(RandomNormal):
    """Normal values redrawn beyond two standard deviations
    (tf.truncated_normal_initializer)."""

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = _float_dtype(dtype, self.dtype and as_dtype(self.dtype) or _FLOAT32,
                          "truncated_normal initializer")
        return _random.truncated_normal(_shape_list(shape, "truncated_normal initializer"),
                                        self.mean, self.stddev, dtype=dt, seed=self.seed)


class VarianceScaling(Initializer):
    """Values whose variance is scale / n, n the fan-in, the fan-out or their
    mean (tf.variance_scaling_initializer). distribution: 'truncated_normal'
    (also 'normal', TF 1's name for it), 'untruncated_normal' or 'uniform'."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal",
                 seed=None, dtype=None):
        if scale <= 0.0:
            raise ValueError("VarianceScaling: scale must be positive, got %r" % (scale,))
        mode = str(mode).lower()
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                             "got %r" % (mode,))
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("VarianceScaling: distribution must be 'truncated_normal', "
                             "'untruncated_normal' or 'uniform', got %r" % (distribution,))
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.seed, self.dtype = seed, dtype

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}

    def __call__(self, shape, dtype=None, partition_info=None):
        what = "%s initializer" % type(self).__name__
        dims = _shape_list(shape, what)
        dt = _float_dtype(dtype, self.dtype and as_dtype(self.dtype) or _FLOAT32, what)
        fan_in, fan_out = compute_fans(dims)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return _random.truncated_normal(dims, 0.0, math.sqrt(scale) / _TRUNCATED_STDDEV,
                                            dtype=dt, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return _random.random_normal(dims, 0.0, math.sqrt(scale), dtype=dt, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return _random.random_uniform(dims, -limit, limit, dtype=dt, seed=self.seed)


class GlorotUniform(VarianceScaling):
    """Uniform in [-l, l], l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio
    2010; tf.glorot_uniform_initializer, the default kernel initializer)."""

    def __init__(self, seed=None, dtype=None):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""

    def __init__(self, seed=None, dtype=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self):
        return {"seed": self.seed}


def _scaled(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, dtype=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, dtype)

    def get_config(self):
        return {"seed": self.seed}
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc})


HeNormal = _scaled("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal with variance 2 / fan_in (He et al. 2015).")
HeUniform = _scaled("HeUniform", 2.0, "fan_in", "uniform",
                    "Uniform with variance 2 / fan_in (He et al. 2015).")
LecunNormal = _scaled("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal with variance 1 / fan_in (LeCun 1998).")
LecunUniform = _scaled("LecunUniform", 1.0, "fan_in", "uniform",
                       "Uniform with variance 1 / fan_in (LeCun 1998).")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times `gain` (Saxe et al. 2014), from the QR
    decomposition of a normal draw; shapes of rank > 2 are flattened to
    (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None, dtype=None):
        self.gain, self.seed, self.dtype = gain, seed, dtype

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _shape_list(shape, "orthogonal initializer")
        if len(dims) < 2:
            raise ValueError("orthogonal initializer: needs a shape of rank >= 2, got %s" % dims)
        dt = _float_dtype(dtype, self.dtype and as_dtype(self.dtype) or _FLOAT32,
                          "orthogonal initializer")
        rows = int(np.prod(dims[:-1]))
        cols = dims[-1]
        a = _random.random_normal([max(rows, cols), min(rows, cols)], dtype="float64",
                                  seed=self.seed).numpy()
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))          # a uniform (Haar) draw, not QR's sign choice
        if rows < cols:
            q = q.T
        return _array.constant((self.gain * q).reshape(dims).astype(dt.as_numpy_dtype), dtype=dt)


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=None):
        self.gain, self.dtype = gain, dtype

    def get_config(self):
        return {"gain": self.gain}

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _shape_list(shape, "identity initializer")
        if len(dims) != 2:
            raise ValueError("identity initializer: needs a 2-D shape, got %s" % dims)
        dt = as_dtype(dtype if dtype is not None else (self.dtype or _FLOAT32))
        return _array.constant(self.gain * np.eye(*dims, dtype=dt.as_numpy_dtype), dtype=dt)


# TensorFlow 1 function-style names (tf.glorot_uniform_initializer() ...).
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal

# Keras's lower-case names.
zeros = Zeros
ones = Ones
constant = Constant
random_uniform = RandomUniform
random_normal = RandomNormal
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity

_BY_NAME = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "uniform": lambda: RandomUniform(-0.05, 0.05), "random_uniform": RandomUniform,
    "normal": lambda: RandomNormal(0.0, 0.05), "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "identity": Identity,
}


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'zeros' ...; the
    CamelCase class names too), an Initializer, a callable, or None."""
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        key = identifier
        if key not in _BY_NAME:
            # CamelCase -> snake_case: GlorotUniform -> glorot_uniform.
            key = "".join("_" + c.lower() if c.isupper() else c for c in identifier).lstrip("_")
        if key in _BY_NAME:
            return _BY_NAME[key]()
        raise ValueError("Unknown initializer %r; known: %s"
                         % (identifier, ", ".join(sorted(_BY_NAME))))
    raise TypeError("Could not interpret initializer identifier %r" % (identifier,))
