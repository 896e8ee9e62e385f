"""keras.initializers: eager.layers.initializers with Keras's defaults
(RandomNormal/TruncatedNormal stddev 0.05, RandomUniform in [-0.05, 0.05])."""
from eager.layers import initializers as _i
from eager.layers.initializers import (Initializer, Zeros, Ones, Constant,  # noqa: F401
                                       VarianceScaling, GlorotUniform, GlorotNormal,
                                       HeNormal, HeUniform, LecunNormal, LecunUniform,
                                       Orthogonal, Identity, get, glorot_uniform,
                                       glorot_normal, he_normal, he_uniform, lecun_normal,
                                       lecun_uniform, zeros, ones, constant, orthogonal,
                                       identity, variance_scaling)


class RandomNormal(_i.RandomNormal):
    """Normal values, mean 0 and stddev 0.05 by default."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=None):
        super().__init__(mean, stddev, seed, dtype)


class RandomUniform(_i.RandomUniform):
    """Uniform values in [-0.05, 0.05) by default."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=None):
        super().__init__(minval, maxval, seed, dtype)


class TruncatedNormal(_i.TruncatedNormal):
    """Truncated normal values, mean 0 and stddev 0.05 by default."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=None):
        super().__init__(mean, stddev, seed, dtype)


random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
