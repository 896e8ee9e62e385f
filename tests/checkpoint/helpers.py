"""Small models and training loops shared by the checkpoint tests."""
import numpy as np

import eager as tf

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 5)).astype(np.float32)
Y = RNG.standard_normal((8, 2)).astype(np.float32)


class MLP(tf.keras.Model):
    """Nested layers in a list and a dict, a plain Variable, BatchNorm."""

    def __init__(self):
        super().__init__()
        self.blocks = [tf.keras.layers.Dense(4), tf.keras.layers.BatchNormalization()]
        self.heads = {"out": tf.keras.layers.Dense(2)}
        self.scale = tf.Variable(1.5, name="scale")

    def call(self, x, training=None):
        h = tf.nn.relu(self.blocks[1](self.blocks[0](x), training=training))
        return self.heads["out"](h) * self.scale


def loss_fn(model, training=True):
    return tf.reduce_mean(tf.square(model(X, training=training) - Y))


def keras_step(model, opt):
    with tf.GradientTape() as tape:
        loss = loss_fn(model)
    variables = model.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return float(loss.numpy())


def tf1_step(model, opt, step):
    # var_list=None: the variables the loss reads (the model may not be built yet).
    opt.minimize(lambda: loss_fn(model), global_step=step)
    return float(loss_fn(model, training=False).numpy())


def values(variables):
    return [np.array(v.numpy()) for v in variables]
