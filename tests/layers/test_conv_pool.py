"""Conv1D, Conv2D and the pooling layers against NumPy references."""
import numpy as np
import pytest

import eager as tf
import eager.nn
from eager import layers, keras
from tests.layers import reference as ref

RNG = np.random.default_rng(1)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("padding, strides, dilation", [
    ("same", 1, 1), ("valid", 1, 1), ("SAME", 2, 1), ("Valid", (2, 1), 1), ("same", 1, 2),
    ("valid", 1, (2, 1)),
])
def test_conv2d_channels_last_matches_numpy(padding, strides, dilation):
    layer = layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    x = _x(2, 7, 6, 3)
    y = layer(x)
    assert layer.kernel.shape == (3, 2, 3, 4) and layer.bias.shape == (4,)
    s = strides if isinstance(strides, tuple) else (strides, strides)
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    layer.bias.assign(np.array([0.5, -1, 0, 2], np.float32))
    y = layer(x)
    expect = ref.conv2d_nhwc(x.astype(np.float64), layer.kernel.numpy(), s, padding, d) \
        + layer.bias.numpy()
    assert y.shape == expect.shape
    np.testing.assert_allclose(y.numpy(), expect, rtol=1e-4, atol=1e-5)


def test_conv2d_channels_first_equals_channels_last():
    last = layers.Conv2D(5, 3, padding="same", activation=eager.nn.relu)
    first = layers.Conv2D(5, 3, padding="same", activation="relu",
                          data_format="channels_first")
    x = _x(2, 6, 6, 3)
    y_last = last(x)
    first(ref.to_nchw(x))
    first.set_weights(last.get_weights())
    first.bias.assign(np.arange(5, dtype=np.float32))
    last.bias.assign(np.arange(5, dtype=np.float32))
    np.testing.assert_allclose(ref.to_nhwc(first(ref.to_nchw(x)).numpy()), last(x).numpy(),
                               rtol=1e-5, atol=1e-5)
    assert first.kernel.shape == (3, 3, 3, 5)
    assert (y_last.numpy() >= 0).all()


def test_conv2d_names_and_errors():
    layer = layers.Conv2D(8, 5, name="c1")
    layer(np.zeros((1, 9, 9, 2), np.float32))
    assert [v.name for v in layer.variables] == ["c1/kernel:0", "c1/bias:0"]
    with pytest.raises(ValueError, match=r"Conv2D layer 'c1'.*\(1, 9, 9, 3\).*2 channels"):
        layer(np.zeros((1, 9, 9, 3), np.float32))
    with pytest.raises(ValueError, match=r"Conv2D layer .*rank 4.*\(9, 9, 2\)"):
        layers.Conv2D(8, 5)(np.zeros((9, 9, 2), np.float32))
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(8, 5, padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv2D(8, (5, 5, 5))
    with pytest.raises(ValueError, match="dilation"):
        layers.Conv2D(8, 3, strides=2, dilation_rate=2)


def test_conv2d_gradient_flows_to_kernel_and_bias():
    layer = layers.Conv2D(2, 3, padding="same")
    x = _x(1, 4, 4, 1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    gk, gb = tape.gradient(loss, layer.trainable_variables)
    assert gk.shape == (3, 3, 1, 2)
    np.testing.assert_allclose(gb.numpy(), [16.0, 16.0])
    # d sum / d kernel[i, j] = sum of the inputs the tap sees (zero padding).
    xp = np.pad(x[0, :, :, 0], 1)
    expect = np.array([[xp[i:i + 4, j:j + 4].sum() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(gk.numpy()[:, :, 0, 0], expect, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding", ["same", "valid", "causal"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv1d_matches_numpy(padding, data_format):
    layer = layers.Conv1D(3, 3, padding=padding, data_format=data_format, dilation_rate=2)
    x = _x(2, 9, 4)
    inp = np.transpose(x, (0, 2, 1)) if data_format == "channels_first" else x
    layer(inp)
    layer.bias.assign(np.array([1, 2, 3], np.float32))
    y = layer(inp).numpy()
    if data_format == "channels_first":
        y = np.transpose(y, (0, 2, 1))
    k = layer.kernel.numpy()
    assert k.shape == (3, 4, 3)
    xx = x.astype(np.float64)
    pad = "valid"
    if padding == "causal":
        xx = np.pad(xx, ((0, 0), (4, 0), (0, 0)))
    elif padding == "same":
        pad = "same"
    expect = ref.conv2d_nhwc(xx[:, None], k[None], (1, 1), pad, (1, 2))[:, 0] + [1, 2, 3]
    np.testing.assert_allclose(y, expect, rtol=1e-4, atol=1e-5)
    if padding == "causal":
        assert y.shape[1] == 9


@pytest.mark.parametrize("cls, kind", [(layers.MaxPooling2D, "max"),
                                       (layers.AveragePooling2D, "avg")])
@pytest.mark.parametrize("padding, pool, strides", [
    ("SAME", (2, 2), (2, 2)), ("same", 3, 2), ("valid", (2, 3), (1, 2)), ("VALID", 2, None)])
def test_pooling2d_matches_numpy(cls, kind, padding, pool, strides):
    x = _x(2, 7, 5, 3)
    y = cls(pool, strides, padding=padding)(x).numpy()
    k = pool if isinstance(pool, tuple) else (pool, pool)
    s = k if strides is None else (strides if isinstance(strides, tuple) else (strides, strides))
    expect = ref.pool2d_nhwc(x, k, s, padding, kind)
    np.testing.assert_allclose(y, expect, rtol=1e-5, atol=1e-6)
    y1 = cls(pool, strides, padding=padding, data_format="channels_first")(ref.to_nchw(x))
    np.testing.assert_allclose(ref.to_nhwc(y1.numpy()), expect, rtol=1e-5, atol=1e-6)


def test_pooling_errors_and_1d_and_global():
    with pytest.raises(ValueError, match=r"MaxPooling2D layer .*rank 4.*\(3, 4\)"):
        layers.MaxPooling2D(2, 2)(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"pool_size .* larger"):
        layers.MaxPooling2D(5, 1)(np.zeros((1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match="padding"):
        layers.AveragePooling2D(2, 2, padding="full")
    x = _x(2, 8, 3)
    y = layers.MaxPooling1D(2)(x).numpy()
    np.testing.assert_allclose(y, x.reshape(2, 4, 2, 3).max(2))
    y = layers.AveragePooling1D(2, data_format="channels_first")(np.transpose(x, (0, 2, 1)))
    np.testing.assert_allclose(y.numpy(), np.transpose(x.reshape(2, 4, 2, 3).mean(2), (0, 2, 1)),
                               rtol=1e-6)
    x4 = _x(2, 3, 4, 5)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x4).numpy(), x4.mean((1, 2)),
                               rtol=1e-5)
    np.testing.assert_allclose(keras.layers.GlobalMaxPooling2D("channels_first")(x4).numpy(),
                               x4.max((2, 3)))
    np.testing.assert_allclose(layers.max_pooling2d(x4, 2, 2, "same").numpy(),
                               ref.pool2d_nhwc(x4, (2, 2), (2, 2), "same", "max"))
