"""Initializers against their published variance formulas."""
import numpy as np
import pytest

import eager as tf
from eager.layers import initializers as init
from eager import keras


def test_fans():
    assert init.compute_fans([3, 4]) == (3, 4)
    assert init.compute_fans([5, 5, 2, 8]) == (50, 200)
    assert init.compute_fans([7]) == (7, 7)
    assert init.compute_fans([]) == (1, 1)


@pytest.mark.parametrize("make, variance", [
    (lambda: init.GlorotUniform(seed=1), 2.0 / (200 + 300)),
    (lambda: init.GlorotNormal(seed=1), 2.0 / (200 + 300)),
    (lambda: init.HeNormal(seed=1), 2.0 / 200),
    (lambda: init.HeUniform(seed=1), 2.0 / 200),
    (lambda: init.LecunNormal(seed=1), 1.0 / 200),
    (lambda: init.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=1), 3.0 / 300),
    (lambda: init.RandomNormal(0.0, 0.2, seed=1), 0.04),
    (lambda: init.TruncatedNormal(0.0, 0.2, seed=1), 0.04 * 0.774),
    (lambda: init.RandomUniform(-1, 1, seed=1), 1.0 / 3),
])
def test_variances(make, variance):
    v = make()([200, 300]).numpy()
    assert v.dtype == np.float32 and v.shape == (200, 300)
    np.testing.assert_allclose(v.var(), variance, rtol=0.05)
    assert abs(v.mean()) < 0.05 * np.sqrt(variance) + 1e-3


def test_glorot_uniform_bounds_and_truncation():
    v = init.glorot_uniform(seed=2)([20, 30]).numpy()
    assert np.abs(v).max() <= np.sqrt(6 / 50)
    t = init.TruncatedNormal(0.0, 1.0, seed=2)([1000]).numpy()
    assert np.abs(t).max() <= 2.0


def test_seeding_repeats_with_the_global_seed():
    tf.set_random_seed(11)
    a = init.GlorotUniform(seed=5)([4, 4]).numpy()
    tf.set_random_seed(11)
    b = init.GlorotUniform(seed=5)([4, 4]).numpy()
    np.testing.assert_array_equal(a, b)


def test_constant_zeros_ones_identity_orthogonal():
    np.testing.assert_array_equal(init.Constant(3)([2, 2]).numpy(), 3)
    np.testing.assert_array_equal(init.constant_initializer([1, 2, 3, 4])([2, 2]).numpy(),
                                  [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="does not fit"):
        init.Constant([1, 2, 3])([2, 2])
    assert init.zeros()([3], dtype="int32").dtype == tf.int32
    np.testing.assert_array_equal(init.ones()([2]).numpy(), [1, 1])
    np.testing.assert_array_equal(init.Identity(2.0)([2, 3]).numpy(), 2 * np.eye(2, 3))
    q = init.Orthogonal(seed=3)([6, 4]).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    with pytest.raises(TypeError, match="floating"):
        init.GlorotUniform()([2, 2], dtype="int32")
    with pytest.raises(ValueError, match="negative"):
        init.Zeros()([-1, 2])


def test_get_by_name_and_keras_defaults():
    assert isinstance(init.get("glorot_uniform"), init.GlorotUniform)
    assert isinstance(init.get("GlorotUniform"), init.GlorotUniform)
    assert isinstance(init.get(init.Zeros), init.Zeros)
    assert init.get(None) is None
    with pytest.raises(ValueError, match="Unknown initializer"):
        init.get("nope")
    assert keras.initializers.RandomNormal().stddev == 0.05
    assert init.RandomNormal().stddev == 1.0
    with pytest.raises(ValueError, match="mode"):
        init.VarianceScaling(mode="fan_sideways")
