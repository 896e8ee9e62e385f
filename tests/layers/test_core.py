"""Dense, Dropout, Flatten, Embedding, Activation, Reshape against NumPy."""
import numpy as np
import pytest

import eager as tf
import eager.nn
from eager import layers, keras
from eager.keras import backend as K

RNG = np.random.default_rng(0)


def _x(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def test_dense_builds_on_first_call_and_matches_numpy():
    layer = layers.Dense(4, activation=eager.nn.relu)
    assert not layer.built and layer.variables == [] and layer.dtype is None
    x = _x(3, 5)
    y = layer(x)
    assert layer.built and layer.dtype == "float32"
    assert layer.kernel.shape == (5, 4) and layer.bias.shape == (4,)
    assert layer.kernel.name == layer.name + "/kernel:0"
    assert layer.bias.name == layer.name + "/bias:0"
    assert [v.name for v in layer.trainable_variables] == [layer.kernel.name, layer.bias.name]
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_array_equal(b, 0.0)
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ k, 0.0), rtol=1e-5, atol=1e-6)
    layer.bias.assign(np.arange(4, dtype=np.float32))
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ k + np.arange(4), 0.0),
                               rtol=1e-5, atol=1e-6)


def test_dense_kernel_is_glorot_uniform():
    tf.set_random_seed(3)
    layer = layers.Dense(300)
    layer(np.zeros((1, 200), np.float32))
    k = layer.kernel.numpy()
    limit = np.sqrt(6.0 / (200 + 300))
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.95 * limit
    np.testing.assert_allclose(k.var(), limit ** 2 / 3, rtol=0.05)


def test_dense_rank3_no_bias_string_activation():
    layer = layers.Dense(2, use_bias=False, activation="tanh")
    x = _x(2, 3, 4)
    y = layer(x)
    assert y.shape == (2, 3, 2) and layer.bias is None and len(layer.variables) == 1
    np.testing.assert_allclose(y.numpy(), np.tanh(x @ layer.kernel.numpy()), rtol=1e-5, atol=1e-6)


def test_dense_errors_name_the_layer_and_shapes():
    layer = layers.Dense(3, name="head")
    layer(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"Dense layer 'head'.*\(2, 7\).*size 5.*\(5, 3\)"):
        layer(np.zeros((2, 7), np.float32))
    with pytest.raises(ValueError, match=r"Dense layer '.*'.*rank >= 2.*\(5,\)"):
        layers.Dense(3)(np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(TypeError, match="keyword argument not understood"):
        layers.Dense(3, bogus=1)


def test_dense_gradients_reach_its_variables():
    layer = layers.Dense(2)
    x = _x(4, 3)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    gk, gb = tape.gradient(loss, layer.trainable_variables)
    np.testing.assert_allclose(gk.numpy(), np.repeat(x.sum(0)[:, None], 2, 1), rtol=1e-5)
    np.testing.assert_allclose(gb.numpy(), [4.0, 4.0])


def test_dropout_is_identity_unless_training():
    x = np.ones((200, 50), np.float32)
    layer = layers.Dropout(0.3, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)            # tf.layers: training=False
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1.0 / 0.7, rtol=1e-6)
    assert layers.Dropout(0.0)(x, training=True).numpy().sum() == x.sum()
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.0)


def test_dropout_is_seedable_and_noise_shape_broadcasts():
    x = np.ones((4, 30), np.float32)
    tf.set_random_seed(7)
    a = layers.Dropout(0.5, seed=2)(x, training=True).numpy()
    tf.set_random_seed(7)
    b = layers.Dropout(0.5, seed=2)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    y = layers.Dropout(0.5, noise_shape=[None, 1], seed=3)(x, training=True).numpy()
    assert all(len(set(row)) == 1 for row in y)                   # whole rows kept or dropped


def test_keras_dropout_follows_the_learning_phase():
    x = np.ones((100, 20), np.float32)
    layer = keras.layers.Dropout(0.5, seed=4)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with K.learning_phase_scope(1):
        assert (layer(x).numpy() == 0).any()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert (layer(x, training=True).numpy() == 0).any()


def test_flatten_and_function_form():
    x = _x(2, 3, 4, 5)
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, 60))
    np.testing.assert_array_equal(layers.flatten(x).numpy(), x.reshape(2, 60))
    # channels_first flattens in channels_last order, as Keras does.
    np.testing.assert_array_equal(layers.Flatten(data_format="channels_first")(x).numpy(),
                                  np.transpose(x, (0, 2, 3, 1)).reshape(2, 60))
    assert layers.Flatten()(np.zeros(3, np.float32)).shape == (3, 1)
    with pytest.raises(ValueError, match="data_format"):
        layers.Flatten(data_format="nope")


def test_embedding_looks_up_rows():
    layer = layers.Embedding(10, 3)
    ids = np.array([[1, 2], [9, 1]], np.int32)
    y = layer(ids)
    table = layer.embeddings.numpy()
    assert y.shape == (2, 2, 3) and layer.embeddings.name == layer.name + "/embeddings:0"
    np.testing.assert_array_equal(y.numpy(), table[ids])
    assert np.abs(table).max() <= 0.05
    with pytest.raises(Exception, match="10"):
        layer(np.array([[10]], np.int32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(ids))
    (g,) = tape.gradient(loss, layer.trainable_variables)
    expect = np.zeros((10, 3))
    expect[1] = 2
    expect[2] = 1
    expect[9] = 1
    np.testing.assert_allclose(g.numpy(), expect)


def test_activation_and_reshape():
    x = _x(2, 6)
    np.testing.assert_allclose(layers.Activation("sigmoid")(x).numpy(), 1 / (1 + np.exp(-x)),
                               rtol=1e-5)
    np.testing.assert_array_equal(layers.Reshape((3, -1))(x).numpy(), x.reshape(2, 3, 2))
    with pytest.raises(ValueError, match=r"Reshape layer .*\(2, 6\)"):
        layers.Reshape((4, 2))(x)
    with pytest.raises(ValueError, match="Unknown activation"):
        layers.Activation("nope")


def test_keras_layers_cast_to_float32_tf_layers_take_the_input_dtype():
    x64 = np.ones((2, 3))
    k = keras.layers.Dense(2)
    assert k(x64).dtype == tf.float32 and k.kernel.dtype == tf.float32
    t = layers.Dense(2)
    assert t(x64).dtype == tf.float64 and t.dtype == "float64"
    t32 = layers.Dense(2, dtype="float32")
    assert t32(x64).dtype == tf.float32                # NumPy input converted to its dtype
