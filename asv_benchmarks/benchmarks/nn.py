"""nn ops on the seed MNIST CNN's shapes (batch 50, channels_last): the two
convolutions forward and forward+backward, max pooling, bias_add + relu,
the cross-entropies, and one whole forward+backward pass of the network
built from eager.nn ops (the optimizer step is in train.py)."""
import types

import numpy as np

from . import eager_or_skip, need

BATCH = 50


def _nn():
    """eager with its nn ops, or NotImplementedError (asv: skipped)."""
    tf = need(eager_or_skip(), "constant", "GradientTape", "reduce_sum")
    try:
        from eager.ops import nn, conv, pooling
    except Exception as e:
        raise NotImplementedError("eager.ops.nn does not import: %s: %s"
                                  % (type(e).__name__, e))
    ops = types.SimpleNamespace(conv2d=conv.conv2d, max_pool=pooling.max_pool,
                                avg_pool=pooling.avg_pool)
    return tf, nn, ops


def _array(shape, seed=0, scale=1.0):
    return (np.random.RandomState(seed).standard_normal(shape) * scale).astype(np.float32)


class Conv2D:
    """conv2d 'SAME', stride 1, 5x5 filters: conv1 is 50x28x28x1 -> 32
    channels, conv2 50x14x14x32 -> 64 channels (the seed CNN's)."""
    params = [["conv1", "conv2"]]
    param_names = ["layer"]
    timeout = 120
    SHAPES = {"conv1": ((BATCH, 28, 28, 1), (5, 5, 1, 32)),
              "conv2": ((BATCH, 14, 14, 32), (5, 5, 32, 64))}

    def setup(self, layer):
        self.tf, self.nn, self.conv = _nn()
        xs, ws = self.SHAPES[layer]
        self.x = self.tf.constant(_array(xs))
        self.w = self.tf.constant(_array(ws, 1, 0.1))

    def time_forward(self, layer):
        self.conv.conv2d(self.x, self.w, 1, "SAME")

    def time_forward_backward(self, layer):
        tf = self.tf
        with tf.GradientTape() as tape:
            tape.watch(self.x)
            tape.watch(self.w)
            y = self.conv.conv2d(self.x, self.w, 1, "SAME")
        tape.gradient(y, [self.x, self.w])

    def time_forward_backward_filter_only(self, layer):
        tf = self.tf
        with tf.GradientTape() as tape:
            tape.watch(self.w)
            y = self.conv.conv2d(self.x, self.w, 1, "SAME")
        tape.gradient(y, self.w)


class Pooling:
    """2x2 stride-2 'SAME' pooling of 50x28x28x32, forward and backward."""
    params = [["max", "avg"]]
    param_names = ["kind"]

    def setup(self, kind):
        self.tf, self.nn, conv = _nn()
        self.pool = conv.max_pool if kind == "max" else conv.avg_pool
        self.x = self.tf.constant(_array((BATCH, 28, 28, 32)))

    def time_forward(self, kind):
        self.pool(self.x, 2, 2, "SAME")

    def time_forward_backward(self, kind):
        with self.tf.GradientTape() as tape:
            tape.watch(self.x)
            y = self.pool(self.x, 2, 2, "SAME")
        tape.gradient(y, self.x)


class BiasAddRelu:
    """relu(bias_add(x, b)) on 50x28x28x32 (conv1's output), forward and backward."""

    def setup(self):
        self.tf, self.nn, _ = _nn()
        self.x = self.tf.constant(_array((BATCH, 28, 28, 32)))
        self.b = self.tf.constant(_array((32,), 1))

    def time_forward(self):
        self.nn.relu(self.nn.bias_add(self.x, self.b))

    def time_forward_backward(self):
        with self.tf.GradientTape() as tape:
            tape.watch(self.x)
            tape.watch(self.b)
            y = self.nn.relu(self.nn.bias_add(self.x, self.b))
        tape.gradient(y, [self.x, self.b])


class CrossEntropy:
    """Mean softmax cross-entropy of 50x10 logits, forward and backward
    (dense one-hot labels as in the seed, and sparse labels)."""
    params = [["dense", "sparse"]]
    param_names = ["labels"]

    def setup(self, labels):
        self.tf, self.nn, _ = _nn()
        self.logits = self.tf.constant(_array((BATCH, 10)))
        idx = np.random.RandomState(2).randint(0, 10, BATCH)
        if labels == "dense":
            y = self.tf.constant(np.eye(10, dtype=np.float32)[idx])
            self.loss = lambda x: self.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)
        else:
            y = self.tf.constant(idx.astype(np.int32))
            self.loss = lambda x: self.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=x)

    def time_forward_backward(self, labels):
        tf = self.tf
        with tf.GradientTape() as tape:
            tape.watch(self.logits)
            loss = tf.reduce_mean(self.loss(self.logits))
        tape.gradient(loss, self.logits)


class MNISTForwardBackward:
    """The seed MNIST CNN (conv 32 -> pool -> conv 64 -> pool -> dense 1024
    -> dropout -> dense 10, batch 50) from eager.nn ops: one forward pass
    and the gradients of the mean cross-entropy for all eight parameters.
    The Adam step on top is benchmarked in train.py."""
    timeout = 180

    def setup(self):
        tf, nn, conv = _nn()
        self.tf = tf
        shapes = [(5, 5, 1, 32), (32,), (5, 5, 32, 64), (64,), (3136, 1024), (1024,),
                  (1024, 10), (10,)]
        self.params = [tf.constant(_array(s, i, 0.05)) for i, s in enumerate(shapes)]
        self.x = tf.constant(_array((BATCH, 28, 28, 1), 10))
        idx = np.random.RandomState(11).randint(0, 10, BATCH)
        self.y = tf.constant(np.eye(10, dtype=np.float32)[idx])
        w1, b1, w2, b2, w3, b3, w4, b4 = self.params

        def model(x):
            h = conv.max_pool(nn.relu(nn.bias_add(conv.conv2d(x, w1, 1, "SAME"), b1)),
                              2, 2, "SAME")
            h = conv.max_pool(nn.relu(nn.bias_add(conv.conv2d(h, w2, 1, "SAME"), b2)),
                              2, 2, "SAME")
            h = tf.reshape(h, [BATCH, -1])
            h = nn.dropout(nn.relu(nn.bias_add(tf.matmul(h, w3), b3)), 0.5)
            return nn.bias_add(tf.matmul(h, w4), b4)

        self.model = model

    def time_step(self):
        tf = self.tf
        with tf.GradientTape() as tape:
            for p in self.params:
                tape.watch(p)
            loss = tf.reduce_mean(self.nn_loss())
        tape.gradient(loss, self.params)

    def nn_loss(self):
        from eager.ops import nn
        return nn.softmax_cross_entropy_with_logits(labels=self.y, logits=self.model(self.x))
