"""BatchNormalization: training (batch statistics and moving-average
updates) and inference against the published formulas."""
import numpy as np
import pytest

import eager as tf
from eager import layers, keras
from eager.keras import backend as K


def _bn_ref(x, mean, var, beta, gamma, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_training_uses_batch_statistics_and_updates_moving_ones():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((16, 3)) * [1, 2, 3] + [5, -1, 0]).astype(np.float32)
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    y = layer(x, training=True)
    assert [v.name for v in layer.trainable_variables] == [layer.name + "/gamma:0",
                                                           layer.name + "/beta:0"]
    assert [v.name for v in layer.non_trainable_variables] == [
        layer.name + "/moving_mean:0", layer.name + "/moving_variance:0"]
    assert all(not v.trainable for v in layer.non_trainable_variables)
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y.numpy(), _bn_ref(x, mean, var, 0, 1, 1e-3), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    # Inference (the tf.layers default) uses the moving statistics.
    layer.gamma.assign([1.0, 2.0, 0.5])
    layer.beta.assign([0.0, 1.0, -1.0])
    got = layer(x).numpy()
    np.testing.assert_allclose(got, _bn_ref(x, layer.moving_mean.numpy(),
                                            layer.moving_variance.numpy(), [0, 1, -1],
                                            [1, 2, 0.5], 1e-3), rtol=1e-4, atol=1e-4)
    before = layer.moving_mean.numpy()
    layer(x, training=False)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), before)


def test_channels_first_axis_and_gradients():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    layer = layers.BatchNormalization(axis=1, center=True, scale=True)
    with tf.GradientTape() as tape:
        y = layer(x, training=True)
        loss = tf.reduce_sum(y * x)
    mean = x.mean((0, 2, 3), keepdims=True)
    var = x.var((0, 2, 3), keepdims=True)
    xhat = (x - mean) / np.sqrt(var + 1e-3)
    np.testing.assert_allclose(y.numpy(), xhat, rtol=1e-4, atol=1e-4)
    assert layer.gamma.shape == (2,)
    g_gamma, g_beta = tape.gradient(loss, layer.trainable_variables)
    np.testing.assert_allclose(g_gamma.numpy(), (xhat * x).sum((0, 2, 3)), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(g_beta.numpy(), x.sum((0, 2, 3)), rtol=1e-4, atol=1e-4)


def test_keras_batch_norm_uses_learning_phase_and_errors():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer = keras.layers.BatchNormalization(center=False, scale=False)
    np.testing.assert_allclose(layer(x).numpy(), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    assert len(layer.variables) == 2
    with K.learning_phase_scope(1):
        np.testing.assert_allclose(layer(x).numpy().mean(0), 0.0, atol=1e-5)
    with pytest.raises(ValueError, match=r"BatchNormalization layer .*\(4, 5\)"):
        layer(np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        layers.BatchNormalization(axis=3)(x)
    with pytest.raises(NotImplementedError):
        layers.BatchNormalization(renorm=True)
