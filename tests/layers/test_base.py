"""Layer and Model machinery: names and scopes, tracking of layers and
variables, trainable flags, training propagation, weights I/O."""
import numpy as np
import pytest

import eager as tf
from eager import layers, keras
from eager.layers.base import to_snake_case
from eager.variables import Variable


def test_snake_case_and_unique_names():
    assert to_snake_case("MaxPooling2D") == "max_pooling2d"
    assert to_snake_case("BatchNormalization") == "batch_normalization"
    assert to_snake_case("Conv2D") == "conv2d"
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name.startswith("dense") and b.name.startswith("dense_") and a.name != b.name
    assert layers.Dense(1, name="mine").name == "mine"


class Block(layers.Model):
    def __init__(self):
        super().__init__(name="block")
        self.inner = layers.Dense(3)
        self.norm = layers.BatchNormalization()

    def call(self, inputs, training=None):
        return self.norm(self.inner(inputs))


class Net(layers.Model):
    def __init__(self):
        super().__init__()
        self.stack = [layers.Dense(4, name="first"), layers.Dense(4, name="second")]
        self.heads = {"a": layers.Dense(2, name="head_a")}
        self.block = Block()
        self.scale = Variable(2.0, name="scale")
        self.frozen = Variable(1.0, trainable=False, name="frozen")
        self.drop = layers.Dropout(0.5, seed=1)
        self.seen_training = []

    def call(self, inputs, training=None):
        self.seen_training.append(training)
        x = inputs
        for layer in self.stack:
            x = layer(x)
        x = self.drop(self.block(x))
        return self.heads["a"](x) * self.scale * self.frozen


def test_model_tracks_layers_in_attributes_lists_dicts_and_variables():
    net = Net()
    assert len(net.layers) == 5 and net.variables[0].name.startswith("scale")
    x = np.ones((6, 5), np.float32)
    y = net(x)
    assert y.shape == (6, 2)
    names = [v.name for v in net.trainable_variables]
    # Own variables first, then each layer's, in attribute order.
    assert names[0].startswith("scale")
    assert names[1:] == [
        "%s/first/kernel:0" % net.name, "%s/first/bias:0" % net.name,
        "%s/second/kernel:0" % net.name, "%s/second/bias:0" % net.name,
        "%s/head_a/kernel:0" % net.name, "%s/head_a/bias:0" % net.name,
        "%s/block/%s/kernel:0" % (net.name, net.block.inner.name),
        "%s/block/%s/bias:0" % (net.name, net.block.inner.name),
        "%s/block/%s/gamma:0" % (net.name, net.block.norm.name),
        "%s/block/%s/beta:0" % (net.name, net.block.norm.name)]
    non = [v.name for v in net.non_trainable_variables]
    assert non[0].startswith("frozen") and len(non) == 3
    assert len(net.weights) == len(names) + 3 and net.built
    assert net.get_layer("head_a") is net.heads["a"] and net.get_layer(index=-1) is net.drop
    with pytest.raises(ValueError, match="no layer named"):
        net.get_layer("zzz")
    # A gradient for every trainable variable, through implicit_gradients too.
    from eager import tfe
    grads = tfe.implicit_gradients(lambda: tf.reduce_sum(net(x, training=True)))()
    got = {id(v) for _, v in grads}
    assert {id(v) for v in net.trainable_variables} <= got


def test_training_propagates_to_inner_layers():
    net = Net()
    x = np.ones((50, 5), np.float32)
    a = net(x).numpy()
    b = net(x).numpy()
    np.testing.assert_array_equal(a, b)                 # no dropout by default
    assert net.seen_training == [None, None]
    net(x, training=True)
    assert net.seen_training[-1] is True
    # Dropout inside a model called with training=True drops.
    inner = []
    original = net.drop.call
    net.drop.call = lambda inputs, training=False: inner.append(training) or original(inputs,
                                                                                       training)
    net(x, training=True)
    net(x)
    assert inner == [True, False]


def test_trainable_flag_and_layer_reuse():
    layer = layers.Dense(2)
    layer(np.ones((1, 3), np.float32))
    layer.trainable = False
    assert layer.trainable_variables == [] and len(layer.non_trainable_variables) == 2
    layer.trainable = True
    seq = layers.Sequential([layer, layers.Dense(1)])
    seq(np.ones((2, 3), np.float32))
    shared = layers.Sequential([layer, layer.__class__(3)])
    assert seq.trainable_variables[0] is layer.kernel
    assert len(seq.layers) == 2 and len(shared.layers) == 2


def test_get_set_weights_count_params_and_errors():
    layer = layers.Dense(2, name="w_io")
    with pytest.raises(ValueError, match="count_params"):
        layer.count_params()
    layer(np.ones((1, 3), np.float32))
    assert layer.count_params() == 8
    w = [np.full((3, 2), 0.5, np.float32), np.array([1.0, -1.0], np.float32)]
    layer.set_weights(w)
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)).numpy(), [[2.5, 0.5]])
    with pytest.raises(ValueError, match=r"w_io.*\(3, 2\).*\(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])
    with pytest.raises(ValueError, match="1 arrays for 2"):
        layer.set_weights([np.zeros((3, 2))])
    # weights= on construction is applied after the build.
    again = layers.Dense(2, weights=w)
    np.testing.assert_allclose(again(np.ones((1, 3), np.float32)).numpy(), [[2.5, 0.5]])


def test_network_track_layer_and_summary():
    class N(layers.Network):
        def __init__(self):
            super().__init__(name="tracked")
            self.hidden = [self.track_layer(layers.Dense(3))]

        def call(self, x):
            return self.hidden[0](x)
    n = N()
    n(np.ones((1, 2), np.float32))
    assert len(n.layers) == 1 and len(n.variables) == 2
    lines = []
    n.summary(print_fn=lines.append)
    assert "Total params: 9" in lines
    with pytest.raises(TypeError, match="Layer"):
        n.track_layer("nope")


def test_custom_layer_add_weight_and_regularizer_losses():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [input_shape[-1]], initializer="ones",
                                     regularizer=keras.regularizers.l2(0.5))
            self.c = self.add_variable("count", [], dtype="int32", trainable=False)

        def call(self, inputs):
            return inputs * self.w
    s = Scale(name="scale_layer")
    y = s(np.full((2, 3), 2.0, np.float32))
    np.testing.assert_allclose(y.numpy(), 2.0)
    assert s.w.name == "scale_layer/w:0" and s.c.dtype == tf.int32
    assert [v.name for v in s.non_trainable_variables] == ["scale_layer/count:0"]
    (loss,) = s.losses
    np.testing.assert_allclose(loss.numpy(), 0.5 * 3)
    with pytest.raises(ValueError, match="fully known shape"):
        s.add_weight("bad", [None, 2])


def test_keras_sequential_fit_and_evaluate():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    tf.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=32, epochs=8, verbose=0, seed=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9 and loss < 0.4
    assert model.predict(x[:5]).shape == (5, 2)
    with pytest.raises(RuntimeError, match="compile"):
        keras.Sequential([keras.layers.Dense(1)]).fit(x, y)


def test_forgetting_super_init_is_explained():
    class Broken(layers.Model):
        def __init__(self):
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()(np.ones((1, 2), np.float32))
    assert not hasattr(layers.Dense(1), "no_such_attribute")


def test_kernel_constraint_is_applied_after_optimizer_updates():
    layer = layers.Dense(2, kernel_constraint=lambda w: tf.clip_by_value(w, -0.1, 0.1))
    x = np.ones((4, 3), np.float32)
    layer(x)
    assert layer.kernel.constraint is not None
    opt = tf.train.GradientDescentOptimizer(learning_rate=10.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    opt.apply_gradients(zip(tape.gradient(loss, layer.trainable_variables),
                            layer.trainable_variables))
    np.testing.assert_allclose(layer.kernel.numpy(), -0.1)      # clipped after a big step
    assert layer.bias.numpy().min() < -1                        # the bias has no constraint
